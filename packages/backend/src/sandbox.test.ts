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
  ActionResponse,
  AuditResponse,
  EnvironmentsResponse,
  IDEMPOTENCY_KEY_HEADER,
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
const CAROL = 'user:default/carol';

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
describe('the demo backend against the GitHub sandbox', () => {
  jest.setTimeout(240_000);

  let sandbox: SandboxServer;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let backendUrl = '';
  // Lets the test move the sandbox's clock past wait timers.
  let sandboxClockAheadMs = 0;

  beforeAll(async () => {
    sandbox = await createSandboxServer({
      port: 0,
      seed: 42,
      now: () => Date.now() + sandboxClockAheadMs,
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

  const entityPath = '/api/deployments/entities/component/default/payments-api';

  const environmentsAs = async (user: string) => {
    const response = await request(backend.server)
      .get(`${entityPath}/environments`)
      .set('Authorization', mockCredentials.user.header(user));
    expect(response.status).toBe(200);
    return (response.body as EnvironmentsResponse).environments;
  };

  const approvalsIn = async (user: string) => {
    const response = await request(backend.server)
      .get(`${entityPath}/audit`)
      .query({ action: 'approve' })
      .set('Authorization', mockCredentials.user.header(user));
    expect(response.status).toBe(200);
    return (response.body as AuditResponse).entries;
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
    const repository = world().findRepository('acme', 'storefront-web')!;
    const waiting = repository.runs.find(r => r.status === 'waiting')!;
    const production = repository.environments.find(
      e => e.name === 'production',
    )!;
    const approval = await fetch(
      `${sandbox.url}/api/v3/repos/acme/storefront-web/actions/runs/${waiting.id}/pending_deployments`,
      {
        method: 'POST',
        headers: {
          // carol is of team-storefront, its production reviewers.
          authorization: 'token carol',
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
      'storefront-web in production',
      async () => {
        const found = await current('storefront-web', 'production');
        return found?.version.sha === waiting.headSha ? found : undefined;
      },
      30_000,
    );
    expect(reached.providerDeploymentId).toBe(
      String(waiting.gate!.deploymentId),
    );
  });

  it('reaches production after an owner approves the gate through the Stagecraft API', async () => {
    const repository = world().findRepository('acme', 'payments-api')!;
    const waiting = repository.runs.find(r =>
      sandbox.simulation.pipeline.pendingGate(r),
    )!;
    expect(waiting.gate!.environment).toBe('production');
    const gate = await eventually(
      "payments-api's pending production gate",
      async () =>
        (await environmentsAs(ALICE))
          .find(e => e.name === 'production')
          ?.pendingGates.find(g => g.version.sha === waiting.headSha),
    );
    expect(gate).toMatchObject({ kind: 'provider', provider: 'github' });
    const approve = (user: string, idempotencyKey: string) =>
      request(backend.server)
        .post(`${entityPath}/approve`)
        .set('Authorization', mockCredentials.user.header(user))
        .set(IDEMPOTENCY_KEY_HEADER, idempotencyKey)
        // GitHub takes environment reviews only from the required reviewers
        // themselves; the sandbox reads a login as that person's token.
        .set(
          'X-Deployments-Provider-Token',
          user.replace(/^user:default\//, ''),
        )
        .send({ gateId: gate.id, comment: 'Checked staging, ship it' });

    // carol does not own payments-api: refused, and the gate stays open.
    const refused = await approve(CAROL, 'full-system-carol-approve');
    expect(refused.status).toBe(403);
    expect(refused.body.error.name).toBe('NotAllowedError');
    expect(waiting.reviews).toEqual([]);
    expect(
      (await environmentsAs(ALICE))
        .find(e => e.name === 'production')!
        .pendingGates.map(g => g.id),
    ).toContain(gate.id);
    expect((await approvalsIn(ALICE)).map(e => [e.actor, e.outcome])).toEqual([
      [CAROL, 'refused'],
    ]);

    const approved = await approve(ALICE, 'full-system-alice-approve');
    expect(approved.status).toBe(200);
    const response = approved.body as ActionResponse;
    expect(response.request).toMatchObject({
      id: gate.id,
      action: 'approve',
      environment: 'production',
      state: 'approved',
      decidedBy: ALICE,
      version: { sha: waiting.headSha },
    });
    // The decision reached GitHub as alice's review.
    expect(waiting.reviews).toEqual([
      expect.objectContaining({
        user: 'alice',
        state: 'approved',
        comment: 'Checked staging, ship it',
      }),
    ]);

    // A retried request with the same key answers the same and acts once.
    const replayed = await approve(ALICE, 'full-system-alice-approve');
    expect(replayed.status).toBe(200);
    expect(replayed.header['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(approved.body);
    expect(waiting.reviews).toHaveLength(1);

    const audit = await approvalsIn(ALICE);
    expect(audit.filter(e => e.outcome === 'approved')).toEqual([
      expect.objectContaining({
        action: 'approve',
        outcome: 'approved',
        actor: ALICE,
        providerIdentity: 'github-user:alice',
        environment: 'production',
        version: expect.objectContaining({ sha: waiting.headSha }),
        comment: 'Checked staging, ship it',
      }),
    ]);

    // The production wait timer (5 minutes) runs out; the approved run resumes.
    sandboxClockAheadMs += 5 * 60_000;
    const deployment = repository.deployments.find(
      d => d.id === waiting.gate!.deploymentId,
    )!;
    for (
      let i = 0;
      i < 20 && !deployment.statuses.some(s => s.state === 'success');
      i++
    ) {
      sandbox.react();
    }
    expect(deployment.statuses.map(s => s.state)).toContain('success');
    await sandbox.webhooks!.flush();
    const reached = await eventually(
      'the approved version of payments-api in production',
      async () => {
        const production = (await environmentsAs(ALICE)).find(
          e => e.name === 'production',
        );
        return production?.current?.version.sha === gate.version.sha
          ? production
          : undefined;
      },
      30_000,
    );
    expect(reached.current!.providerDeploymentId).toBe(String(deployment.id));
    expect(reached.pendingGates).toEqual([]);
    expect(sandbox.webhooks!.stats.failed).toBe(0);
  });
});
