import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { SandboxServer, createSandboxServer } from '@stagecraft/sandbox';
import { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import request from 'supertest';
import { backendFeatures } from './features';

const examples = resolve(__dirname, '../../../examples');
const SECRET = 'full-system-secret';

/**
 * The whole chain on one machine: the sandbox stands in for GitHub, the real
 * demo backend syncs it through the GitHub provider into its store, and the
 * sandbox's webhooks move the store as time passes and reviews are decided.
 */
describe('the demo backend against the GitHub sandbox', () => {
  jest.setTimeout(240_000);

  let sandbox: SandboxServer;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let backendUrl = '';

  beforeAll(async () => {
    sandbox = await createSandboxServer({
      port: 0,
      seed: 42,
      tickMs: 0,
      reactionMs: 0,
      webhookUrl: () => `${backendUrl}/api/deployments/webhooks/github`,
      webhookSecret: SECRET,
      logger: { info: () => {}, warn: () => {} },
    });
    backend = await startTestBackend({
      features: [
        ...backendFeatures,
        // The real scheduler, so the sync runs on its schedule once the
        // catalog has the entities (the mock one runs tasks only at start-up).
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: { baseUrl: 'http://localhost:7007' },
            auth: {
              providers: { guest: { userEntityRef: 'user:default/guest' } },
            },
            permission: { enabled: true },
            catalog: {
              rules: [
                { allow: ['Component', 'System', 'Location', 'User', 'Group'] },
              ],
              locations: [
                { type: 'file', target: `${examples}/entities.yaml` },
                { type: 'file', target: `${examples}/org.yaml` },
              ],
            },
            integrations: {
              github: [
                {
                  host: 'github.com',
                  apiBaseUrl: `${sandbox.url}/api/v3`,
                  token: 'sandbox-token',
                },
              ],
            },
            deployments: {
              promotionPath: ['dev', 'staging', 'production'],
              schedule: {
                frequency: { seconds: 3 },
                timeout: { minutes: 3 },
                initialDelay: { seconds: 1 },
              },
              github: { webhookSecret: SECRET },
            },
          },
        }),
      ],
    });
    backendUrl = `http://127.0.0.1:${
      (backend.server.address() as AddressInfo).port
    }`;
  });

  afterAll(async () => {
    await backend?.stop();
    await sandbox?.close();
  });

  /** The entity's environments, or undefined while the catalog has not ingested it yet. */
  const current = async (name: string, environment: string) => {
    const response = await request(backend.server)
      .get(`/api/deployments/entities/component/default/${name}/environments`)
      .set('Authorization', mockCredentials.service.header());
    if (response.status === 404) return undefined;
    expect(response.status).toBe(200);
    const body = response.body as {
      environments: Array<{
        name: string;
        current?: { providerDeploymentId: string; version: { sha: string } };
      }>;
    };
    return body.environments.find(e => e.name === environment)?.current;
  };

  async function eventually<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 120_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 500));
    }
  }

  const world = () => sandbox.simulation.world;
  const newestSuccess = (repo: string, environment: string) =>
    [...world().findRepository('acme', repo)!.deployments]
      .reverse()
      .find(
        d =>
          d.environment === environment &&
          d.statuses.some(s => s.state === 'success'),
      )!;

  it('fills the store from the sandbox: what runs where in every environment', async () => {
    const expected = newestSuccess('payments-api', 'production');
    const production = await eventually(
      'the production state of payments-api',
      async () => {
        const found = await current('payments-api', 'production');
        return found?.providerDeploymentId === String(expected.id)
          ? found
          : undefined;
      },
    );
    expect(production.version.sha).toBe(expected.sha);
    for (const environment of ['dev', 'staging']) {
      const deployment = await current('payments-api', environment);
      expect(deployment?.providerDeploymentId).toBe(
        String(newestSuccess('payments-api', environment).id),
      );
    }
  });

  it('learns of a new commit reaching dev through a webhook', async () => {
    const repository = world().findRepository('acme', 'payments-api')!;
    const before = repository.deployments.length;
    // Tick until a change lands on payments-api and its run deploys to dev.
    let dev: (typeof repository.deployments)[number] | undefined;
    for (let i = 0; i < 400 && !dev; i++) {
      sandbox.tick();
      dev = repository.deployments
        .slice(before)
        .find(
          d =>
            d.environment === 'dev' &&
            d.statuses.some(s => s.state === 'success'),
        );
    }
    expect(dev).toBeDefined();
    await sandbox.webhooks!.flush();
    const seen = await eventually(
      'the new dev deployment',
      async () => {
        const found = await current('payments-api', 'dev');
        return found && Number(found.providerDeploymentId) >= dev!.id
          ? found
          : undefined;
      },
      30_000,
    );
    // The backend accepted every signed delivery.
    expect(sandbox.webhooks!.stats.delivered).toBeGreaterThan(0);
    expect(sandbox.webhooks!.stats.failed).toBe(0);
    expect(seen.version.sha).toBe(
      repository.deployments.find(
        d => String(d.id) === seen.providerDeploymentId,
      )!.sha,
    );
  });

  it('reaches production after the waiting run is approved on GitHub', async () => {
    const repository = world().findRepository('acme', 'ledger-worker')!;
    const waiting = repository.runs.find(r => r.status === 'waiting')!;
    const production = repository.environments.find(
      e => e.name === 'production',
    )!;
    const approval = await fetch(
      `${sandbox.url}/api/v3/repos/acme/ledger-worker/actions/runs/${waiting.id}/pending_deployments`,
      {
        method: 'POST',
        headers: {
          authorization: 'token bob',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          environment_ids: [production.id],
          state: 'approved',
          comment: 'Ship it',
        }),
      },
    );
    expect(approval.status).toBe(200);
    for (let i = 0; i < 5; i++) sandbox.react();
    await sandbox.webhooks!.flush();
    const reached = await eventually(
      'ledger-worker in production',
      async () => {
        const found = await current('ledger-worker', 'production');
        return found?.version.sha === waiting.headSha ? found : undefined;
      },
      30_000,
    );
    expect(reached.providerDeploymentId).toBe(
      String(waiting.gate!.deploymentId),
    );
  });
});
