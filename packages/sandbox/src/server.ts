import express from 'express';
import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { createGithubGraphqlRouter } from './github/graphql';
import { RateLimiter } from './github/http';
import { GithubRepresentation } from './github/representations';
import { createGithubRestRouter } from './github/rest';
import { WebhookLogger, WebhookSender, webhookFor } from './github/webhooks';
import { Simulation } from './world/Simulation';

export const DEFAULT_WEBHOOK_URL =
  'http://localhost:7007/api/deployments/webhooks/github';
export const DEFAULT_WEBHOOK_SECRET = 'stagecraft-sandbox-secret';

export interface SandboxServerOptions {
  /** Port to listen on; 0 picks a free one. Default 7100. */
  port?: number;
  /** Host to bind; default all interfaces. */
  host?: string;
  /** Seed of the world's history and life. Default 42. */
  seed?: number;
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
  /** Moves the organisation's life one tick forward (what the timer does). */
  tick(): void;
  /** Takes one step of everything clients set off (what the reaction timer does). */
  react(): void;
  close(): Promise<void>;
}

/**
 * Starts the sandbox: GitHub's REST API under /api/v3 and its GraphQL API at
 * /api/graphql (the paths of GitHub Enterprise Server, so an integration's
 * `apiBaseUrl` points at it), over a seeded world that keeps moving.
 * Future stand-ins (AWS CodePipeline, CodeDeploy, CloudFormation, Lambda) get
 * their own routers beside these, over the same world.
 */
export async function createSandboxServer(
  options: SandboxServerOptions = {},
): Promise<SandboxServer> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? {
    info: (message: string) => console.log(`[sandbox] ${message}`),
    warn: (message: string) => console.warn(`[sandbox] ${message}`),
  };
  const simulation = Simulation.create({ seed: options.seed ?? 42, now });
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
  app.get('/', (_req, res) => {
    res.json({
      name: 'Stagecraft sandbox',
      github: { rest: addresses.api(), graphql: `${baseUrl}/api/graphql` },
      repositories: world.repositories.map(r => `${r.owner}/${r.name}`),
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
  if (tickMs > 0)
    timers.push(
      setInterval(
        guarded('tick', () => simulation.tick()),
        tickMs,
      ),
    );
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
    tick: () => simulation.tick(),
    react: () => simulation.react(),
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await new Promise<void>((resolve, reject) =>
        server.close(error => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections?.();
      await webhooks?.flush();
    },
  };
}
