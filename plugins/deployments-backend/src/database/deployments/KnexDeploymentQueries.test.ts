import {
  ENTITY,
  OTHER,
  PATH,
  sha,
  at,
  status,
  report,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexDeploymentQueries on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('getEnvironmentStates', () => {
      it('takes the newest successful deployment as current, not the newest attempt', async () => {
        await db.store.upsertDeployments(ENTITY, 'github', [
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

        const states = await db.store.getEnvironmentStates(ENTITY, PATH);
        expect(states.production.current?.id).toBe('github:2');
        expect(states.production.latest?.id).toBe('github:3');
        expect(states.production.latest?.statuses).toEqual([
          status('failure', 22),
        ]);
        expect(states.dev).toEqual({});
      });

      it('names the attempt whose roll back in the portal put the version running now back, until a newer version succeeds', async () => {
        const production = (
          id: string,
          v: number,
          minute: number,
          state = 'success',
        ) =>
          report(id, {
            environment: 'production',
            version: { sha: sha(v), tag: `v${v}` },
            createdAt: at(minute),
            statuses: [status(state as any, minute + 2)],
          });
        await db.store.upsertDeployments(ENTITY, 'github', [
          production('1', 1, 0),
          production('2', 2, 10),
        ]);

        // alice rolls production back to v1: v2, running now, is marked.
        const rollback = {
          automatic: false,
          by: 'user:default/alice',
          reason: 'checkout errors',
          restoredVersion: { sha: sha(1), tag: 'v1' },
        };
        expect(
          await db.store.markRolledBack(ENTITY, 'production', rollback),
        ).toBe(true);
        // A replay, or a second ask, changes nothing.
        expect(
          await db.store.markRolledBack(ENTITY, 'production', rollback),
        ).toBe(false);
        let states = await db.store.getEnvironmentStates(ENTITY, [
          'production',
        ]);
        expect(states.production.current?.rollback).toEqual(rollback);
        // Until v1 runs again, nothing runs "after a rollback".
        expect(states.production.rolledBackBeforeCurrent).toBeUndefined();

        // The provider redeploys v1: production runs v1 after v2's roll back.
        await db.store.upsertDeployments(ENTITY, 'github', [
          production('3', 1, 20),
        ]);
        states = await db.store.getEnvironmentStates(ENTITY, ['production']);
        expect(states.production.current?.id).toBe('github:3');
        expect(states.production.rolledBackBeforeCurrent?.id).toBe('github:2');
        expect(states.production.rolledBackBeforeCurrent?.rollback).toEqual(
          rollback,
        );

        // A newer version succeeds: the lane no longer runs a rolled-back-to version.
        await db.store.upsertDeployments(ENTITY, 'github', [
          production('4', 4, 30),
        ]);
        states = await db.store.getEnvironmentStates(ENTITY, ['production']);
        expect(states.production.current?.id).toBe('github:4');
        expect(states.production.rolledBackBeforeCurrent).toBeUndefined();
      });

      it('marks nothing when the version asked for already runs, or a provider said how it was rolled back', async () => {
        await db.store.upsertDeployments(ENTITY, 'aws', [
          report('d-1', {
            environment: 'production',
            version: { sha: sha(1) },
            createdAt: at(0),
            statuses: [status('success', 2)],
          }),
        ]);
        const back = (v: number) => ({
          automatic: false,
          by: 'user:default/alice',
          restoredVersion: { sha: sha(v) },
        });
        expect(
          await db.store.markRolledBack(ENTITY, 'production', back(1)),
        ).toBe(false);
        expect(await db.store.markRolledBack(ENTITY, 'staging', back(1))).toBe(
          false,
        );
        await db.store.upsertDeployments(ENTITY, 'aws', [
          report('d-2', {
            environment: 'production',
            version: { sha: sha(2) },
            createdAt: at(10),
            statuses: [status('success', 12)],
            rollback: { automatic: true, reason: 'alarm payments-api-5xx' },
          }),
        ]);
        expect(
          await db.store.markRolledBack(ENTITY, 'production', back(1)),
        ).toBe(false);
        const states = await db.store.getEnvironmentStates(ENTITY, [
          'production',
        ]);
        expect(states.production.current?.rollback).toEqual({
          automatic: true,
          reason: 'alarm payments-api-5xx',
        });
      });

      it('orders deployments created in the same second by the provider’s id, whatever order they arrived in', async () => {
        const sameSecond = (id: string, v: number) =>
          report(id, {
            environment: 'dev',
            version: { sha: sha(v) },
            createdAt: at(5),
            statuses: [status('success', 5)],
          });
        // 999 < 1000 as numbers: the longer id is the newer one.
        await db.store.upsertDeployments(ENTITY, 'github', [
          sameSecond('1000', 2),
        ]);
        await db.store.upsertDeployments(ENTITY, 'github', [
          sameSecond('999', 1),
        ]);
        const states = await db.store.getEnvironmentStates(ENTITY, ['dev']);
        expect(states.dev.current?.id).toBe('github:1000');
        expect(states.dev.latest?.id).toBe('github:1000');
        const { rows } = await db.store.getTimeline(ENTITY, {
          environments: ['dev'],
          limit: 5,
        });
        expect(rows.map(row => row.cells.dev?.deploymentId).sort()).toEqual([
          'github:1000',
          'github:999',
        ]);
      });

      it('does not see other entities', async () => {
        await db.store.upsertDeployments(OTHER, 'github', [report('1')]);
        const states = await db.store.getEnvironmentStates(ENTITY, ['dev']);
        expect(states.dev.current).toBeUndefined();
      });
    });

    describe('version look-ups', () => {
      beforeEach(async () => {
        await db.store.upsertDeployments(ENTITY, 'github', [
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
        await expect(db.store.findVersion(ENTITY, 'v2.0.0')).resolves.toEqual({
          sha: 'abcdef1234567890abcdef1234567890abcdef12',
          tag: 'v2.0.0',
        });
        await expect(
          db.store.findVersion(ENTITY, 'abcdef12345'),
        ).resolves.toEqual(expect.objectContaining({ tag: 'v2.0.0' }));
        await expect(
          db.store.findVersion(ENTITY, 'v9.9.9'),
        ).resolves.toBeUndefined();
        await expect(
          db.store.findVersion(OTHER, 'v2.0.0'),
        ).resolves.toBeUndefined();
        await expect(db.store.findVersion(ENTITY, 'abcdef1')).rejects.toThrow(
          /ambiguous/,
        );
      });

      it('counts a superseded success as succeeded, a failure not', async () => {
        await expect(
          db.store.hasSucceeded(
            ENTITY,
            'staging',
            'abcdef1234567890abcdef1234567890abcdef12',
          ),
        ).resolves.toBe(true);
        await expect(
          db.store.hasSucceeded(ENTITY, 'staging', sha(3)),
        ).resolves.toBe(false);
        await expect(
          db.store.hasSucceeded(
            ENTITY,
            'production',
            'abcdef1234567890abcdef1234567890abcdef12',
          ),
        ).resolves.toBe(false);
      });

      it('finds the previous successful version as the roll-back target', async () => {
        await expect(
          db.store.previousSuccessfulVersion(ENTITY, 'staging'),
        ).resolves.toEqual({
          sha: 'abcdef1234567890abcdef1234567890abcdef12',
          tag: 'v2.0.0',
        });
        await expect(
          db.store.previousSuccessfulVersion(ENTITY, 'production'),
        ).resolves.toBeUndefined();
      });
    });
  },
);
