import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  BackstageCredentials,
  PermissionsService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  SkewResponse,
  deploymentsPermissions,
} from '@stagecraft/plugin-deployments-common';
import { SandboxServer, createSandboxServer } from '@stagecraft/sandbox';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { testBackendFeatures } from './features';
import { demoConfig, sandboxAwsConfig } from './__testUtils__/demoConfig';
import permissionPolicy from './permissionPolicy';

const SECRET = 'full-system-secret';
const ALICE = 'user:default/alice';

/**
 * The permission decisions of this test. The real permission backend cannot
 * accept the mocked user credentials of startTestBackend, so it and the
 * portal's policy (tested on its own in permissionPolicy.test.ts) give way to
 * the decision that policy reaches for these users: alice, of team-payments,
 * owns payments-api and may act on its deployments; carol, of
 * team-storefront, may not. Everything else (reading the catalog) is allowed.
 */
function deploymentActionsAllowedTo(users: string[]) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: { auth: coreServices.auth },
    factory({ auth }): PermissionsService {
      const decide = (
        permission: Permission,
        credentials: BackstageCredentials,
      ) => {
        const isDeploymentAction = deploymentsPermissions.some(
          action => action.name === permission.name,
        );
        const allowed =
          !isDeploymentAction ||
          (auth.isPrincipal(credentials, 'user') &&
            users.includes(credentials.principal.userEntityRef));
        return {
          result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        } as const;
      };
      return {
        async authorize(requests, { credentials }) {
          return requests.map(r => decide(r.permission, credentials));
        },
        async authorizeConditional(requests, { credentials }) {
          return requests.map(r => decide(r.permission, credentials));
        },
      };
    },
  });
}

/**
 * The whole chain on one machine: the sandbox stands in for GitHub, the real
 * demo backend syncs it through the GitHub provider into its store, and the
 * sandbox's webhooks move the store as time passes and reviews are decided.
 */
describe('the promotion-skew audit of the seeded GitHub sandbox history', () => {
  jest.setTimeout(240_000);

  let sandbox: SandboxServer;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let backendUrl = '';

  beforeAll(async () => {
    sandbox = await createSandboxServer({
      port: 0,
      seed: 42,
      now: () => Date.now(),
      tickMs: 0,
      reactionMs: 0,
      webhookUrl: () => `${backendUrl}/api/deployments/webhooks/github`,
      webhookSecret: SECRET,
      snsUrl: () => `${backendUrl}/api/deployments/webhooks/aws`,
      logger: { info: () => {}, warn: () => {} },
    });
    backend = await startTestBackend({
      features: [
        ...testBackendFeatures.filter(
          feature =>
            feature !== permissionBackend && feature !== permissionPolicy,
        ),
        deploymentActionsAllowedTo([ALICE]),
        // The real scheduler, so the sync runs on its schedule once the
        // catalog has the entities (the mock one runs tasks only at start-up).
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: demoConfig({
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
              aws: sandboxAwsConfig(sandbox.url),
            },
            aws: {
              // The sandbox takes any credentials and checks no signature.
              accounts: [
                {
                  accountId: '123456789012',
                  accessKeyId: 'stand-in-access-key',
                  secretAccessKey: 'stand-in-secret-key',
                },
              ],
            },
          }),
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
  it('finds the hotfix that followed the failed release into production after a short soak in staging', async () => {
    const repository = sandbox.simulation.world.repositories.find(
      r => r.name === 'payments-api',
    )!;
    const hotfix = repository.commits.find(c =>
      c.message.startsWith('Hotfix: '),
    )!;
    expect(hotfix).toBeDefined();
    const finding = await eventually('the hotfix finding', async () => {
      const response = await request(backend.server)
        .get('/api/deployments/entities/component/default/payments-api/skew')
        .query({ limit: 500 })
        .set('Authorization', mockCredentials.user.header(ALICE));
      if (response.status === 404) return undefined;
      expect(response.status).toBe(200);
      return (response.body as SkewResponse).findings.find(
        f => f.version.sha === hotfix.sha && f.environment === 'production',
      );
    });
    expect(finding).toMatchObject({
      entityRef: 'component:default/payments-api',
      previousEnvironment: 'staging',
      provider: 'github',
      kind: 'short-soak',
    });
    expect(finding.soakSeconds!).toBeLessThan(30 * 60);

    // The portfolio shows it to a user who may see payments-api, and the CSV names it.
    const csv = await request(backend.server)
      .get('/api/deployments/skew')
      .query({ format: 'csv' })
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(hotfix.sha);
  });
});
