import {
  ENTITY,
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
  'KnexDeploymentLedger on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('upsertDeployments', () => {
      it('inserts deployments with their status history', async () => {
        await expect(
          db.store.upsertDeployments(ENTITY, 'github', [
            report('1'),
            report('2'),
          ]),
        ).resolves.toEqual({ inserted: 2, updated: 0 });

        const stored = await db.store.getDeployment('github:1');
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
        await db.store.upsertDeployments(ENTITY, 'github', [report('1')]);
        const before = await db.store.getDeployment('github:1');

        await expect(
          db.store.upsertDeployments(ENTITY, 'github', [
            report('1'),
            report('1'),
          ]),
        ).resolves.toEqual({ inserted: 0, updated: 0 });

        expect(await db.store.getDeployment('github:1')).toEqual(before);
        const [{ count }] = await db.knex('deployment_statuses').count({
          count: '*',
        });
        expect(Number(count)).toBe(3);
      });

      it('merges overlapping status histories without duplicates', async () => {
        await db.store.upsertDeployments(ENTITY, 'github', [
          report('1', {
            statuses: [status('queued', 0), status('in_progress', 1)],
          }),
        ]);
        await expect(
          db.store.upsertDeployments(ENTITY, 'github', [
            report('1', {
              statuses: [status('in_progress', 1), status('success', 2)],
            }),
          ]),
        ).resolves.toEqual({ inserted: 0, updated: 1 });

        const stored = await db.store.getDeployment('github:1');
        expect(stored?.statuses.map(s => s.state)).toEqual([
          'queued',
          'in_progress',
          'success',
        ]);
        expect(stored?.state).toBe('success');
      });

      it('keeps the newest status as the state when older statuses arrive late', async () => {
        await db.store.upsertDeployments(ENTITY, 'github', [
          report('1', { statuses: [status('failure', 9)] }),
        ]);
        await db.store.upsertDeployments(ENTITY, 'github', [
          report('1', {
            statuses: [status('queued', 0), status('in_progress', 1)],
          }),
        ]);

        const stored = await db.store.getDeployment('github:1');
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
          db.store.upsertDeployments(ENTITY, 'github', [
            report('1', {
              statuses: [status('queued', 0), status('in_progress', 1)],
            }),
          ]),
          db.store.upsertDeployments(ENTITY, 'github', [
            report('1', { statuses: [status('success', 2)] }),
          ]),
        ]);
        expect(results.map(r => r.inserted).sort()).toEqual([0, 1]);
        const stored = await db.store.getDeployment('github:1');
        expect(stored?.state).toBe('success');
        expect(stored?.statuses.map(s => s.state)).toEqual([
          'queued',
          'in_progress',
          'success',
        ]);
      });

      it('records a deployment without statuses as queued', async () => {
        await db.store.upsertDeployments(ENTITY, 'github', [
          report('1', { statuses: [] }),
        ]);
        const stored = await db.store.getDeployment('github:1');
        expect(stored?.state).toBe('queued');
        expect(stored?.finishedAt).toBeUndefined();
      });

      it('keeps fields that a later, thinner report leaves out', async () => {
        await db.store.upsertDeployments(ENTITY, 'aws', [
          report('d-1', { strategy: { type: 'canary', trafficPercent: 10 } }),
        ]);
        await db.store.upsertDeployments(ENTITY, 'aws', [
          report('d-1', {
            triggeredBy: undefined,
            url: undefined,
            strategy: { type: 'canary', trafficPercent: 100 },
            updatedAt: at(30),
          }),
        ]);
        const stored = await db.store.getDeployment('aws:d-1');
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
          db.store.upsertDeployments(ENTITY, 'github', [
            report('1', {
              statuses: [{ state: 'exploded' as any, at: at(1) }],
            }),
          ]),
        ).rejects.toThrow(/unknown state 'exploded'/);
        expect(await db.store.getDeployment('github:1')).toBeUndefined();
      });

      it('ingests more deployments than one batch holds', async () => {
        const many = Array.from({ length: 1203 }, (_, i) =>
          report(String(i), {
            version: { sha: sha(i % 50) },
            createdAt: at(i % 60),
          }),
        );
        await expect(
          db.store.upsertDeployments(ENTITY, 'github', many),
        ).resolves.toEqual({ inserted: 1203, updated: 0 });
        const [{ count }] = await db.knex('versions').count({ count: '*' });
        expect(Number(count)).toBe(50);
      });
    });
  },
);
