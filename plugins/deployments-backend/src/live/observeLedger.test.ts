import type { EnvironmentTraffic } from '@stagecraft/plugin-deployments-common';
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
} from '../database/__testUtils__/storeTestKit';
import type { LedgerChange, LedgerChanges } from './LedgerChanges';
import { observeLedger } from './observeLedger';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

/** Every change told, as [entity, part]. */
function recorder() {
  const told: Array<{ entityRef: string; change: LedgerChange }> = [];
  const changes: LedgerChanges = {
    onLedgerChanged(entityRefs, change) {
      for (const entityRef of entityRefs) told.push({ entityRef, change });
    },
  };
  return {
    changes,
    told,
    parts: () => told.map(t => [t.entityRef, t.change.part]),
    clear: () => told.splice(0),
  };
}

const traffic = (
  percent: number,
): EnvironmentTraffic & { environment: string } => ({
  environment: 'production',
  provider: 'aws',
  at: at(3),
  shares: [{ version: { sha: sha(2) }, percent }],
});

describe.each(databases.eachSupportedId())(
  'observeLedger on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    it('tells a sync that changed deployments, and not the same sync replayed', async () => {
      const seen = recorder();
      const store = observeLedger(db.store, seen.changes);

      await store.upsertDeployments(ENTITY, 'github', [
        report('1'),
        report('2'),
      ]);
      expect(seen.parts()).toEqual([[ENTITY, 'deployments']]);
      expect(seen.told[0].change).toEqual(
        expect.objectContaining({ provider: 'github' }),
      );

      seen.clear();
      await store.upsertDeployments(ENTITY, 'github', [
        report('1'),
        report('2'),
      ]);
      expect(seen.parts()).toEqual([]);

      await store.upsertDeployments(ENTITY, 'github', [
        report('2', {
          statuses: [status('queued', 0), status('failure', 9)],
          updatedAt: at(9),
        }),
      ]);
      expect(seen.parts()).toEqual([[ENTITY, 'deployments']]);
      // The store's own reads still answer through the observed store.
      await expect(store.getDeployment(ENTITY, 'github:2')).resolves.toEqual(
        expect.objectContaining({ state: 'failure' }),
      );
    });

    it('tells which gates opened and closed, and nothing when a sync reports the same gates', async () => {
      const seen = recorder();
      const store = observeLedger(db.store, seen.changes);

      await store.replaceOpenGates(ENTITY, 'github', 'acme/payments', [
        gate('1'),
      ]);
      await store.replaceOpenGates(ENTITY, 'github', 'acme/payments', [
        gate('1'),
      ]);
      await store.openGates(ENTITY, 'github', 'acme/payments', [gate('1')]);
      expect(seen.told).toHaveLength(1);
      expect(seen.told[0]).toEqual({
        entityRef: ENTITY,
        change: {
          part: 'gates',
          opened: [expect.objectContaining({ id: 'github:1' })],
          closed: [],
        },
      });

      seen.clear();
      await store.closeGates(ENTITY, 'github', ['1']);
      await store.closeGates(ENTITY, 'github', ['1']);
      expect(seen.told.map(t => t.change)).toEqual([
        {
          part: 'gates',
          opened: [],
          closed: [expect.objectContaining({ id: 'github:1' })],
        },
      ]);
    });

    it('counts a gate that waits for another version as opened again', async () => {
      const seen = recorder();
      const store = observeLedger(db.store, seen.changes);
      await store.openGates(ENTITY, 'github', 'acme/payments', [gate('1')]);
      await store.openGates(ENTITY, 'github', 'acme/payments', [
        gate('1', { version: { sha: sha(2) } }),
      ]);
      expect(
        seen.told.map(t => t.change.part === 'gates' && t.change.opened.length),
      ).toEqual([1, 1]);
    });

    it('tells traffic and protection only when they differ from what was stored', async () => {
      const seen = recorder();
      const store = observeLedger(db.store, seen.changes);

      await store.putTraffic(ENTITY, [traffic(10)]);
      await store.putTraffic(ENTITY, [traffic(10)]);
      await store.putTraffic(ENTITY, [traffic(50)]);
      const protection = [
        {
          environment: 'production',
          requiredReviewers: [{ type: 'team' as const, name: 'sre' }],
        },
      ];
      await store.replaceEnvironmentProtection(
        ENTITY,
        'github',
        'acme/payments',
        protection,
      );
      await store.replaceEnvironmentProtection(
        ENTITY,
        'github',
        'acme/payments',
        protection,
      );
      expect(seen.parts()).toEqual([
        [ENTITY, 'traffic'],
        [ENTITY, 'traffic'],
        [ENTITY, 'protection'],
      ]);
    });

    it('tells when a target turns stale or fresh, not on every successful sync', async () => {
      const seen = recorder();
      const store = observeLedger(db.store, seen.changes);
      const target = {
        entityRef: ENTITY,
        provider: 'github',
        targetKey: 'acme/payments',
      };
      await store.recordSyncSuccess({ ...target, at: new Date(at(1)) });
      await store.recordSyncSuccess({ ...target, at: new Date(at(2)) });
      expect(seen.parts()).toEqual([]);

      await store.recordSyncFailure({
        ...target,
        error: 'rate limited',
        at: new Date(at(3)),
      });
      await store.recordSyncSuccess({ ...target, at: new Date(at(4)) });
      await store.recordSyncSuccess({ ...target, at: new Date(at(5)) });
      expect(seen.parts()).toEqual([
        [ENTITY, 'sync'],
        [ENTITY, 'sync'],
      ]);
    });

    it('tells every portal request and audit entry, of the entity they belong to', async () => {
      const seen = recorder();
      const store = observeLedger(db.store, seen.changes);
      const created = await store.createRequest({
        entityRef: OTHER,
        action: 'promote',
        environment: 'production',
        version: { sha: sha(1) },
        requestedBy: 'user:default/alice',
        state: 'pending',
      });
      await store.updateRequest(created.id, { state: 'rejected' });
      await store.appendAudit({
        entityRef: OTHER,
        actor: 'user:default/bob',
        action: 'reject',
        outcome: 'rejected',
        environment: 'production',
        requestId: created.id,
      });
      expect(seen.parts()).toEqual([
        [OTHER, 'requests'],
        [OTHER, 'requests'],
        [OTHER, 'audit'],
      ]);
      expect(seen.told[0].change).toEqual(
        expect.objectContaining({ created: true }),
      );
      expect(seen.told[1].change).toEqual(
        expect.objectContaining({
          created: false,
          request: expect.objectContaining({ state: 'rejected' }),
        }),
      );
    });
  },
);
