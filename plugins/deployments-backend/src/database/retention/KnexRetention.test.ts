import {
  ENTITY,
  OTHER,
  PATH,
  at,
  report,
  sha,
  status,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';
import { KnexRetention } from './KnexRetention';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

const MINUTE = 60_000;
const ago = (minutes: number) => new Date(Date.now() - minutes * MINUTE);

describe.each(databases.eachSupportedId())(
  'KnexRetention on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    const count = async (table: string) =>
      Number((await db.knex(table).count({ count: '*' }))[0].count);

    it('deletes old webhook deliveries, diffs and finished idempotency keys, in batches', async () => {
      const keys = ['old-1', 'old-2', 'old-3', 'new'];
      for (const [index, key] of keys.entries()) {
        await db.store.recordWebhookDelivery('github', key);
        await db.store.putCachedDiff(ENTITY, 'github', sha(1), sha(6 + index), {
          status: 'ahead',
          aheadBy: 1,
          behindBy: 0,
          totalCommits: 1,
          commits: [],
          files: [],
          additions: 0,
          deletions: 0,
        });
      }
      await db
        .knex('webhook_deliveries')
        .whereNot('delivery_key', 'new')
        .update({ received_at: ago(120) });
      await db
        .knex('diff_cache')
        .whereNot('to_sha', sha(9))
        .update({ created_at: ago(120) });

      for (const key of [
        'done-old',
        'done-new',
        'running-recent',
        'running-abandoned',
      ]) {
        await db.store.claimIdempotencyKey('promote', key, 'fp');
      }
      await db.store.completeIdempotencyKey('promote', 'done-old', 200, {});
      await db.store.completeIdempotencyKey('promote', 'done-new', 200, {});
      await db
        .knex('idempotency_keys')
        .where('key', 'done-old')
        .update({ updated_at: ago(5) });
      // Older than the cutoff, but a request may still be running it.
      await db
        .knex('idempotency_keys')
        .where('key', 'running-recent')
        .update({ updated_at: ago(5) });
      await db
        .knex('idempotency_keys')
        .where('key', 'running-abandoned')
        .update({ updated_at: ago(60) });

      for (const [key, days] of [
        ['approval-needed:old', 45],
        ['approval-needed:new', 2],
      ] as const) {
        await db.knex('sent_notifications').insert({
          dedupe_key: key,
          kind: 'approvalNeeded',
          entity_ref: ENTITY,
          sent_at: ago(days),
        });
      }

      const counts = await new KnexRetention(db.knex, 2).prune({
        webhookDeliveries: ago(60),
        diffCache: ago(60),
        idempotencyKeys: ago(1),
        sentNotifications: ago(30),
      });
      expect(counts).toEqual({
        webhookDeliveries: 3,
        diffCache: 3,
        idempotencyKeys: 2,
        sentNotifications: 1,
        deployments: 0,
        auditLog: 0,
      });
      expect(await db.knex('sent_notifications').pluck('dedupe_key')).toEqual([
        'approval-needed:new',
      ]);
      expect(await db.knex('webhook_deliveries').pluck('delivery_key')).toEqual(
        ['new'],
      );
      expect(await db.knex('diff_cache').pluck('to_sha')).toEqual([sha(9)]);
      expect((await db.knex('idempotency_keys').pluck('key')).sort()).toEqual([
        'done-new',
        'running-recent',
      ]);
    });

    it('keeps deployments and audit entries unless a cutoff is given for them', async () => {
      await db.store.upsertDeployments(ENTITY, 'github', [
        report('1', { environment: 'production', createdAt: at(0) }),
        report('2', { environment: 'production', createdAt: at(1) }),
      ]);
      await db.store.appendAudit({
        at: at(0),
        entityRef: ENTITY,
        action: 'promote',
        outcome: 'executed',
        actor: 'user:default/alice',
        environment: 'production',
      });
      await db.store.prune({ webhookDeliveries: new Date() });
      expect(await count('deployments')).toBe(2);
      expect(await count('audit_log')).toBe(1);
    });

    it('deletes old finished deployments, never the current or latest of an environment', async () => {
      const old = (
        id: string,
        environment: string,
        minute: number,
        final: 'success' | 'failure' | 'in_progress',
      ) =>
        report(id, {
          environment,
          version: { sha: sha(Number(id)) },
          createdAt: at(minute),
          statuses: [status('queued', minute), status(final, minute + 1)],
        });
      await db.store.upsertDeployments(ENTITY, 'github', [
        old('1', 'production', 0, 'success'), // superseded success: goes
        old('2', 'production', 10, 'success'), // current: stays
        old('3', 'production', 20, 'failure'), // latest: stays
        old('4', 'staging', 0, 'success'), // current and latest: stays
        old('5', 'dev', 0, 'failure'), // old failure: goes
        old('6', 'dev', 5, 'in_progress'), // unfinished: stays
        old('7', 'dev', 8, 'success'), // current and latest: stays
      ]);
      await db.store.upsertDeployments(OTHER, 'github', [
        old('1', 'production', 0, 'success'),
      ]);
      const before = await db.store.getEnvironmentStates(ENTITY, PATH);

      const counts = await new KnexRetention(db.knex, 1).prune({
        deployments: new Date(at(30)),
      });
      expect(counts.deployments).toBe(2);
      const left = await db
        .knex('deployments')
        .where('entity_ref', ENTITY)
        .orderBy('provider_deployment_id')
        .pluck('provider_deployment_id');
      expect(left).toEqual(['2', '3', '4', '6', '7']);
      expect(await db.store.getEnvironmentStates(ENTITY, PATH)).toEqual(before);
      expect(await db.store.getDeployment(OTHER, 'github:1')).toBeDefined();
      // The statuses went with their deployments.
      expect(await count('deployment_statuses')).toBe(6 * 2);
    });

    it('deletes audit entries before the cutoff only when given', async () => {
      for (const minute of [0, 1, 2, 30]) {
        await db.store.appendAudit({
          at: at(minute),
          entityRef: ENTITY,
          action: 'approve',
          outcome: 'approved',
          actor: 'user:default/bob',
          environment: 'production',
        });
      }
      const counts = await new KnexRetention(db.knex, 2).prune({
        auditLog: new Date(at(10)),
      });
      expect(counts.auditLog).toBe(3);
      const { entries } = await db.store.listAudit(ENTITY, {}, { limit: 10 });
      expect(entries.map(e => e.at)).toEqual([at(30)]);
    });
  },
);
