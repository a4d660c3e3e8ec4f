import { parseArgs } from 'node:util';
import {
  DEFAULT_SNS_URL,
  DEFAULT_WEBHOOK_SECRET,
  DEFAULT_WEBHOOK_URL,
  createSandboxServer,
} from './server';
import { ACCOUNT_ID, REGION } from './aws/cloud/account';
import { AWS_ENDPOINTS } from './aws/router';

/**
 * `npm start -w packages/sandbox [-- --port 7100 --seed 42 --tick-ms 60000]`.
 * Every option also reads an environment variable (SANDBOX_PORT, SANDBOX_SEED,
 * SANDBOX_TICK_MS, SANDBOX_WEBHOOK_URL, GITHUB_WEBHOOK_SECRET, SANDBOX_SNS_URL).
 */
async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.SANDBOX_PORT ?? '7100' },
      seed: { type: 'string', default: process.env.SANDBOX_SEED ?? '42' },
      'tick-ms': {
        type: 'string',
        default: process.env.SANDBOX_TICK_MS ?? '60000',
      },
      'reaction-ms': {
        type: 'string',
        default: process.env.SANDBOX_REACTION_MS ?? '2000',
      },
      'webhook-url': {
        type: 'string',
        default: process.env.SANDBOX_WEBHOOK_URL ?? DEFAULT_WEBHOOK_URL,
      },
      'webhook-secret': {
        type: 'string',
        default: process.env.GITHUB_WEBHOOK_SECRET ?? DEFAULT_WEBHOOK_SECRET,
      },
      'sns-url': {
        type: 'string',
        default: process.env.SANDBOX_SNS_URL ?? DEFAULT_SNS_URL,
      },
    },
    // `backstage-cli package start` passes its own flags through.
    strict: false,
  });
  const number = (name: string, value: unknown) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0)
      throw new Error(`--${name} must be a whole number, got '${value}'`);
    return parsed;
  };
  const server = await createSandboxServer({
    port: number('port', values.port),
    seed: number('seed', values.seed),
    tickMs: number('tick-ms', values['tick-ms']),
    reactionMs: number('reaction-ms', values['reaction-ms']),
    webhookUrl: String(values['webhook-url']) || null,
    webhookSecret: String(values['webhook-secret']),
    snsUrl: String(values['sns-url']) || null,
  });
  const repositories = server.simulation.world.repositories.length;
  console.log(
    `[sandbox] GitHub stand-in with ${repositories} repositories on ${server.url}/api/v3 and ${server.url}/api/graphql` +
      ` (seed ${values.seed}, tick ${values['tick-ms']} ms, webhooks to ${
        values['webhook-url'] || 'nowhere'
      })`,
  );
  console.log(
    `[sandbox] AWS stand-in (account ${ACCOUNT_ID}, ${REGION}) on ${Object.entries(
      AWS_ENDPOINTS,
    )
      .map(([name, path]) => `${name} ${server.url}/aws${path}`)
      .join(', ')} (SNS notifications to ${values['sns-url'] || 'nowhere'})`,
  );
  const stop = () => {
    server.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(error => {
  console.error(`[sandbox] ${error.message}`);
  process.exit(1);
});
