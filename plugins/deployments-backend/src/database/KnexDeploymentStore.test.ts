import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { KnexDeploymentStore } from './KnexDeploymentStore';
import {
  ENTITY,
  OTHER,
  at,
  gate,
  report,
  sha,
  status,
  storeTestDatabases,
  useStore,
} from './__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexDeploymentStore on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('migrations', () => {
      it('can be rolled back completely and applied again', async () => {
        const directory = resolvePackagePath(
          '@stagecraft/plugin-deployments-backend',
          'migrations',
        );
        await db.knex.migrate.rollback({ directory }, true);
        expect(await db.knex.schema.hasTable('deployments')).toBe(false);
        expect(await db.knex.schema.hasTable('audit_log')).toBe(false);
        await db.knex.migrate.latest({ directory });
        expect(await db.knex.schema.hasTable('deployments')).toBe(true);
        expect(await db.knex.schema.hasTable('promotion_requests')).toBe(true);
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

    describe('store v2 migration', () => {
      const directory = resolvePackagePath(
        '@stagecraft/plugin-deployments-backend',
        'migrations',
      );

      /** A database at the init migration, holding what v1 wrote. */
      async function v1Database() {
        const knex = await databases.init(databaseId);
        await knex.migrate.up({ directory, name: '20261126000000_init.js' });
        const [{ id }] = await knex('deployments')
          .insert({
            provider: 'github',
            provider_deployment_id: '812',
            entity_ref: ENTITY,
            environment: 'production',
            sha: sha(1),
            tag: 'v1.0.0',
            message: null,
            version_url: null,
            state: 'success',
            state_at: new Date(at(2)),
            created_at: new Date(at(0)),
            updated_at: new Date(at(2)),
            finished_at: new Date(at(2)),
            triggered_by: 'alice',
            url: 'https://example.com/runs/812',
            log_url: null,
            description: null,
            strategy: 'canary',
            traffic_percent: 100,
          })
          .returning(['id']);
        await knex('deployment_statuses').insert([
          { deployment_id: id, state: 'queued', at: new Date(at(0)) },
          { deployment_id: id, state: 'success', at: new Date(at(2)) },
        ]);
        await knex('versions').insert({
          entity_ref: ENTITY,
          sha: sha(1),
          tag: 'v1.0.0',
          first_seen_at: new Date(at(0)),
        });
        await knex('provider_gates').insert([
          {
            provider: 'github',
            provider_gate_id: '900',
            entity_ref: ENTITY,
            environment: 'production',
            sha: sha(2),
            reviewers: JSON.stringify([{ type: 'team', name: 'sre' }]),
            since: new Date(at(5)),
            details: JSON.stringify({ runId: '900' }),
          },
          {
            provider: 'github',
            provider_gate_id: '901',
            entity_ref: OTHER,
            environment: 'production',
            sha: sha(2),
            reviewers: '[]',
            since: new Date(at(6)),
          },
        ]);
        await knex('provider_targets').insert([
          {
            provider: 'github',
            target_key: 'acme/payments',
            entity_ref: ENTITY,
          },
          {
            provider: 'github',
            target_key: 'acme/payments',
            entity_ref: OTHER,
          },
          { provider: 'github', target_key: 'acme/ledger', entity_ref: OTHER },
        ]);
        await knex('sync_state').insert({
          entity_ref: ENTITY,
          provider: 'github',
          cursor: 'etag-1',
          last_success_at: new Date(at(3)),
        });
        await knex('promotion_requests').insert({
          id: 'b3f7a7d2-0000-4000-8000-000000000001',
          entity_ref: ENTITY,
          action: 'promote',
          environment: 'production',
          sha: sha(2),
          state: 'pending',
          requested_by: 'user:default/alice',
          requested_at: new Date(at(4)),
          active_slot: `${ENTITY}|production`,
        });
        await knex('audit_log').insert({
          at: new Date(at(4)),
          entity_ref: ENTITY,
          action: 'promote',
          outcome: 'requested',
          actor: 'user:default/alice',
          environment: 'production',
          sha: sha(2),
        });
        return knex;
      }

      it('keeps what v1 stored when applied over it', async () => {
        const knex = await v1Database();
        const store = await KnexDeploymentStore.create({
          database: { getClient: async () => knex },
        });

        expect(await store.getDeployment(ENTITY, 'github:812')).toEqual(
          expect.objectContaining({
            state: 'success',
            version: { sha: sha(1), tag: 'v1.0.0' },
            strategy: { type: 'canary', trafficPercent: 100 },
            statuses: [status('queued', 0), status('success', 2)],
          }),
        );
        const timeline = await store.getTimeline(ENTITY, {
          environments: ['production'],
          limit: 10,
        });
        expect(timeline.rows.map(r => r.version.tag)).toEqual(['v1.0.0']);
        // The gate takes the entity's only v1 target; OTHER had two.
        expect(await store.getGate(ENTITY, 'github:900')).toEqual(
          expect.objectContaining({
            targetKey: 'acme/payments',
            details: { runId: '900' },
          }),
        );
        expect(
          (await store.getGate(OTHER, 'github:901'))?.targetKey,
        ).toBeUndefined();
        expect(
          (await store.targetsForRoutingKey('github', 'acme/payments')).map(
            t => [t.entityRef, t.target],
          ),
        ).toEqual([
          [
            OTHER,
            {
              key: 'acme/payments',
              routingKeys: ['acme/payments'],
              environments: 'all',
            },
          ],
          [
            ENTITY,
            {
              key: 'acme/payments',
              routingKeys: ['acme/payments'],
              environments: 'all',
            },
          ],
        ]);
        // v1 cursors are dropped: the next sync is a backfill.
        expect(await store.listSyncStatus(ENTITY)).toEqual([]);
        expect(
          (await store.listPendingRequests(ENTITY)).map(r => r.id),
        ).toEqual(['b3f7a7d2-0000-4000-8000-000000000001']);
        expect(
          (await store.listAudit(ENTITY, {}, { limit: 10 })).entries,
        ).toHaveLength(1);

        // A v2 sync of the same deployment merges into the v1 row.
        await expect(
          store.upsertDeployments(ENTITY, 'github', [
            report('812', {
              environment: 'production',
              version: { sha: sha(1), tag: 'v1.0.0' },
              statuses: [status('queued', 0), status('success', 2)],
              strategy: { type: 'canary', trafficPercent: 100 },
              url: 'https://example.com/runs/812',
            }),
          ]),
        ).resolves.toEqual({ inserted: 0, updated: 0 });
      });

      it('goes back to v1 keeping one row per provider id, and forward again', async () => {
        await db.store.upsertDeployments(ENTITY, 'github', [report('1')]);
        await db.store.upsertDeployments(OTHER, 'github', [report('1')]);
        await db.store.upsertDeployments(ENTITY, 'aws', [
          report('d-1', {
            version: {
              sha: 'artifact:image:sha256:abc',
              commitUnknown: true,
              artifact: { kind: 'image', id: 'sha256:abc' },
            },
          }),
        ]);
        await db.store.openGates(ENTITY, 'github', 'acme/payments', [
          gate('7'),
        ]);
        await db.store.openGates(OTHER, 'github', 'acme/payments', [gate('7')]);

        // Down to v1: every migration after the first.
        while (
          (await db.knex.migrate.currentVersion({ directory })) !==
          '20261126000000'
        ) {
          await db.knex.migrate.down({ directory });
        }
        const rows = await db
          .knex('deployments')
          .select('provider', 'entity_ref');
        expect(rows).toEqual([{ provider: 'github', entity_ref: ENTITY }]);
        expect(await db.knex('provider_gates').pluck('entity_ref')).toEqual([
          OTHER,
        ]);
        // Each entity's version stays; the one without a commit goes.
        expect(await db.knex('versions').pluck('sha')).toEqual([
          sha(1),
          sha(1),
        ]);

        await db.knex.migrate.latest({ directory });
        expect(await db.store.getDeployment(ENTITY, 'github:1')).toBeDefined();
      });
    });
  },
);
