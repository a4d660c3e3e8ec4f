import { inspect } from 'node:util';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  LoggerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deploymentProvidersExtensionPoint } from '@stagecraft/plugin-deployments-node';
import request from 'supertest';
import type { LedgerDeployment } from '../database/DeploymentStore';
import { KnexDeploymentStore } from '../database/KnexDeploymentStore';
import { deploymentsPlugin } from '../plugin';
import {
  TEST_SIGNATURE_HEADER,
  TEST_TARGET_ANNOTATION,
  TestDeploymentProvider,
} from '@stagecraft/plugin-deployments-node/testing';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const ENTITY_REF = 'component:default/payments-api';
const BASE = '/api/deployments/entities/component/default/payments-api';

const S1 = '1'.repeat(40);
const S2 = '2'.repeat(40);
const S3 = '3'.repeat(40);
const TAGS: Record<string, string> = {
  [S1]: 'v1.0.0',
  [S2]: 'v1.1.0',
  [S3]: 'v1.2.0',
};

const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { [TEST_TARGET_ANNOTATION]: 'acme/payments-api' },
  },
  spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
};

const docsSite: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'docs-site', namespace: 'default' },
  spec: { type: 'website', owner: 'team-docs', lifecycle: 'production' },
};

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 24 * 60 * 60 * 1000).toISOString();
}

let nextDeploymentId = 1;
function deployment(
  environment: string,
  sha: string,
  days: number,
  states: Array<'waiting' | 'in_progress' | 'success' | 'failure'> = [
    'success',
  ],
): LedgerDeployment {
  const createdAt = daysAgo(days);
  return {
    providerDeploymentId: String(nextDeploymentId++),
    environment,
    version: { sha, tag: TAGS[sha] },
    statuses: states.map((state, index) => ({
      state,
      at: new Date(Date.parse(createdAt) + index * 60_000).toISOString(),
    })),
    createdAt,
    updatedAt: createdAt,
    triggeredBy: 'ci-bot',
  };
}

/**
 * dev runs v1.2.0, staging v1.1.0, production v1.0.0; every version
 * succeeded where it is now and on the way there.
 */
function history(): LedgerDeployment[] {
  return [
    deployment('dev', S1, 10),
    deployment('staging', S1, 9),
    deployment('production', S1, 8),
    deployment('dev', S2, 5),
    deployment('staging', S2, 4),
    deployment('dev', S3, 1),
  ];
}

function denyOnly(...names: string[]) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      authorize: async (requests: any[]) =>
        requests.map(r => ({
          result: names.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        })),
      authorizeConditional: async (requests: any[]) =>
        requests.map(r => ({
          result: names.includes(r.permission.name)
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
        })),
    }),
  });
}

async function startDeployments(
  options: {
    databaseId?: TestDatabaseId;
    permissions?: ReturnType<typeof denyOnly>;
    provider?: TestDeploymentProvider;
    config?: object;
    /** Services to replace, e.g. a logger that records what it is told. */
    services?: ServiceFactory[];
  } = {},
) {
  const knex = await databases.init(options.databaseId ?? 'SQLITE_3');
  const provider = options.provider ?? new TestDeploymentProvider();
  const providerModule = createBackendModule({
    pluginId: 'deployments',
    moduleId: 'test-provider',
    register(reg) {
      reg.registerInit({
        deps: { providers: deploymentProvidersExtensionPoint },
        async init({ providers }) {
          providers.addProvider(provider);
        },
      });
    },
  });
  const { server } = await startTestBackend({
    features: [
      deploymentsPlugin,
      providerModule,
      catalogServiceMock.factory({ entities: [paymentsApi, docsSite] }),
      mockServices.database.factory({ knex }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.rootConfig.factory({ data: options.config ?? {} }),
      ...(options.permissions ? [options.permissions] : []),
      ...(options.services ?? []),
    ],
  });
  const store = await KnexDeploymentStore.create({
    database: mockServices.database({ knex }),
  });
  await store.upsertDeployments(ENTITY_REF, provider.id, history());
  return { server, store, provider, knex };
}

function as(user: string) {
  return { Authorization: mockCredentials.user.header(user) };
}

let keys = 0;
function idempotencyKey(): string {
  keys += 1;
  return `test-key-${Date.now()}-${keys}`;
}

describe('deployments router', () => {
  describe('reads', () => {
    it('lists the environment lanes in promotion order with what runs there', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      expect(response.status).toBe(200);
      const lanes = response.body.environments;
      expect(lanes.map((lane: any) => lane.name)).toEqual([
        'dev',
        'staging',
        'production',
      ]);
      expect(lanes.map((lane: any) => lane.current?.version.sha)).toEqual([
        S3,
        S2,
        S1,
      ]);
      expect(lanes.map((lane: any) => lane.requiresApproval)).toEqual([
        false,
        false,
        true,
      ]);
      expect(lanes[1].behindPrevious).toEqual({ days: 3 });
      expect(lanes[0].behindPrevious).toBeUndefined();
    });

    it('keeps the last known lanes when the provider fails, and says how stale they are', async () => {
      const { server, store, provider } = await startDeployments();
      const lastSuccessAt = new Date(Date.now() - 60 * 60 * 1000);
      await store.recordSyncSuccess({
        entityRef: ENTITY_REF,
        provider: provider.id,
        targetKey: 'acme/payments-api',
        at: lastSuccessAt,
      });
      await store.recordSyncFailure({
        entityRef: ENTITY_REF,
        provider: provider.id,
        targetKey: 'acme/payments-api',
        error: 'test answered 502 while syncing acme/payments-api',
        at: new Date(),
      });
      const response = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      expect(response.status).toBe(200);
      expect(
        response.body.environments.map((l: any) => l.current?.version.sha),
      ).toEqual([S3, S2, S1]);
      expect(response.body.sync).toEqual([
        expect.objectContaining({
          provider: provider.id,
          stale: true,
          lastSuccessAt: lastSuccessAt.toISOString(),
          lastError: 'test answered 502 while syncing acme/payments-api',
        }),
      ]);
    });

    it('answers 404 for an entity the catalog does not return', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .get('/api/deployments/entities/component/default/nowhere/environments')
        .set(as(ALICE));
      expect(response.status).toBe(404);
      expect(response.body.error.message).toContain(
        'component:default/nowhere',
      );
    });

    it('answers an entity without provider annotations with empty data and the reason', async () => {
      const { server } = await startDeployments();
      const lanes = await request(server)
        .get(
          '/api/deployments/entities/component/default/docs-site/environments',
        )
        .set(as(ALICE));
      expect(lanes.status).toBe(200);
      expect(lanes.body.environments).toEqual([]);
      expect(lanes.body.reason).toContain('test');
      const timeline = await request(server)
        .get('/api/deployments/entities/component/default/docs-site/timeline')
        .set(as(ALICE));
      expect(timeline.status).toBe(200);
      expect(timeline.body.rows).toEqual([]);
      expect(timeline.body.reason).toBeDefined();
    });

    it('pages the timeline with a cursor and filters environments', async () => {
      const { server } = await startDeployments();
      const first = await request(server)
        .get(`${BASE}/timeline?limit=2`)
        .set(as(ALICE));
      expect(first.status).toBe(200);
      expect(first.body.environments).toEqual(['dev', 'staging', 'production']);
      expect(first.body.rows.map((row: any) => row.version.sha)).toEqual([
        S3,
        S2,
      ]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await request(server)
        .get(
          `${BASE}/timeline?limit=2&cursor=${encodeURIComponent(
            first.body.nextCursor,
          )}`,
        )
        .set(as(ALICE));
      expect(second.body.rows.map((row: any) => row.version.sha)).toEqual([S1]);
      expect(second.body.nextCursor).toBeUndefined();

      const production = await request(server)
        .get(`${BASE}/timeline?environment=production`)
        .set(as(ALICE));
      expect(production.body.environments).toEqual(['production']);
      expect(production.body.rows[0].cells.production.state).toBe('success');
    });
  });

  describe('diff', () => {
    const comparison = {
      status: 'ahead' as const,
      aheadBy: 2,
      behindBy: 0,
      totalCommits: 2,
      commits: [],
      files: [],
      additions: 10,
      deletions: 3,
    };

    it('compares two environments through the provider once, then from the cache', async () => {
      const { server, provider } = await startDeployments();
      provider.comparisons.set(`${S2}...${S3}`, comparison);
      for (let i = 0; i < 2; i++) {
        const response = await request(server)
          .get(`${BASE}/diff?from=staging&to=dev`)
          .set(as(ALICE));
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({
          entityRef: ENTITY_REF,
          from: { ref: 'staging', sha: S2 },
          to: { ref: 'dev', sha: S3 },
          aheadBy: 2,
        });
      }
      expect(provider.compareCalls).toEqual([{ fromSha: S2, toSha: S3 }]);

      const lanes = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      expect(lanes.body.environments[1].behindPrevious).toEqual({
        commits: 2,
        days: 3,
      });
    });

    it('resolves versions by tag', async () => {
      const { server, provider } = await startDeployments();
      provider.comparisons.set(`${S1}...${S3}`, comparison);
      const response = await request(server)
        .get(`${BASE}/diff?from=v1.0.0&to=v1.2.0`)
        .set(as(ALICE));
      expect(response.status).toBe(200);
      expect(response.body.from).toEqual({ ref: 'v1.0.0', sha: S1 });
    });

    it('names an unknown version', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .get(`${BASE}/diff?from=staging&to=v9.9.9`)
        .set(as(ALICE));
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain("to 'v9.9.9'");
    });

    it('answers 502 with a message when the provider fails, never a 500', async () => {
      const { server, provider } = await startDeployments();
      provider.failures.compare = new Error('upstream exploded');
      const response = await request(server)
        .get(`${BASE}/diff?from=staging&to=dev`)
        .set(as(ALICE));
      expect(response.status).toBe(502);
      expect(response.body.error.message).toContain('upstream exploded');
      expect(response.body.error.stack).toBeUndefined();
    });
    it('answers 503 with a message when the provider is rate-limited', async () => {
      const { server, provider } = await startDeployments();
      provider.failures.compare = Object.assign(
        new Error('API rate limit exceeded'),
        { status: 429 },
      );
      const response = await request(server)
        .get(`${BASE}/diff?from=staging&to=dev`)
        .set(as(ALICE));
      expect(response.status).toBe(503);
      expect(response.body.error.message).toContain('API rate limit exceeded');
      expect(response.body.error.stack).toBeUndefined();
    });

    it('answers 502 when the provider fails to resolve a version, never a 500', async () => {
      const { server, provider } = await startDeployments();
      provider.failures.resolve = new Error('connect ECONNRESET');
      const response = await request(server)
        .get(`${BASE}/diff?from=staging&to=v2.0.0`)
        .set(as(ALICE));
      expect(response.status).toBe(502);
      expect(response.body.error.message).toBe(
        "test could not resolve 'v2.0.0': connect ECONNRESET",
      );
    });
  });

  describe('actions', () => {
    it('requires an Idempotency-Key header', async () => {
      const { server, provider } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .send({ environment: 'staging' });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('Idempotency-Key');
      expect(provider.promoteCalls).toHaveLength(0);
    });

    it('promotes the previous environment’s version at once where no approval is needed', async () => {
      const { server, provider, store } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', comment: 'ship it' });
      expect(response.status).toBe(200);
      expect(response.body.request).toMatchObject({
        state: 'executed',
        environment: 'staging',
        version: { sha: S3 },
        requestedBy: ALICE,
        providerReference: 'run-1',
      });
      expect(provider.promoteCalls).toHaveLength(1);
      expect(provider.promoteCalls[0]).toMatchObject({
        environment: 'staging',
        kind: 'promote',
        requestedBy: ALICE,
      });
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries).toEqual([
        expect.objectContaining({
          action: 'promote',
          outcome: 'executed',
          actor: ALICE,
          providerIdentity: 'test-app',
          environment: 'staging',
          comment: 'ship it',
        }),
      ]);
    });

    it('holds a promotion into production until another person approves it', async () => {
      const { server, provider, store } = await startDeployments();
      const promoted = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production', comment: 'release 1.1' });
      expect(promoted.status).toBe(202);
      expect(promoted.body.request).toMatchObject({
        state: 'pending',
        version: { sha: S2 },
      });
      expect(provider.promoteCalls).toHaveLength(0);
      const gateId = `stagecraft:${promoted.body.request.id}`;

      const lanes = await request(server)
        .get(`${BASE}/environments`)
        .set(as(ALICE));
      expect(lanes.body.environments[2].pendingGates).toEqual([
        expect.objectContaining({ id: gateId, kind: 'portal' }),
      ]);

      const selfApproval = await request(server)
        .post(`${BASE}/approve`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: 'me, myself' });
      expect(selfApproval.status).toBe(422);
      expect(selfApproval.body.checks).toContainEqual(
        expect.objectContaining({ rule: 'no-self-approval', passed: false }),
      );

      const noComment = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: '  ' });
      expect(noComment.status).toBe(422);
      expect(noComment.body.error.message).toContain('comment-required');
      expect(provider.promoteCalls).toHaveLength(0);

      const approved = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: 'verified in staging' });
      expect(approved.status).toBe(200);
      expect(approved.body.request).toMatchObject({
        state: 'executed',
        decidedBy: BOB,
        decisionComment: 'verified in staging',
      });
      expect(provider.promoteCalls).toHaveLength(1);
      expect(provider.promoteCalls[0]).toMatchObject({
        environment: 'production',
        version: { sha: S2 },
        requestedBy: ALICE,
      });

      const again = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: 'twice?' });
      expect(again.status).toBe(409);
      expect(again.body.checks).toContainEqual(
        expect.objectContaining({ rule: 'decided-once', passed: false }),
      );
      expect(provider.promoteCalls).toHaveLength(1);

      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(
        entries.map(e => `${e.action}:${e.outcome}:${e.actor}`).reverse(),
      ).toEqual([
        `promote:requested:${ALICE}`,
        `approve:refused:${ALICE}`,
        `approve:refused:${BOB}`,
        `approve:approved:${BOB}`,
        `promote:executed:${BOB}`,
        `approve:refused:${BOB}`,
      ]);
      expect(entries[0].detail).toMatch(
        /^decided-once: gateId 'stagecraft:.*' was already decided: the request is executed \(by user:default\/bob\)$/,
      );
    });

    it('rejects a pending promotion with a comment and never runs it', async () => {
      const { server, provider, store } = await startDeployments();
      const promoted = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production' });
      const rejected = await request(server)
        .post(`${BASE}/reject`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({
          gateId: `stagecraft:${promoted.body.request.id}`,
          comment: 'freeze week',
        });
      expect(rejected.status).toBe(200);
      expect(rejected.body.request.state).toBe('rejected');
      expect(provider.promoteCalls).toHaveLength(0);
      expect(await store.listPendingRequests(ENTITY_REF)).toEqual([]);
    });

    it('refuses a version that has not succeeded in the previous environment, writing only the refusal', async () => {
      const { server, provider, store } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production', version: 'v1.2.0' });
      expect(response.status).toBe(422);
      expect(response.body.error.name).toBe('PolicyRefusedError');
      expect(response.body.checks).toContainEqual({
        rule: 'promotion-order',
        passed: false,
        message:
          'v1.2.0 (3333333) must succeed in staging before it enters production',
      });
      expect(provider.promoteCalls).toHaveLength(0);
      expect(await store.listPendingRequests(ENTITY_REF)).toEqual([]);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries).toEqual([
        expect.objectContaining({
          outcome: 'refused',
          detail: expect.stringContaining('promotion-order'),
        }),
      ]);
    });

    it('lets a holder of deployments.override skip the promotion order with an audited reason', async () => {
      const { server, store } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({
          environment: 'production',
          version: S3,
          overrideReason: 'incident 42 hotfix',
        });
      expect(response.status).toBe(202);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries[0]).toMatchObject({
        outcome: 'requested',
        detail: 'promotion order overridden: incident 42 hotfix',
      });
    });

    it('refuses an override from someone without deployments.override', async () => {
      const { server } = await startDeployments({
        permissions: denyOnly('deployments.override'),
      });
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({
          environment: 'production',
          version: S3,
          overrideReason: 'trust me',
        });
      expect(response.status).toBe(422);
      expect(response.body.error.message).toContain('deployments.override');
    });

    it('refuses to promote what already runs there', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', version: 'v1.1.0' });
      expect(response.status).toBe(422);
      expect(response.body.checks).toContainEqual(
        expect.objectContaining({ rule: 'nothing-to-promote', passed: false }),
      );
    });

    it('answers 403 when the permission is denied, and audits the refusal', async () => {
      const { server, provider, store } = await startDeployments({
        permissions: mockServices.permissions.factory({
          result: AuthorizeResult.DENY,
        }) as any,
      });
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(response.status).toBe(403);
      expect(response.body.error.message).toBe(
        `deployments.promote is not allowed on ${ENTITY_REF}`,
      );
      expect(provider.promoteCalls).toHaveLength(0);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries.map(e => e.outcome)).toEqual(['refused']);
    });

    it('refuses actions from service principals', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set('Authorization', mockCredentials.service.header())
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(response.status).toBe(403);
    });

    it('rolls an environment back to its previous successful version', async () => {
      const { server, provider } = await startDeployments();
      const response = await request(server)
        .post(`${BASE}/rollback`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', comment: 'v1.1.0 leaks memory' });
      expect(response.status).toBe(200);
      expect(response.body.request).toMatchObject({
        action: 'rollback',
        version: { sha: S1 },
        state: 'executed',
      });
      expect(provider.promoteCalls[0]).toMatchObject({
        kind: 'rollback',
        version: { sha: S1 },
      });
    });

    it('answers 502 and writes nothing when the provider fails to resolve the version', async () => {
      const { server, provider, store } = await startDeployments();
      provider.failures.resolve = new Error('connect ECONNRESET');
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'dev', version: 'v2.0.0' });
      expect(response.status).toBe(502);
      expect(response.body.error.message).toContain("resolve 'v2.0.0'");
      expect(provider.promoteCalls).toHaveLength(0);
      expect(
        (await store.listAudit(ENTITY_REF, {}, { limit: 10 })).entries,
      ).toEqual([]);
    });

    it('records a provider failure and answers 502 with the failed request', async () => {
      const { server, provider, store } = await startDeployments();
      provider.failures.promote = new Error('workflow deploy.yml not found');
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(response.status).toBe(502);
      expect(response.body.error.message).toContain(
        'workflow deploy.yml not found',
      );
      expect(response.body.promotionRequest.state).toBe('failed');
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries.map(e => e.outcome)).toEqual(['failed']);
      // The failed request no longer blocks the environment.
      provider.failures.promote = undefined;
      const retry = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging' });
      expect(retry.status).toBe(200);
    });
  });

  describe('provider gates', () => {
    async function withProviderGate(
      options: Parameters<typeof startDeployments>[0] = {},
    ) {
      const started = await startDeployments(options);
      await started.store.openGates(ENTITY_REF, started.provider.id, 'acme/payments-api', [
        {
          providerGateId: 'run-77:production',
          environment: 'production',
          version: { sha: S2, tag: TAGS[S2] },
          reviewers: [{ type: 'team', name: 'team-payments' }],
          since: daysAgo(0.1),
          requestedBy: 'alice',
          details: { runId: '77' },
        },
      ]);
      return { ...started, gateId: `${started.provider.id}:run-77:production` };
    }

    it('acts on the provider gate with the user token, and never records the token', async () => {
      const { server, provider, store, gateId } = await withProviderGate();
      const lanes = await request(server)
        .get(`${BASE}/environments`)
        .set(as(BOB));
      expect(lanes.body.environments[2].pendingGates).toEqual([
        expect.objectContaining({ id: gateId, kind: 'provider' }),
      ]);
      expect(
        lanes.body.environments[2].pendingGates[0].details,
      ).toBeUndefined();

      const response = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .set('X-Deployments-Provider-Token', 'ghu_secret-token-value')
        .send({ gateId, comment: 'canary is healthy' });
      expect(response.status).toBe(200);
      expect(provider.reviewCalls).toHaveLength(1);
      expect(provider.reviewCalls[0]).toMatchObject({
        decision: 'approve',
        comment: 'canary is healthy',
        actor: BOB,
        userToken: 'ghu_secret-token-value',
      });
      const audit = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(audit.entries[0]).toMatchObject({
        action: 'approve',
        outcome: 'approved',
        providerIdentity: 'user-token:bob',
      });
      expect(JSON.stringify(audit)).not.toContain('ghu_secret');
      expect(JSON.stringify(response.body)).not.toContain('ghu_secret');
      expect(await store.listOpenGates(ENTITY_REF)).toEqual([]);
    });

    it('scrubs the user token from a provider error in the response, the audit log, stored replies, logs and audit events', async () => {
      const recorded: string[] = [];
      const record = (...args: unknown[]) => {
        recorded.push(inspect(args, { depth: 8 }));
      };
      const logger: LoggerService = {
        error: record,
        warn: record,
        info: record,
        debug: record,
        child: () => logger,
      };
      const { server, provider, store, knex, gateId } = await withProviderGate({
        services: [
          createServiceFactory({
            service: coreServices.logger,
            deps: {},
            factory: () => logger,
          }),
          createServiceFactory({
            service: coreServices.auditor,
            deps: {},
            factory: () => ({
              async createEvent(options) {
                record('audit event', options.meta);
                return {
                  success: async p => record(p),
                  fail: async p => record(p),
                };
              },
            }),
          }),
        ],
      });
      const token = 'ghu_secret-token-value';
      provider.failures.review = new Error(
        `Bad credentials: token ${token} was revoked`,
      );
      const response = await request(server)
        .post(`${BASE}/approve`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .set('X-Deployments-Provider-Token', token)
        .send({ gateId, comment: 'canary is healthy' });

      expect(response.status).toBe(502);
      expect(response.body.error.message).toBe(
        'test: Bad credentials: token *** was revoked',
      );
      const audit = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(audit.entries[0]).toMatchObject({
        outcome: 'failed',
        detail: 'test: Bad credentials: token *** was revoked',
      });
      expect(recorded.join('\n')).toContain('token *** was revoked');
      const everything = JSON.stringify([
        response.body,
        response.headers,
        await knex('audit_log').select(),
        await knex('idempotency_keys').select(),
        await knex('promotion_requests').select(),
        recorded,
      ]);
      expect(everything).not.toContain('ghu_secret');
    });

    it('refuses the requester approving their own provider gate', async () => {
      const { server, provider, gateId } = await withProviderGate();
      const response = await request(server)
        .post(`${BASE}/approve`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ gateId, comment: 'lgtm' });
      expect(response.status).toBe(422);
      expect(response.body.error.message).toContain('no-self-approval');
      expect(provider.reviewCalls).toHaveLength(0);
    });

    it('lets the provider gate be the approval of a gated environment', async () => {
      const { server, provider } = await withProviderGate();
      const response = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production' });
      expect(response.status).toBe(200);
      expect(response.body.checks).toContainEqual(
        expect.objectContaining({
          rule: 'approval-required',
          message: expect.stringContaining('gated by its provider'),
        }),
      );
      expect(provider.promoteCalls).toHaveLength(1);
    });

    it('lists the gates the caller may decide across entities', async () => {
      const { server, gateId } = await withProviderGate();
      const pending = await request(server)
        .post(`${BASE}/promote`)
        .set(as(BOB))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'staging', comment: 'for carol' });
      expect(pending.status).toBe(200);

      const forBob = await request(server)
        .get('/api/deployments/approvals')
        .set(as(BOB));
      expect(forBob.status).toBe(200);
      expect(forBob.body.gates.map((g: any) => g.id)).toEqual([gateId]);

      // alice asked for the gated deployment herself.
      const forAlice = await request(server)
        .get('/api/deployments/approvals')
        .set(as(ALICE));
      expect(forAlice.body.gates).toEqual([]);
    });

    it('lists nothing to a caller without deployments.approve', async () => {
      const started = await startDeployments({
        permissions: denyOnly('deployments.approve'),
      });
      await started.store.openGates(ENTITY_REF, started.provider.id, 'acme/payments-api', [
        {
          providerGateId: 'run-78:production',
          environment: 'production',
          version: { sha: S2 },
          reviewers: [],
          since: daysAgo(0.1),
        },
      ]);
      const response = await request(started.server)
        .get('/api/deployments/approvals')
        .set(as(BOB));
      expect(response.status).toBe(200);
      expect(response.body.gates).toEqual([]);
    });
  });

  describe('audit', () => {
    type Started = Awaited<ReturnType<typeof startDeployments>>;
    const A_SHA = expect.stringMatching(/^[0-9a-f]{40}$/);
    const act = (
      { server }: Started,
      user: string,
      action: 'promote' | 'rollback' | 'approve' | 'reject',
      body: object,
    ) =>
      request(server)
        .post(`${BASE}/${action}`)
        .set(as(user))
        .set('Idempotency-Key', idempotencyKey())
        .send(body);
    /** Alice asks to promote v1.1.0 into production; it waits for an approval. */
    const pendingProduction = async (started: Started) => {
      const held = await act(started, ALICE, 'promote', {
        environment: 'production',
        comment: 'release 1.1',
      });
      expect(held.status).toBe(202);
      return `stagecraft:${held.body.request.id}`;
    };

    it.each<{
      rule: string;
      status: number;
      deny?: string;
      /** Set where nothing names a version (a roll back with nothing to roll back to). */
      noVersion?: true;
      refuse: (started: Started) => Promise<request.Response>;
    }>([
      {
        rule: 'permission',
        status: 403,
        deny: 'deployments.promote',
        refuse: started =>
          act(started, ALICE, 'promote', { environment: 'staging' }),
      },
      {
        rule: 'permission',
        status: 403,
        deny: 'deployments.approve',
        refuse: async started =>
          act(started, BOB, 'approve', {
            gateId: await pendingProduction(started),
            comment: 'lgtm',
          }),
      },
      {
        rule: 'promotion-order',
        status: 422,
        refuse: started =>
          act(started, ALICE, 'promote', {
            environment: 'production',
            version: S3,
          }),
      },
      {
        rule: 'nothing-to-promote',
        status: 422,
        refuse: started =>
          act(started, ALICE, 'promote', {
            environment: 'staging',
            version: S2,
          }),
      },
      {
        rule: 'nothing-to-promote',
        status: 422,
        noVersion: true,
        refuse: started =>
          act(started, ALICE, 'rollback', { environment: 'production' }),
      },
      {
        rule: 'no-self-approval',
        status: 422,
        refuse: async started =>
          act(started, ALICE, 'approve', {
            gateId: await pendingProduction(started),
            comment: 'lgtm',
          }),
      },
      {
        rule: 'comment-required',
        status: 422,
        refuse: async started =>
          act(started, BOB, 'reject', {
            gateId: await pendingProduction(started),
            comment: ' ',
          }),
      },
      {
        rule: 'one-at-a-time',
        status: 409,
        refuse: async started => {
          await pendingProduction(started);
          return act(started, BOB, 'promote', { environment: 'production' });
        },
      },
      {
        rule: 'decided-once',
        status: 409,
        refuse: async started => {
          const gateId = await pendingProduction(started);
          await act(started, BOB, 'reject', { gateId, comment: 'freeze' });
          return act(started, BOB, 'approve', { gateId, comment: 'lgtm' });
        },
      },
    ])(
      'names the rule $rule in a $status refusal and audits it',
      async ({ rule, status, deny, noVersion, refuse }) => {
        const started = await startDeployments({
          permissions: deny ? denyOnly(deny) : undefined,
        });
        const response = await refuse(started);
        expect(response.status).toBe(status);
        expect(response.body.checks).toContainEqual(
          expect.objectContaining({ rule, passed: false }),
        );
        const [latest] = (
          await started.store.listAudit(ENTITY_REF, {}, { limit: 1 })
        ).entries;
        expect(latest).toMatchObject({
          outcome: 'refused',
          actor: expect.stringMatching(/^user:default\//),
          environment: expect.any(String),
        });
        expect(latest.version?.sha).toEqual(noVersion ? undefined : A_SHA);
        expect(latest.detail).toContain(
          rule === 'permission' ? `${deny} is not allowed` : `${rule}: `,
        );
        expect(started.provider.promoteCalls).toHaveLength(0);
      },
    );

    it('records who acted, through which identity, with what comment, version, environment and time, for each outcome', async () => {
      const started = await startDeployments();
      const since = new Date().toISOString();
      const gateId = await pendingProduction(started);
      await act(started, ALICE, 'approve', { gateId, comment: 'my own' });
      await act(started, BOB, 'approve', { gateId, comment: 'checked' });
      const second = await act(started, ALICE, 'promote', {
        environment: 'staging',
        comment: 'dev build',
      });
      expect(second.status).toBe(200);
      await act(started, BOB, 'rollback', {
        environment: 'staging',
        comment: 'undo',
      });
      started.provider.failures.promote = new Error('runner offline');
      await act(started, BOB, 'rollback', {
        environment: 'dev',
        comment: 'try again',
      });
      const held = await act(started, BOB, 'promote', {
        environment: 'production',
        comment: 'next',
      });
      await act(started, ALICE, 'reject', {
        gateId: `stagecraft:${held.body.request.id}`,
        comment: 'not today',
      });

      const { entries } = await started.store.listAudit(
        ENTITY_REF,
        {},
        { limit: 20 },
      );
      // The test provider adds no deployments: the ledger stays as it was.
      const v0 = expect.objectContaining({ sha: S1, tag: 'v1.0.0' });
      const v1 = expect.objectContaining({ sha: S2, tag: 'v1.1.0' });
      const v2 = expect.objectContaining({ sha: S3, tag: 'v1.2.0' });
      const row = (fields: object) =>
        expect.objectContaining({ at: expect.any(String), ...fields });
      expect(entries.reverse()).toEqual([
        row({
          outcome: 'requested',
          actor: ALICE,
          environment: 'production',
          version: v1,
          comment: 'release 1.1',
          requestId: expect.any(String),
        }),
        row({
          outcome: 'refused',
          actor: ALICE,
          environment: 'production',
          version: v1,
          comment: 'my own',
          detail: expect.stringContaining('no-self-approval'),
        }),
        row({
          outcome: 'approved',
          actor: BOB,
          environment: 'production',
          version: v1,
          comment: 'checked',
        }),
        row({
          outcome: 'executed',
          actor: BOB,
          environment: 'production',
          version: v1,
          comment: 'release 1.1',
          providerIdentity: 'test-app',
        }),
        row({
          outcome: 'executed',
          actor: ALICE,
          environment: 'staging',
          version: v2,
          comment: 'dev build',
          providerIdentity: 'test-app',
        }),
        row({
          outcome: 'executed',
          action: 'rollback',
          actor: BOB,
          environment: 'staging',
          version: v0,
          comment: 'undo',
          providerIdentity: 'test-app',
        }),
        row({
          outcome: 'failed',
          action: 'rollback',
          actor: BOB,
          environment: 'dev',
          version: v1,
          comment: 'try again',
          detail: 'test: runner offline',
        }),
        row({
          outcome: 'requested',
          actor: BOB,
          environment: 'production',
          version: v1,
          comment: 'next',
        }),
        row({
          outcome: 'rejected',
          actor: ALICE,
          environment: 'production',
          version: v1,
          comment: 'not today',
        }),
      ]);
      for (const entry of entries) {
        expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(
          Date.parse(since) - 1000,
        );
      }
    });

    it('pages the audit log as JSON and exports it as CSV', async () => {
      const { server } = await startDeployments();
      for (const comment of ['first', '=HYPERLINK("evil")']) {
        await request(server)
          .post(`${BASE}/promote`)
          .set(as(ALICE))
          .set('Idempotency-Key', idempotencyKey())
          .send({ environment: 'production', version: S3, comment });
      }
      const page = await request(server)
        .get(`${BASE}/audit?limit=1&outcome=refused`)
        .set(as(BOB));
      expect(page.status).toBe(200);
      expect(page.body.entries).toHaveLength(1);
      expect(page.body.entries[0].comment).toBe('=HYPERLINK("evil")');
      expect(page.body.nextCursor).toEqual(expect.any(String));

      const csv = await request(server)
        .get(`${BASE}/audit?format=csv`)
        .set(as(BOB));
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe(
        'at,entity,environment,action,outcome,actor,provider_identity,version_sha,version_tag,comment,request_id,detail',
      );
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain(`'=HYPERLINK(""evil"")`);
      expect(lines[2]).toContain(`${ENTITY_REF},production,promote,refused`);
    });
  });

  describe('webhooks', () => {
    const body = JSON.stringify({
      deliveryId: 'delivery-1',
      targetKey: 'acme/payments-api',
      deployments: [
        {
          providerDeploymentId: 'hook-1',
          environment: 'dev',
          version: { sha: '4'.repeat(40) },
          statuses: [{ state: 'success', at: new Date().toISOString() }],
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        },
      ],
    });

    it('answers 401 to a bad signature and writes nothing', async () => {
      const { server, store } = await startDeployments();
      const response = await request(server)
        .post('/api/deployments/webhooks/test')
        .set('Content-Type', 'application/json')
        .set(TEST_SIGNATURE_HEADER, 'sha256=forged')
        .send(body);
      expect(response.status).toBe(401);
      expect(await store.findVersion(ENTITY_REF, '4'.repeat(40))).toBe(
        undefined,
      );
      expect(await store.recordWebhookDelivery('test', 'delivery-1')).toBe(
        true,
      );
    });

    it('applies a signed delivery once and drops its redelivery', async () => {
      const { server, store, provider } = await startDeployments();
      await store.setTargets(provider.id, [
        {
          entityRef: ENTITY_REF,
          provider: provider.id,
          target: {
            key: 'acme/payments-api',
            routingKeys: ['acme/payments-api'],
            environments: 'all',
          },
        },
      ]);
      const deliver = () =>
        request(server)
          .post('/api/deployments/webhooks/test')
          .set('Content-Type', 'application/json')
          .set(TEST_SIGNATURE_HEADER, provider.sign(body))
          .send(body);
      const first = await deliver();
      expect(first.status).toBe(202);
      expect(first.body.status).toBe('accepted');
      expect(await store.findVersion(ENTITY_REF, '4'.repeat(40))).toEqual(
        expect.objectContaining({ sha: '4'.repeat(40) }),
      );
      const again = await deliver();
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ status: 'duplicate' });
    });

    it('answers 404 for a provider that is not installed', async () => {
      const { server } = await startDeployments();
      const response = await request(server)
        .post('/api/deployments/webhooks/gitlab')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(response.status).toBe(404);
    });
  });
});

describe.each(databases.eachSupportedId())(
  'deployments router on %p',
  databaseId => {
    it('runs an action once for the same Idempotency-Key and body', async () => {
      const { server, provider, store } = await startDeployments({
        databaseId,
      });
      const key = idempotencyKey();
      const send = () =>
        request(server)
          .post(`${BASE}/promote`)
          .set(as(ALICE))
          .set('Idempotency-Key', key)
          .send({ environment: 'staging', comment: 'once' });
      const first = await send();
      const second = await send();
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(provider.promoteCalls).toHaveLength(1);
      const { entries } = await store.listAudit(ENTITY_REF, {}, { limit: 10 });
      expect(entries.map(e => e.outcome)).toEqual(['executed']);

      const different = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', key)
        .send({ environment: 'staging', comment: 'another' });
      expect(different.status).toBe(422);
      expect(different.body.error.message).toContain(key);
    });

    it('answers 409 to a duplicate sent while the first is still running', async () => {
      const provider = new TestDeploymentProvider({ promoteDelayMs: 300 });
      const { server } = await startDeployments({ databaseId, provider });
      const key = idempotencyKey();
      const send = () =>
        request(server)
          .post(`${BASE}/promote`)
          .set(as(ALICE))
          .set('Idempotency-Key', key)
          .send({ environment: 'staging' });
      const statuses = (await Promise.all([send(), send()]))
        .map(r => r.status)
        .sort();
      expect(statuses).toEqual([200, 409]);
      expect(provider.promoteCalls).toHaveLength(1);
    });

    it('lets only one of two concurrent promotions of one environment run, and audits the refused one', async () => {
      const provider = new TestDeploymentProvider({ promoteDelayMs: 300 });
      const { server, store } = await startDeployments({
        databaseId,
        provider,
      });
      const promote = (user: string) =>
        request(server)
          .post(`${BASE}/promote`)
          .set(as(user))
          .set('Idempotency-Key', idempotencyKey())
          .send({ environment: 'staging', comment: `from ${user}` });
      const responses = await Promise.all([promote(ALICE), promote(BOB)]);
      expect(responses.map(r => r.status).sort()).toEqual([200, 409]);
      expect(provider.promoteCalls).toHaveLength(1);

      const refused = responses.find(r => r.status === 409)!;
      const winner = responses.find(r => r.status === 200)!;
      const conflict = `A promote request for ${ENTITY_REF} in 'staging' is already approved (request ${winner.body.request.id})`;
      expect(refused.body.error).toEqual({
        name: 'ConflictError',
        message: conflict,
      });
      expect(refused.body.checks).toContainEqual({
        rule: 'one-at-a-time',
        passed: false,
        message: conflict,
      });
      const loser = winner.body.request.requestedBy === ALICE ? BOB : ALICE;
      const { entries } = await store.listAudit(
        ENTITY_REF,
        { outcome: ['refused'] },
        { limit: 10 },
      );
      expect(entries).toEqual([
        expect.objectContaining({
          action: 'promote',
          actor: loser,
          environment: 'staging',
          version: expect.objectContaining({ sha: S3 }),
          comment: `from ${loser}`,
          detail: `one-at-a-time: ${conflict}`,
        }),
      ]);
    });

    it('decides a gate once when two reviewers approve at the same moment', async () => {
      const provider = new TestDeploymentProvider({ promoteDelayMs: 300 });
      const { server, store } = await startDeployments({
        databaseId,
        provider,
      });
      const promoted = await request(server)
        .post(`${BASE}/promote`)
        .set(as(ALICE))
        .set('Idempotency-Key', idempotencyKey())
        .send({ environment: 'production' });
      expect(promoted.status).toBe(202);
      const approve = (user: string) =>
        request(server)
          .post(`${BASE}/approve`)
          .set(as(user))
          .set('Idempotency-Key', idempotencyKey())
          .send({
            gateId: `stagecraft:${promoted.body.request.id}`,
            comment: `approved by ${user}`,
          });
      const responses = await Promise.all([
        approve(BOB),
        approve('user:default/carol'),
      ]);
      expect(responses.map(r => r.status).sort()).toEqual([200, 409]);
      expect(provider.promoteCalls).toHaveLength(1);
      const { entries } = await store.listAudit(
        ENTITY_REF,
        { action: ['approve'] },
        { limit: 10 },
      );
      expect(entries.map(e => e.outcome).sort()).toEqual([
        'approved',
        'refused',
      ]);
      expect(entries.find(e => e.outcome === 'refused')?.detail).toMatch(
        /^decided-once: /,
      );
    });
  },
);

/** A cursor of the wrong list: well-formed, but not a timeline position. */
const AUDIT_CURSOR = Buffer.from(
  JSON.stringify({ list: 'audit', position: { at: 1, id: 1 } }),
).toString('base64url');

interface BadInput {
  what: string;
  method?: 'get' | 'post';
  url: string;
  body?: string | object;
  headers?: Record<string, string>;
  status: number;
  /** Text the error message must contain: the field or value at fault. */
  names: string;
}

const badInputs: BadInput[] = [
  {
    what: 'an entity name with a space',
    url: '/api/deployments/entities/component/default/bad%20name/environments',
    status: 400,
    names: 'name',
  },
  {
    what: 'an entity kind with a $',
    url: '/api/deployments/entities/comp$nent/default/payments-api/timeline',
    status: 400,
    names: 'kind',
  },
  {
    what: 'a namespace of 64 characters',
    url: `/api/deployments/entities/component/${'n'.repeat(
      64,
    )}/payments-api/audit`,
    status: 400,
    names: 'namespace',
  },
  {
    what: 'an unknown query key on the lanes',
    url: `${BASE}/environments?colour=blue`,
    status: 400,
    names: 'colour',
  },
  {
    what: 'a zero limit',
    url: `${BASE}/timeline?limit=0`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a huge limit',
    url: `${BASE}/timeline?limit=100000`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a limit that is no number',
    url: `${BASE}/timeline?limit=ten`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a repeated limit',
    url: `${BASE}/timeline?limit=1&limit=2`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a malformed cursor',
    url: `${BASE}/timeline?cursor=not-a-cursor`,
    status: 400,
    names: 'cursor',
  },
  {
    what: 'a cursor of another list',
    url: `${BASE}/timeline?cursor=${AUDIT_CURSOR}`,
    status: 400,
    names: 'cursor',
  },
  {
    what: 'a word for a date',
    url: `${BASE}/timeline?since=yesterday`,
    status: 400,
    names: 'since',
  },
  {
    what: 'a date before year 1',
    url: `${BASE}/timeline?until=-010000-01-01T00:00:00Z`,
    status: 400,
    names: 'until',
  },
  {
    what: 'an environment off the path',
    url: `${BASE}/timeline?environment=qa`,
    status: 400,
    names: 'qa',
  },
  {
    what: 'a malformed environment',
    url: `${BASE}/timeline?environment=${encodeURIComponent('dev;drop')}`,
    status: 400,
    names: 'environment',
  },
  {
    what: 'an unknown timeline key',
    url: `${BASE}/timeline?colour=blue`,
    status: 400,
    names: 'colour',
  },
  {
    what: 'a diff without to',
    url: `${BASE}/diff?from=staging`,
    status: 400,
    names: 'to',
  },
  {
    what: 'a shell snippet as a version',
    url: `${BASE}/diff?from=staging&to=${encodeURIComponent('$(rm)')}`,
    status: 400,
    names: 'to',
  },
  {
    what: 'a version of 101 characters',
    url: `${BASE}/diff?from=${'a'.repeat(101)}&to=dev`,
    status: 400,
    names: 'from',
  },
  {
    what: 'an unknown version',
    url: `${BASE}/diff?from=staging&to=v9.9.9`,
    status: 400,
    names: "to 'v9.9.9'",
  },
  {
    what: 'an unknown diff key',
    url: `${BASE}/diff?from=staging&to=dev&colour=blue`,
    status: 400,
    names: 'colour',
  },
  {
    what: 'an unknown outcome',
    url: `${BASE}/audit?outcome=exploded`,
    status: 400,
    names: 'outcome',
  },
  {
    what: 'an unknown action',
    url: `${BASE}/audit?action=deploy`,
    status: 400,
    names: 'action',
  },
  {
    what: 'an unknown format',
    url: `${BASE}/audit?format=xml`,
    status: 400,
    names: 'format',
  },
  {
    what: 'an audit page over 500',
    url: `${BASE}/audit?limit=501`,
    status: 400,
    names: 'limit',
  },
  {
    what: 'a malformed audit cursor',
    url: `${BASE}/audit?cursor=${'x'.repeat(30)}`,
    status: 400,
    names: 'cursor',
  },
  {
    what: 'an audit date that is no date',
    url: `${BASE}/audit?since=2024-13-45`,
    status: 400,
    names: 'since',
  },
  {
    what: 'an actor of 201 characters',
    url: `${BASE}/audit?actor=${'a'.repeat(201)}`,
    status: 400,
    names: 'actor',
  },
  {
    what: 'an unknown approvals key',
    url: '/api/deployments/approvals?colour=blue',
    status: 400,
    names: 'colour',
  },
  {
    what: 'an action body that is not JSON',
    method: 'post',
    url: `${BASE}/promote`,
    body: '{"environment": staging',
    headers: { 'Content-Type': 'application/json' },
    status: 400,
    names: 'JSON',
  },
  {
    what: 'an action body sent as text',
    method: 'post',
    url: `${BASE}/promote`,
    body: '{"environment":"staging"}',
    headers: { 'Content-Type': 'text/plain' },
    status: 415,
    names: 'text/plain',
  },
  {
    what: 'an action body that is a list',
    method: 'post',
    url: `${BASE}/promote`,
    body: [],
    status: 400,
    names: 'object',
  },
  {
    what: 'an oversized action body',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', comment: 'x'.repeat(70_000) },
    status: 413,
    names: 'too large',
  },
  {
    what: 'an environment off the path',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'qa' },
    status: 400,
    names: "'qa'",
  },
  {
    what: 'an environment off the path for a roll back',
    method: 'post',
    url: `${BASE}/rollback`,
    body: { environment: 'qa' },
    status: 400,
    names: "'qa'",
  },
  {
    what: 'a malformed environment',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'prod uction' },
    status: 400,
    names: 'environment',
  },
  {
    what: 'an environment that is a number',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 3 },
    status: 400,
    names: 'environment',
  },
  {
    what: 'a malformed version',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', version: '$(rm)' },
    status: 400,
    names: 'version',
  },
  {
    what: 'an unknown version',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', version: 'v9.9.9' },
    status: 400,
    names: "'v9.9.9'",
  },
  {
    what: 'a roll back to a version that never ran there',
    method: 'post',
    url: `${BASE}/rollback`,
    body: { environment: 'staging', version: S3 },
    status: 400,
    names: S3,
  },
  {
    what: 'a comment over 2000 characters',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', comment: 'x'.repeat(2001) },
    status: 400,
    names: 'comment',
  },
  {
    what: 'an unknown body key',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging', colour: 'blue' },
    status: 400,
    names: 'colour',
  },
  {
    what: 'an unknown query key on an action',
    method: 'post',
    url: `${BASE}/promote?dryRun=true`,
    body: { environment: 'staging' },
    status: 400,
    names: 'dryRun',
  },
  {
    what: 'a missing Idempotency-Key',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging' },
    headers: { 'Idempotency-Key': '' },
    status: 400,
    names: 'Idempotency-Key',
  },
  {
    what: 'a malformed Idempotency-Key',
    method: 'post',
    url: `${BASE}/promote`,
    body: { environment: 'staging' },
    headers: { 'Idempotency-Key': 'key with spaces' },
    status: 400,
    names: 'Idempotency-Key',
  },
  {
    what: 'a decision without a gate',
    method: 'post',
    url: `${BASE}/approve`,
    body: { comment: 'lgtm' },
    status: 400,
    names: 'gateId',
  },
  {
    what: 'a decision without a comment',
    method: 'post',
    url: `${BASE}/reject`,
    body: { gateId: 'stagecraft:x' },
    status: 400,
    names: 'comment',
  },
  {
    what: 'an unknown portal gate',
    method: 'post',
    url: `${BASE}/approve`,
    body: {
      gateId: 'stagecraft:00000000-0000-0000-0000-000000000000',
      comment: 'lgtm',
    },
    status: 404,
    names: 'stagecraft:00000000',
  },
  {
    what: 'an unknown provider gate',
    method: 'post',
    url: `${BASE}/reject`,
    body: { gateId: 'test:run-1:production', comment: 'no' },
    status: 404,
    names: 'test:run-1:production',
  },
  {
    what: 'a webhook of an unknown provider',
    method: 'post',
    url: '/api/deployments/webhooks/gitlab',
    body: {},
    status: 404,
    names: 'gitlab',
  },
  {
    what: 'an unsigned webhook',
    method: 'post',
    url: '/api/deployments/webhooks/test',
    body: { deliveryId: 'd-1' },
    status: 401,
    names: 'signature',
  },
];

describe.each(databases.eachSupportedId())('bad input on %p', databaseId => {
  let started: Awaited<ReturnType<typeof startDeployments>>;
  beforeAll(async () => {
    started = await startDeployments({ databaseId });
  });

  /** Everything a request could write: the audit log, requests, idempotency keys. */
  async function written() {
    const { knex, provider } = started;
    const count = async (table: string) =>
      Number((await knex(table).count({ n: '*' }))[0].n);
    return {
      audit: await count('audit_log'),
      requests: await count('promotion_requests'),
      keys: await count('idempotency_keys'),
      deliveries: await count('webhook_deliveries'),
      providerCalls: provider.promoteCalls.length + provider.reviewCalls.length,
    };
  }

  it.each(badInputs.map(input => [input.what, input] as const))(
    'answers %s with a 4xx that names it and writes nothing',
    async (_what, input) => {
      const before = await written();
      const call = request(started.server)
        [input.method ?? 'get'](input.url)
        .set(as(ALICE));
      if (input.method === 'post' && !input.url.includes('/webhooks/')) {
        call.set('Idempotency-Key', idempotencyKey());
      }
      for (const [name, value] of Object.entries(input.headers ?? {})) {
        call.set(name, value);
      }
      const response = await (input.body === undefined
        ? call
        : call.send(input.body as object));
      expect({
        status: response.status,
        message: response.body.error?.message,
      }).toEqual({
        status: input.status,
        message: expect.stringContaining(input.names),
      });
      expect(response.body.error.stack).toBeUndefined();
      expect(await written()).toEqual(before);
    },
  );
});
