import express from 'express';
import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { createGithubGraphqlRouter } from './github/graphql';
import { RateLimiter } from './github/http';
import { GithubRepresentation } from './github/representations';
import { createGithubRestRouter } from './github/rest';
import { WebhookLogger, WebhookSender, webhookFor } from './github/webhooks';
import { Simulation } from './world/Simulation';
import { AWS_ENDPOINTS, createAwsRouter } from './aws/router';
import { sandboxSigningCertificate } from './aws/sns/sandboxCertificate';
import { SnsPublisher } from './aws/sns/SnsPublisher';
import { createSnsRouter } from './aws/sns/router';
import { eventBridgeEventOf } from './aws/sns/eventBridge';
import { ACCOUNT_ID, REGION } from './aws/cloud/account';

export const DEFAULT_WEBHOOK_URL =
  'http://localhost:7007/api/deployments/webhooks/github';
export const DEFAULT_WEBHOOK_SECRET = 'stagecraft-sandbox-secret';
export const DEFAULT_SNS_URL =
  'http://localhost:7007/api/deployments/webhooks/aws';
/** Where the SNS signing certificate is served, under /aws/sns. */
export const SNS_CERTIFICATE_PATH = '/SimpleNotificationService-sandbox.pem';

export interface SandboxServerOptions {
  /** Port to listen on; 0 picks a free one. Default 7100. */
  port?: number;
  /** Host to bind; default all interfaces. */
  host?: string;
  /** Seed of the world's history and life. Default 42. */
  seed?: number;
  /** Days of history of every repository (at least 7); by default 95 to 175, drawn from the seed. */
  historyDays?: number;
  /** Milliseconds between ticks of the organisation's life; 0 stops time. Default 60 000. */
  tickMs?: number;
  /**
   * Milliseconds between the steps of what a client set off (an approved run,
   * a dispatched run, a created deployment); 0 leaves them to ticks. Default 2 000.
   */
  reactionMs?: number;
  /**
   * Where webhooks are POSTed; null sends none. A function is asked at each
   * delivery (for tests whose receiver starts after the sandbox).
   */
  webhookUrl?: string | (() => string) | null;
  webhookSecret?: string;
  /**
   * The HTTP(S) endpoint subscribed to the sandbox's SNS topic of AWS
   * deployment events; null subscribes none. A function is asked at each
   * delivery.
   */
  snsUrl?: string | (() => string) | null;
  /** GitHub's X-GitHub-Hook-ID of the simulated repository webhook. */
  webhookHookId?: number;
  /** The clock; the history ends at its value when the sandbox starts. */
  now?: () => number;
  /** Primary rate limits per identity and hour. */
  rateLimits?: { core: number; graphql: number };
  logger?: WebhookLogger;
}

export interface SandboxServer {
  /** e.g. http://localhost:7100 */
  url: string;
  port: number;
  simulation: Simulation;
  webhooks?: WebhookSender;
  /** The SNS subscription's deliveries, when an snsUrl is set. */
  sns?: SnsPublisher;
  /** Moves the organisation's life one tick forward (what the timer does). */
  tick(): void;
  /** Takes one step of everything clients set off (what the reaction timer does). */
  react(): void;
  close(): Promise<void>;
}

/**
 * Starts the sandbox: GitHub's REST API under /api/v3 and its GraphQL API at
 * /api/graphql (the paths of GitHub Enterprise Server, so an integration's
 * `apiBaseUrl` points at it), and AWS's CodePipeline, CodeDeploy,
 * CloudFormation, Lambda, CloudWatch and tagging APIs under /aws/<service>
 * with signed SNS notifications, over one seeded world that keeps moving.
 */
export async function createSandboxServer(
  options: SandboxServerOptions = {},
): Promise<SandboxServer> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? {
    info: (message: string) => console.log(`[sandbox] ${message}`),
    warn: (message: string) => console.warn(`[sandbox] ${message}`),
  };
  const simulation = Simulation.create({
    seed: options.seed ?? 42,
    now,
    historyDays: options.historyDays,
  });
  const { world, pipeline } = simulation;

  let baseUrl = '';
  const addresses = { api: () => `${baseUrl}/api/v3`, web: () => baseUrl };
  const representation = new GithubRepresentation(world, pipeline, addresses);
  const limiter = new RateLimiter(
    options.rateLimits ?? { core: 5000, graphql: 5000 },
    now,
  );

  const app = express();
  app.disable('x-powered-by');
  app.use(
    '/api/v3',
    createGithubRestRouter({ world, pipeline, representation, limiter }),
  );
  app.use(
    '/api/graphql',
    createGithubGraphqlRouter({ world, pipeline, addresses, limiter }),
  );
  const certificate = sandboxSigningCertificate(now());
  const snsUrl =
    options.snsUrl === undefined ? DEFAULT_SNS_URL : options.snsUrl;
  const sns = snsUrl
    ? new SnsPublisher({
        url: snsUrl,
        certificate,
        certificatePath: SNS_CERTIFICATE_PATH,
        snsBaseUrl: () => `${baseUrl}/aws${AWS_ENDPOINTS.sns}`,
        now,
        logger,
      })
    : undefined;
  app.use(
    '/aws',
    createAwsRouter({
      aws: simulation.aws,
      sns: createSnsRouter({
        certificate,
        certificatePath: SNS_CERTIFICATE_PATH,
        publisher: sns,
      }),
    }),
  );
  app.get('/', (_req, res) => {
    const aws = Object.fromEntries(
      Object.entries(AWS_ENDPOINTS).map(([name, path]) => [
        name,
        `${baseUrl}/aws${path}`,
      ]),
    );
    res.json({
      name: 'Stagecraft sandbox',
      github: { rest: addresses.api(), graphql: `${baseUrl}/api/graphql` },
      repositories: world.repositories.map(r => `${r.owner}/${r.name}`),
      aws: { account: ACCOUNT_ID, region: REGION, endpoints: aws },
    });
  });
  // html_url links point here; answer them with a page rather than a 404.
  app.get('*', (req, res) => {
    const path = req.path.replace(/[<>&"]/g, '');
    res
      .type('html')
      .send(
        `<!doctype html><title>Stagecraft sandbox</title><p>This is the Stagecraft sandbox. ` +
          `On GitHub this link would open <code>https://github.com${path}</code>.</p>`,
      );
  });

  let webhooks: WebhookSender | undefined;
  const webhookUrl =
    options.webhookUrl === undefined ? DEFAULT_WEBHOOK_URL : options.webhookUrl;
  if (webhookUrl) {
    const sender = new WebhookSender({
      url: webhookUrl,
      secret: options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET,
      hookId: options.webhookHookId ?? 480_019_771,
      logger,
    });
    world.subscribe(event =>
      sender.send(webhookFor(representation, event), event.repository.id),
    );
    webhooks = sender;
  }

  if (sns)
    simulation.aws.cloud.subscribe(event =>
      sns.publish(
        JSON.stringify(eventBridgeEventOf(simulation.aws.cloud, event)),
      ),
    );

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(
      options.port ?? 7100,
      options.host ?? '::',
      () => resolve(listening),
    );
    listening.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://localhost:${port}`;
  sns?.requestConfirmation();
  // SNS sends the confirmation again while the endpoint was not reachable.
  const tick = () => {
    simulation.tick();
    sns?.requestConfirmation();
  };

  const timers: NodeJS.Timeout[] = [];
  const tickMs = options.tickMs ?? 60_000;
  const reactionMs = options.reactionMs ?? 2_000;
  const guarded = (what: string, step: () => void) => () => {
    try {
      step();
    } catch (error) {
      logger.warn(`${what} failed: ${(error as Error).stack ?? error}`);
    }
  };
  if (tickMs > 0) timers.push(setInterval(guarded('tick', tick), tickMs));
  if (reactionMs > 0)
    timers.push(
      setInterval(
        guarded('reaction', () => simulation.react()),
        reactionMs,
      ),
    );
  for (const timer of timers) timer.unref();

  return {
    url: baseUrl,
    port,
    simulation,
    webhooks,
    sns,
    tick,
    react: () => simulation.react(),
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await new Promise<void>((resolve, reject) =>
        server.close(error => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections?.();
      await webhooks?.flush();
      await sns?.flush();
    },
  };
}
