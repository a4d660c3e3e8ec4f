import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  ProviderDeployment,
  ProviderGate,
} from '@stagecraft/plugin-deployments-node';
import type { DeploymentStatusEntry } from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import { KnexDeploymentStore } from './KnexDeploymentStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ENTITY = 'component:default/payments-api';
const OTHER = 'component:default/ledger-worker';
const PATH = ['dev', 'staging', 'production'];

const sha = (n: number) => n.toString(16).padStart(40, '0');
const at = (minute: number) =>
  new Date(Date.UTC(2026, 10, 1, 12, minute)).toISOString();

function status(
  state: DeploymentStatusEntry['state'],
  minute: number,
): DeploymentStatusEntry {
  return { state, at: at(minute) };
}

function report(
  id: string,
  overrides: Partial<ProviderDeployment> = {},
): ProviderDeployment {
  return {
    providerDeploymentId: id,
    environment: 'dev',
    version: { sha: sha(1), tag: 'v1.0.0', message: 'First release' },
    statuses: [
      status('queued', 0),
      status('in_progress', 1),
      status('success', 2),
    ],
    createdAt: at(0),
    updatedAt: at(2),
    triggeredBy: 'alice',
    url: `https://example.com/runs/${id}`,
    ...overrides,
  };
}

function gate(id: string, overrides: Partial<ProviderGate> = {}): ProviderGate {
  return {
    providerGateId: id,
    environment: 'production',
    version: { sha: sha(1), tag: 'v1.0.0' },
    reviewers: [{ type: 'team', name: 'team-payments' }],
    since: at(5),
    details: { runId: '812' },
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())(
  'KnexDeploymentStore on %p',
  databaseId => {
    let knex: Knex;
    let store: KnexDeploymentStore;

    async function createStore(id: TestDatabaseId) {
      knex = await databases.init(id);
      store = await KnexDeploymentStore.create({
        database: { getClient: async () => knex },
      });
    }

    beforeEach(async () => {
      await createStore(databaseId);
    });

    describe('migrations', () => {
      it('can be rolled back completely and applied again', async () => {
        const directory = resolvePackagePath(
          '@stagecraft/plugin-deployments-backend',
          'migrations',
        );
        await knex.migrate.rollback({ directory }, true);
        expect(await knex.schema.hasTable('deployments')).toBe(false);
        expect(await knex.schema.hasTable('audit_log')).toBe(false);
        await knex.migrate.latest({ directory });
        expect(await knex.schema.hasTable('deployments')).toBe(true);
        expect(await knex.schema.hasTable('promotion_requests')).toBe(true);
      });

      it('skips migrations when the database says so', async () => {
        const fresh = await databases.init(databaseId);
        await KnexDeploymentStore.create({
          database: {
            getClient: async () => fresh,
            migrations: { skip: true },
          },
        });
        expect(await fresh.schema.hasTable('deployments')).toBe(false);
      });
    });

    describe('upsertDeployments', () => {
      it('inserts deployments with their status history', async () => {
        await expect(
          store.upsertDeployments(ENTITY, 'github', [report('1'), report('2')]),
        ).resolves.toEqual({ inserted: 2, updated: 0 });

        const stored = await store.getDeployment('github:1');
        expect(stored).toEqual({
          id: 'github:1',
          provider: 'github',
          providerDeploymentId: '1',
          entityRef: ENTITY,
          environment: 'dev',
          version: { sha: sha(1), tag: 'v1.0.0', message: 'First release' },
          state: 'success',
          statuses: [
            status('queued', 0),
            status('in_progress', 1),
            status('success', 2),
          ],
          createdAt: at(0),
          updatedAt: at(2),
          finishedAt: at(2),
          triggeredBy: 'alice',
          url: 'https://example.com/runs/1',
        });
      });

      it('changes nothing when the same data is replayed', async () => {
        await store.upsertDeployments(ENTITY, 'github', [report('1')]);
        const before = await store.getDeployment('github:1');

        await expect(
          store.upsertDeployments(ENTITY, 'github', [report('1'), report('1')]),
        ).resolves.toEqual({ inserted: 0, updated: 0 });

        expect(await store.getDeployment('github:1')).toEqual(before);
        const [{ count }] = await knex('deployment_statuses').count({
          count: '*',
        });
        expect(Number(count)).toBe(3);
      });

      it('merges overlapping status histories without duplicates', async () => {
        await store.upsertDeployments(ENTITY, 'github', [
          report('1', {
            statuses: [status('queued', 0), status('in_progress', 1)],
          }),
        ]);
        await expect(
          store.upsertDeployments(ENTITY, 'github', [
            report('1', {
              statuses: [status('in_progress', 1), status('success', 2)],
            }),
          ]),
        ).resolves.toEqual({ inserted: 0, updated: 1 });

        const stored = await store.getDeployment('github:1');
        expect(stored?.statuses.map(s => s.state)).toEqual([
          'queued',
          'in_progress',
          'success',
        ]);
        expect(stored?.state).toBe('success');
      });

      it('keeps the newest status as the state when older statuses arrive late', async () => {
        await store.upsertDeployments(ENTITY, 'github', [
          report('1', { statuses: [status('failure', 9)] }),
        ]);
        await store.upsertDeployments(ENTITY, 'github', [
          report('1', {
            statuses: [status('queued', 0), status('in_progress', 1)],
          }),
        ]);

        const stored = await store.getDeployment('github:1');
        expect(stored?.state).toBe('failure');
        expect(stored?.finishedAt).toBe(at(9));
        expect(stored?.statuses.map(s => s.state)).toEqual([
          'queued',
          'in_progress',
          'failure',
        ]);
      });

      it('merges two concurrent reports of the same new deployment', async () => {
        // A webhook and a poll report the same deployment at the same moment.
        const results = await Promise.all([
          store.upsertDeployments(ENTITY, 'github', [
            report('1', {
              statuses: [status('queued', 0), status('in_progress', 1)],
            }),
          ]),
          store.upsertDeployments(ENTITY, 'github', [
            report('1', { statuses: [status('success', 2)] }),
          ]),
        ]);
        expect(results.map(r => r.inserted).sort()).toEqual([0, 1]);
        const stored = await store.getDeployment('github:1');
        expect(stored?.state).toBe('success');
        expect(stored?.statuses.map(s => s.state)).toEqual([
          'queued',
          'in_progress',
          'success',
        ]);
      });

      it('records a deployment without statuses as queued', async () => {
        await store.upsertDeployments(ENTITY, 'github', [
          report('1', { statuses: [] }),
        ]);
        const stored = await store.getDeployment('github:1');
        expect(stored?.state).toBe('queued');
        expect(stored?.finishedAt).toBeUndefined();
      });

      it('keeps fields that a later, thinner report leaves out', async () => {
        await store.upsertDeployments(ENTITY, 'aws', [
          report('d-1', { strategy: { type: 'canary', trafficPercent: 10 } }),
        ]);
        await store.upsertDeployments(ENTITY, 'aws', [
          report('d-1', {
            triggeredBy: undefined,
            url: undefined,
            strategy: { type: 'canary', trafficPercent: 100 },
            updatedAt: at(30),
          }),
        ]);
        const stored = await store.getDeployment('aws:d-1');
        expect(stored?.triggeredBy).toBe('alice');
        expect(stored?.url).toBe('https://example.com/runs/d-1');
        expect(stored?.strategy).toEqual({
          type: 'canary',
          trafficPercent: 100,
        });
        expect(stored?.updatedAt).toBe(at(30));
      });

      it('refuses a report with an unknown state, naming it', async () => {
        await expect(
          store.upsertDeployments(ENTITY, 'github', [
            report('1', {
              statuses: [{ state: 'exploded' as any, at: at(1) }],
            }),
          ]),
        ).rejects.toThrow(/unknown state 'exploded'/);
        expect(await store.getDeployment('github:1')).toBeUndefined();
      });

      it('ingests more deployments than one batch holds', async () => {
        const many = Array.from({ length: 1203 }, (_, i) =>
          report(String(i), {
            version: { sha: sha(i % 50) },
            createdAt: at(i % 60),
          }),
        );
        await expect(
          store.upsertDeployments(ENTITY, 'github', many),
        ).resolves.toEqual({ inserted: 1203, updated: 0 });
        const [{ count }] = await knex('versions').count({ count: '*' });
        expect(Number(count)).toBe(50);
      });
    });

    describe('getEnvironmentStates', () => {
      it('takes the newest successful deployment as current, not the newest attempt', async () => {
        await store.upsertDeployments(ENTITY, 'github', [
          report('1', {
            environment: 'production',
            version: { sha: sha(1) },
            createdAt: at(0),
            statuses: [status('success', 2)],
          }),
          report('2', {
            environment: 'production',
            version: { sha: sha(2) },
            createdAt: at(10),
            statuses: [status('success', 12)],
          }),
          report('3', {
            environment: 'production',
            version: { sha: sha(3) },
            createdAt: at(20),
            statuses: [status('failure', 22)],
          }),
        ]);

        const states = await store.getEnvironmentStates(ENTITY, PATH);
        expect(states.production.current?.id).toBe('github:2');
        expect(states.production.latest?.id).toBe('github:3');
        expect(states.production.latest?.statuses).toEqual([
          status('failure', 22),
        ]);
        expect(states.dev).toEqual({});
      });

      it('does not see other entities', async () => {
        await store.upsertDeployments(OTHER, 'github', [report('1')]);
        const states = await store.getEnvironmentStates(ENTITY, ['dev']);
        expect(states.dev.current).toBeUndefined();
      });
    });

    describe('getTimeline', () => {
      beforeEach(async () => {
        // Versions 1..5 appear a minute apart; each reaches dev, the odd ones staging.
        const reports: ProviderDeployment[] = [];
        for (let v = 1; v <= 5; v++) {
          reports.push(
            report(`dev-${v}`, {
              version: { sha: sha(v), tag: `v${v}` },
              createdAt: at(v),
              statuses: [status('success', v + 1)],
            }),
          );
          if (v % 2 === 1) {
            reports.push(
              report(`stg-${v}-a`, {
                environment: 'staging',
                version: { sha: sha(v) },
                createdAt: at(v + 10),
                statuses: [status('failure', v + 11)],
              }),
              report(`stg-${v}-b`, {
                environment: 'staging',
                version: { sha: sha(v) },
                createdAt: at(v + 20),
                statuses: [status('success', v + 23)],
              }),
            );
          }
        }
        await store.upsertDeployments(ENTITY, 'github', reports);
      });

      it('pages versions newest first with a cell per environment', async () => {
        const first = await store.getTimeline(ENTITY, {
          environments: PATH,
          limit: 2,
        });
        expect(first.rows.map(r => r.version.tag)).toEqual(['v5', 'v4']);
        expect(first.rows[0].firstSeenAt).toBe(at(5));
        expect(first.rows[0].cells).toEqual({
          dev: {
            deploymentId: 'github:dev-5',
            state: 'success',
            startedAt: at(5),
            finishedAt: at(6),
            durationSeconds: 60,
            triggeredBy: 'alice',
            url: 'https://example.com/runs/dev-5',
            attempts: 1,
          },
          staging: expect.objectContaining({
            deploymentId: 'github:stg-5-b',
            state: 'success',
            attempts: 2,
          }),
          production: undefined,
        });
        expect(first.nextCursor).toEqual(expect.any(String));

        const second = await store.getTimeline(ENTITY, {
          environments: PATH,
          limit: 2,
          cursor: first.nextCursor,
        });
        expect(second.rows.map(r => r.version.tag)).toEqual(['v3', 'v2']);
        const third = await store.getTimeline(ENTITY, {
          environments: PATH,
          limit: 2,
          cursor: second.nextCursor,
        });
        expect(third.rows.map(r => r.version.tag)).toEqual(['v1']);
        expect(third.nextCursor).toBeUndefined();
      });

      it('filters by environment and time', async () => {
        const staging = await store.getTimeline(ENTITY, {
          environments: ['staging'],
          limit: 10,
        });
        expect(staging.rows.map(r => r.version.tag)).toEqual([
          'v5',
          'v3',
          'v1',
        ]);
        expect(Object.keys(staging.rows[0].cells)).toEqual(['staging']);

        const window = await store.getTimeline(ENTITY, {
          environments: PATH,
          limit: 10,
          since: at(2),
          until: at(4),
        });
        expect(window.rows.map(r => r.version.tag)).toEqual(['v4', 'v3', 'v2']);
      });

      it('refuses a malformed cursor with an InputError', async () => {
        for (const cursor of [
          'not a cursor',
          Buffer.from('{"list":"audit","position":{"at":1,"id":1}}').toString(
            'base64url',
          ),
          Buffer.from('{"list":"timeline","position":{"sha":"zz"}}').toString(
            'base64url',
          ),
          'eyJsaXN0Ijoi',
        ]) {
          await expect(
            store.getTimeline(ENTITY, { environments: PATH, limit: 2, cursor }),
          ).rejects.toThrow(InputError);
        }
      });

      it('refuses an invalid time filter or page size', async () => {
        await expect(
          store.getTimeline(ENTITY, {
            environments: PATH,
            limit: 2,
            since: 'yesterday',
          }),
        ).rejects.toThrow("Invalid time 'yesterday' for since");
        await expect(
          store.getTimeline(ENTITY, { environments: PATH, limit: 0 }),
        ).rejects.toThrow(InputError);
      });
    });

    describe('version look-ups', () => {
      beforeEach(async () => {
        await store.upsertDeployments(ENTITY, 'github', [
          report('1', {
            environment: 'staging',
            version: {
              sha: 'abcdef1234567890abcdef1234567890abcdef12',
              tag: 'v2.0.0',
            },
            createdAt: at(0),
            statuses: [status('success', 1), status('inactive', 30)],
          }),
          report('2', {
            environment: 'staging',
            version: { sha: 'abcdef1999999999999999999999999999999999' },
            createdAt: at(20),
            statuses: [status('success', 21)],
          }),
          report('3', {
            environment: 'staging',
            version: { sha: sha(3) },
            createdAt: at(40),
            statuses: [status('failure', 41)],
          }),
        ]);
      });

      it('finds a version by tag, full SHA or unambiguous short SHA', async () => {
        await expect(store.findVersion(ENTITY, 'v2.0.0')).resolves.toEqual({
          sha: 'abcdef1234567890abcdef1234567890abcdef12',
          tag: 'v2.0.0',
        });
        await expect(store.findVersion(ENTITY, 'abcdef12345')).resolves.toEqual(
          expect.objectContaining({ tag: 'v2.0.0' }),
        );
        await expect(
          store.findVersion(ENTITY, 'v9.9.9'),
        ).resolves.toBeUndefined();
        await expect(
          store.findVersion(OTHER, 'v2.0.0'),
        ).resolves.toBeUndefined();
        await expect(store.findVersion(ENTITY, 'abcdef1')).rejects.toThrow(
          /ambiguous/,
        );
      });

      it('counts a superseded success as succeeded, a failure not', async () => {
        await expect(
          store.hasSucceeded(
            ENTITY,
            'staging',
            'abcdef1234567890abcdef1234567890abcdef12',
          ),
        ).resolves.toBe(true);
        await expect(
          store.hasSucceeded(ENTITY, 'staging', sha(3)),
        ).resolves.toBe(false);
        await expect(
          store.hasSucceeded(
            ENTITY,
            'production',
            'abcdef1234567890abcdef1234567890abcdef12',
          ),
        ).resolves.toBe(false);
      });

      it('finds the previous successful version as the roll-back target', async () => {
        await expect(
          store.previousSuccessfulVersion(ENTITY, 'staging'),
        ).resolves.toEqual({
          sha: 'abcdef1234567890abcdef1234567890abcdef12',
          tag: 'v2.0.0',
        });
        await expect(
          store.previousSuccessfulVersion(ENTITY, 'production'),
        ).resolves.toBeUndefined();
      });
    });

    describe('gates', () => {
      it('replaces the open gates of one entity and provider', async () => {
        await store.replaceOpenGates(ENTITY, 'github', [gate('1'), gate('2')]);
        await store.replaceOpenGates(OTHER, 'github', [gate('9')]);
        await store.replaceOpenGates(ENTITY, 'github', [
          gate('2', { since: at(7) }),
        ]);

        const gates = await store.listOpenGates(ENTITY);
        expect(gates).toEqual([
          {
            id: 'github:2',
            kind: 'provider',
            provider: 'github',
            entityRef: ENTITY,
            environment: 'production',
            version: { sha: sha(1), tag: 'v1.0.0' },
            reviewers: [{ type: 'team', name: 'team-payments' }],
            since: at(7),
            details: { runId: '812' },
          },
        ]);
        // Across entities, oldest first.
        expect((await store.listOpenGates()).map(g => g.id)).toEqual([
          'github:9',
          'github:2',
        ]);

        await store.replaceOpenGates(ENTITY, 'github', []);
        expect(await store.listOpenGates(ENTITY)).toEqual([]);
      });

      it('opens and closes single gates', async () => {
        await store.openGates(ENTITY, 'github', [gate('1')]);
        await store.openGates(ENTITY, 'github', [gate('1'), gate('2')]);
        expect(await store.getGate('github:1')).toEqual(
          expect.objectContaining({
            id: 'github:1',
            details: { runId: '812' },
          }),
        );
        await store.closeGates(ENTITY, 'github', ['1']);
        expect(await store.getGate('github:1')).toBeUndefined();
        expect((await store.listOpenGates(ENTITY)).map(g => g.id)).toEqual([
          'github:2',
        ]);
        await expect(store.getGate('nonsense')).resolves.toBeUndefined();
      });
    });

    describe('targets and webhooks', () => {
      it('routes a target key to the entities that use it', async () => {
        await store.setTargets('github', [
          { entityRef: ENTITY, targetKey: 'acme/payments' },
          { entityRef: OTHER, targetKey: 'acme/payments' },
          { entityRef: OTHER, targetKey: 'acme/payments' },
        ]);
        await store.setTargets('aws', [
          { entityRef: ENTITY, targetKey: 'stack' },
        ]);
        expect(
          await store.entitiesForTarget('github', 'acme/payments'),
        ).toEqual([OTHER, ENTITY]);

        await store.setTargets('github', [
          { entityRef: ENTITY, targetKey: 'acme/payments-v2' },
        ]);
        expect(
          await store.entitiesForTarget('github', 'acme/payments'),
        ).toEqual([]);
        expect(await store.entitiesForTarget('aws', 'stack')).toEqual([ENTITY]);
      });

      it('reports a webhook delivery seen before as a duplicate', async () => {
        await expect(
          store.recordWebhookDelivery('github', 'hook:1'),
        ).resolves.toBe(true);
        await expect(
          store.recordWebhookDelivery('github', 'hook:1'),
        ).resolves.toBe(false);
        await expect(
          store.recordWebhookDelivery('aws', 'hook:1'),
        ).resolves.toBe(true);

        // A delivery whose processing failed is forgotten, so a redelivery runs.
        await store.forgetWebhookDelivery('github', 'hook:1');
        await expect(
          store.recordWebhookDelivery('github', 'hook:1'),
        ).resolves.toBe(true);
      });
    });

    describe('sync state', () => {
      it('keeps the cursor and the last success through a failure', async () => {
        const first = new Date(at(0));
        await store.recordSyncSuccess({
          entityRef: ENTITY,
          provider: 'github',
          cursor: 'etag-1',
          at: first,
        });
        await store.recordSyncFailure({
          entityRef: ENTITY,
          provider: 'github',
          error: 'GitHub answered 502',
          at: new Date(at(5)),
        });

        expect(await store.getSyncState(ENTITY, 'github')).toEqual({
          cursor: 'etag-1',
          lastSuccessAt: at(0),
          lastAttemptAt: at(5),
          lastError: 'GitHub answered 502',
          lastErrorAt: at(5),
        });
        expect(await store.listSyncStatus(ENTITY)).toEqual([
          {
            provider: 'github',
            lastSuccessAt: at(0),
            lastAttemptAt: at(5),
            lastError: 'GitHub answered 502',
            lastErrorAt: at(5),
            stale: true,
          },
        ]);

        await store.recordSyncSuccess({
          entityRef: ENTITY,
          provider: 'github',
          cursor: 'etag-2',
          at: new Date(at(10)),
        });
        expect(await store.listSyncStatus(ENTITY)).toEqual([
          {
            provider: 'github',
            lastSuccessAt: at(10),
            lastAttemptAt: at(10),
            stale: false,
          },
        ]);
        expect(await store.getSyncState(OTHER, 'github')).toBeUndefined();
      });

      it('records a failure of an entity that never synced', async () => {
        await store.recordSyncFailure({
          entityRef: ENTITY,
          provider: 'aws',
          error: 'AccessDenied',
          at: new Date(at(1)),
        });
        expect(await store.listSyncStatus(ENTITY)).toEqual([
          expect.objectContaining({ provider: 'aws', stale: true }),
        ]);
      });
    });

    describe('diff cache', () => {
      it('returns a stored comparison for the same commits only', async () => {
        const diff = {
          status: 'ahead' as const,
          aheadBy: 1,
          behindBy: 0,
          totalCommits: 1,
          commits: [],
          files: [],
          additions: 3,
          deletions: 1,
        };
        await store.putCachedDiff(ENTITY, 'github', sha(1), sha(2), diff);
        await store.putCachedDiff(ENTITY, 'github', sha(1), sha(2), diff);
        await expect(
          store.getCachedDiff(ENTITY, 'github', sha(1), sha(2)),
        ).resolves.toEqual(diff);
        await expect(
          store.getCachedDiff(ENTITY, 'github', sha(2), sha(1)),
        ).resolves.toBeUndefined();
      });
    });

    describe('promotion requests', () => {
      const newRequest = {
        entityRef: ENTITY,
        action: 'promote' as const,
        environment: 'production',
        version: { sha: sha(1), tag: 'v1.0.0' },
        requestedBy: 'user:default/alice',
        comment: 'ship it',
        state: 'pending' as const,
      };

      it('allows one active request per entity and environment', async () => {
        const first = await store.createRequest(newRequest);
        expect(first).toEqual(
          expect.objectContaining({
            id: expect.any(String),
            state: 'pending',
            requestedBy: 'user:default/alice',
            version: { sha: sha(1), tag: 'v1.0.0' },
          }),
        );

        const second = store.createRequest({
          ...newRequest,
          state: 'approved',
        });
        await expect(second).rejects.toThrow(ConflictError);
        await expect(
          store.createRequest({ ...newRequest, state: 'approved' }),
        ).rejects.toThrow(`(request ${first.id})`);
        await expect(
          store.createRequest({ ...newRequest, environment: 'staging' }),
        ).resolves.toEqual(expect.objectContaining({ environment: 'staging' }));
      });

      it('lets two concurrent promotions race and exactly one win', async () => {
        const results = await Promise.allSettled([
          store.createRequest(newRequest),
          store.createRequest(newRequest),
        ]);
        expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
        const [lost] = results.filter(
          (r): r is PromiseRejectedResult => r.status === 'rejected',
        );
        expect(lost.reason).toBeInstanceOf(ConflictError);
      });

      it('frees the slot once a request is decided', async () => {
        const first = await store.createRequest(newRequest);
        const approved = await store.updateRequest(first.id, {
          state: 'approved',
          decidedBy: 'user:default/bob',
          decidedAt: at(3),
          decisionComment: 'looks good',
        });
        expect(approved).toEqual(
          expect.objectContaining({
            state: 'approved',
            decidedBy: 'user:default/bob',
            decidedAt: at(3),
          }),
        );
        await expect(store.createRequest(newRequest)).rejects.toThrow(
          ConflictError,
        );

        await store.updateRequest(first.id, {
          state: 'executed',
          providerReference: 'run-99',
        });
        expect(await store.getRequest(first.id)).toEqual(
          expect.objectContaining({
            state: 'executed',
            providerReference: 'run-99',
            decisionComment: 'looks good',
          }),
        );
        await expect(store.createRequest(newRequest)).resolves.toBeDefined();
      });

      it('lists pending requests per entity or across entities', async () => {
        const a = await store.createRequest(newRequest);
        const b = await store.createRequest({
          ...newRequest,
          entityRef: OTHER,
        });
        await store.createRequest({
          ...newRequest,
          environment: 'staging',
          state: 'approved',
        });
        expect(
          (await store.listPendingRequests(ENTITY)).map(r => r.id),
        ).toEqual([a.id]);
        expect(
          (await store.listPendingRequests()).map(r => r.id).sort(),
        ).toEqual([a.id, b.id].sort());
      });

      it('refuses to update a request that does not exist', async () => {
        await expect(
          store.updateRequest('b3f7a7d2-0000-4000-8000-000000000000', {
            state: 'failed',
          }),
        ).rejects.toThrow(NotFoundError);
      });
    });

    describe('idempotency keys', () => {
      it('walks through new, in progress, replay and mismatch', async () => {
        await expect(
          store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'new' });
        await expect(
          store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'in-progress' });
        await expect(
          store.claimIdempotencyKey('promote', 'key-1', 'fp-b'),
        ).resolves.toEqual({ status: 'mismatch' });

        await store.completeIdempotencyKey('promote', 'key-1', 202, {
          request: { id: 'r1' },
        });
        await expect(
          store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({
          status: 'replay',
          statusCode: 202,
          response: { request: { id: 'r1' } },
        });
        await expect(
          store.claimIdempotencyKey('approve', 'key-1', 'fp-b'),
        ).resolves.toEqual({ status: 'new' });
      });

      it('lets a retry run after a release', async () => {
        await store.claimIdempotencyKey('promote', 'key-1', 'fp-a');
        await store.releaseIdempotencyKey('promote', 'key-1');
        await expect(
          store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'new' });
      });

      it('does not release a completed key', async () => {
        await store.claimIdempotencyKey('promote', 'key-1', 'fp-a');
        await store.completeIdempotencyKey('promote', 'key-1', 200, {
          ok: true,
        });
        await store.releaseIdempotencyKey('promote', 'key-1');
        await expect(
          store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual(expect.objectContaining({ status: 'replay' }));
      });

      it('hands over a claim abandoned in progress for long', async () => {
        await store.claimIdempotencyKey('promote', 'key-1', 'fp-a');
        await knex('idempotency_keys')
          .where({ key: 'key-1' })
          .update({ updated_at: new Date(Date.now() - 60 * 60 * 1000) });
        await expect(
          store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'new' });
        await expect(
          store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'in-progress' });
      });
    });

    describe('audit log', () => {
      const entry = (minute: number, overrides: object = {}) => ({
        at: at(minute),
        entityRef: ENTITY,
        action: 'promote' as const,
        outcome: 'executed' as const,
        actor: 'user:default/alice',
        environment: 'staging',
        version: { sha: sha(minute), tag: `v${minute}` },
        ...overrides,
      });

      it('appends entries and returns them with id and time', async () => {
        const appended = await store.appendAudit({
          ...entry(1),
          providerIdentity: 'github-app:12345',
          comment: 'ship it',
          requestId: 'r1',
        });
        expect(appended).toEqual({
          id: expect.any(String),
          at: at(1),
          entityRef: ENTITY,
          action: 'promote',
          outcome: 'executed',
          actor: 'user:default/alice',
          providerIdentity: 'github-app:12345',
          environment: 'staging',
          version: { sha: sha(1), tag: 'v1' },
          comment: 'ship it',
          requestId: 'r1',
        });
        const { entries } = await store.listAudit(ENTITY, {}, { limit: 10 });
        expect(entries).toEqual([appended]);

        const { at: _omitted, ...withoutTime } = entry(0);
        const stamped = await store.appendAudit(withoutTime);
        expect(Date.now() - Date.parse(stamped.at)).toBeLessThan(60_000);
      });

      it('pages newest first, also through entries with the same time', async () => {
        for (const minute of [1, 2, 2, 2, 3]) {
          await store.appendAudit(entry(minute));
        }
        await store.appendAudit(entry(9, { entityRef: OTHER }));
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listAudit(ENTITY, {}, { limit: 2, cursor });
          seen.push(...page.entries.map(e => `${e.at}#${e.id}`));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toHaveLength(5);
        expect(new Set(seen).size).toBe(5);
        expect(seen.map(s => s.split('#')[0])).toEqual([
          at(3),
          at(2),
          at(2),
          at(2),
          at(1),
        ]);
      });

      it('filters by environment, action, outcome, actor and time', async () => {
        await store.appendAudit(entry(1));
        await store.appendAudit(
          entry(2, { environment: 'production', outcome: 'refused' }),
        );
        await store.appendAudit(
          entry(3, { action: 'approve', actor: 'user:default/bob' }),
        );
        await store.appendAudit(
          entry(4, { action: 'rollback', environment: 'production' }),
        );

        const tags = async (filters: object) =>
          (await store.listAudit(ENTITY, filters, { limit: 50 })).entries.map(
            e => e.version?.tag,
          );
        expect(await tags({ environment: ['production'] })).toEqual([
          'v4',
          'v2',
        ]);
        expect(await tags({ action: ['approve', 'rollback'] })).toEqual([
          'v4',
          'v3',
        ]);
        expect(await tags({ outcome: ['refused'] })).toEqual(['v2']);
        expect(await tags({ actor: 'user:default/bob' })).toEqual(['v3']);
        expect(await tags({ since: at(2), until: at(3) })).toEqual([
          'v3',
          'v2',
        ]);
      });

      it('refuses a malformed cursor with an InputError', async () => {
        await expect(
          store.listAudit(ENTITY, {}, { limit: 2, cursor: '!!' }),
        ).rejects.toThrow(InputError);
      });
    });
  },
);
