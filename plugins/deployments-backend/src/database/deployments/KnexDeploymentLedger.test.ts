import { InputError } from '@backstage/errors';
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

        const stored = await db.store.getDeployment(ENTITY, 'github:1');
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
        const before = await db.store.getDeployment(ENTITY, 'github:1');

        await expect(
          db.store.upsertDeployments(ENTITY, 'github', [
            report('1'),
            report('1'),
          ]),
        ).resolves.toEqual({ inserted: 0, updated: 0 });

        expect(await db.store.getDeployment(ENTITY, 'github:1')).toEqual(
          before,
        );
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

        const stored = await db.store.getDeployment(ENTITY, 'github:1');
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

        const stored = await db.store.getDeployment(ENTITY, 'github:1');
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
        const stored = await db.store.getDeployment(ENTITY, 'github:1');
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
        const stored = await db.store.getDeployment(ENTITY, 'github:1');
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
        const stored = await db.store.getDeployment(ENTITY, 'aws:d-1');
        expect(stored?.triggeredBy).toBe('alice');
        expect(stored?.url).toBe('https://example.com/runs/d-1');
        expect(stored?.strategy).toEqual({
          type: 'canary',
          trafficPercent: 100,
        });
        expect(stored?.updatedAt).toBe(at(30));
      });

      it('shows the artifact of the earliest deployment naming one, whichever environment synced first', async () => {
        const artifactOf = (id: string, environment: string, minute: number) =>
          report(`${environment}-1`, {
            environment,
            version: { sha: sha(1), artifact: { kind: 'lambda-version', id } },
            createdAt: at(minute),
          });
        const staging = artifactOf('svc-staging:237', 'staging', 5);
        const production = artifactOf('svc-production:107', 'production', 9);
        const shown = async () => {
          const { rows } = await db.store.getTimeline(ENTITY, {
            environments: PATH,
            limit: 5,
          });
          return rows[0].version.artifact;
        };

        // Production's report arrives first, in a batch of its own.
        await db.store.upsertDeployments(ENTITY, 'aws', [production]);
        expect(await shown()).toEqual({
          kind: 'lambda-version',
          id: 'svc-production:107',
        });
        await db.store.upsertDeployments(ENTITY, 'aws', [staging]);
        expect(await shown()).toEqual({
          kind: 'lambda-version',
          id: 'svc-staging:237',
        });
        // A replay of the later one changes nothing.
        await db.store.upsertDeployments(ENTITY, 'aws', [production]);
        expect(await shown()).toEqual({
          kind: 'lambda-version',
          id: 'svc-staging:237',
        });
      });

      it('refuses a report with an unknown state, naming it', async () => {
        await expect(
          db.store.upsertDeployments(ENTITY, 'github', [
            report('1', {
              statuses: [{ state: 'exploded' as any, at: at(1) }],
            }),
          ]),
        ).rejects.toThrow(/unknown state 'exploded'/);
        expect(
          await db.store.getDeployment(ENTITY, 'github:1'),
        ).toBeUndefined();
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

    describe('v2 facts', () => {
      it('stores artifacts, strategy steps, checks, roll back and link label', async () => {
        const richReport = report('d-1', {
          environment: 'production',
          version: {
            sha: 'artifact:lambda-version:arn:aws:lambda:eu-west-1:1:function:Pay:42',
            commitUnknown: true,
            artifact: {
              kind: 'lambda-version',
              id: 'arn:aws:lambda:eu-west-1:1:function:Pay:42',
            },
          },
          url: 'https://console.aws.amazon.com/codedeploy/d-1',
          urlLabel: 'CodeDeploy d-1',
          strategy: {
            type: 'canary',
            trafficPercent: 10,
            name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
            steps: [{ percent: 10, waitMinutes: 5 }, { percent: 100 }],
            currentStep: 0,
          },
          checks: [{ name: 'payments-5xx', state: 'passing', at: at(3) }],
          rollback: { automatic: true, reason: 'alarm payments-5xx' },
        });
        await db.store.upsertDeployments(ENTITY, 'aws', [richReport]);
        expect(await db.store.getDeployment(ENTITY, 'aws:d-1')).toEqual(
          expect.objectContaining({
            version: {
              sha: 'artifact:lambda-version:arn:aws:lambda:eu-west-1:1:function:Pay:42',
              commitUnknown: true,
              artifact: {
                kind: 'lambda-version',
                id: 'arn:aws:lambda:eu-west-1:1:function:Pay:42',
              },
            },
            urlLabel: 'CodeDeploy d-1',
            strategy: {
              type: 'canary',
              trafficPercent: 10,
              name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
              steps: [{ percent: 10, waitMinutes: 5 }, { percent: 100 }],
              currentStep: 0,
            },
            checks: [{ name: 'payments-5xx', state: 'passing', at: at(3) }],
            rollback: { automatic: true, reason: 'alarm payments-5xx' },
          }),
        );
        // Replaying the same rich report changes nothing.
        const [stored] = await db.knex('deployments').select();
        await expect(
          db.store.upsertDeployments(ENTITY, 'aws', [richReport]),
        ).resolves.toEqual({ inserted: 0, updated: 0 });
        expect(await db.knex('deployments').select()).toEqual([stored]);
        await expect(
          db.store.findVersion(
            ENTITY,
            'artifact:lambda-version:arn:aws:lambda:eu-west-1:1:function:Pay:42',
          ),
        ).resolves.toEqual(expect.objectContaining({ commitUnknown: true }));
      });

      it('replaces checks and progress with a newer report, never with an older one', async () => {
        const canary = (
          minute: number,
          percent: number,
          check: 'pending' | 'failing',
        ) =>
          report('d-1', {
            updatedAt: at(minute),
            strategy: {
              type: 'canary',
              trafficPercent: percent,
              currentStep: percent === 100 ? 1 : 0,
            },
            checks: [{ name: 'smoke', state: check }],
          });
        await db.store.upsertDeployments(ENTITY, 'aws', [
          canary(10, 10, 'pending'),
        ]);
        await db.store.upsertDeployments(ENTITY, 'aws', [
          canary(20, 100, 'failing'),
        ]);
        // A late webhook from minute 15 does not put the canary back.
        await expect(
          db.store.upsertDeployments(ENTITY, 'aws', [
            canary(15, 10, 'pending'),
          ]),
        ).resolves.toEqual({ inserted: 0, updated: 0 });
        const stored = await db.store.getDeployment(ENTITY, 'aws:d-1');
        expect(stored?.strategy).toEqual({
          type: 'canary',
          trafficPercent: 100,
          currentStep: 1,
        });
        expect(stored?.checks).toEqual([{ name: 'smoke', state: 'failing' }]);
      });

      it('refuses a version that is neither a commit nor an artifact key, naming it', async () => {
        await expect(
          db.store.upsertDeployments(ENTITY, 'aws', [
            report('d-1', {
              version: { sha: 'lambda:42', commitUnknown: true },
            }),
          ]),
        ).rejects.toThrow(
          "invalid version key 'lambda:42' for deployment 'd-1'",
        );
        await expect(
          db.store.upsertDeployments(ENTITY, 'github', [
            report('1', { strategy: { type: 'canary', trafficPercent: 140 } }),
          ]),
        ).rejects.toThrow(InputError);
        expect(await db.store.getDeployment(ENTITY, 'aws:d-1')).toBeUndefined();
        expect(
          await db.store.getDeployment(ENTITY, 'github:1'),
        ).toBeUndefined();
      });
    });

    describe('two entities sharing a repository', () => {
      it('keep their own rows through ten alternating upserts of the same ids', async () => {
        const history = (entity: string, round: number) =>
          ['1', '2', '3'].map(id =>
            report(id, {
              environment: entity === ENTITY ? 'production' : 'worker-prod',
              description: `${entity} round ${round}`,
              updatedAt: at(10 + round),
            }),
          );
        for (let round = 0; round < 10; round++) {
          const entity = round % 2 === 0 ? ENTITY : OTHER;
          const result = await db.store.upsertDeployments(
            entity,
            'github',
            history(entity, round),
          );
          expect(result).toEqual(
            round < 2
              ? { inserted: 3, updated: 0 }
              : { inserted: 0, updated: 3 },
          );
        }
        const owners = (await db
          .knex('deployments')
          .select('entity_ref')
          .count({ count: '*' })
          .groupBy('entity_ref')
          .orderBy('entity_ref')) as Array<{
          entity_ref: string;
          count: string | number;
        }>;
        expect(owners.map(o => [o.entity_ref, Number(o.count)])).toEqual([
          [OTHER, 3],
          [ENTITY, 3],
        ]);
        const mine = await db.store.getDeployment(ENTITY, 'github:2');
        expect(mine).toEqual(
          expect.objectContaining({
            entityRef: ENTITY,
            environment: 'production',
            description: `${ENTITY} round 8`,
          }),
        );
        expect(
          (await db.store.getDeployment(OTHER, 'github:2'))?.environment,
        ).toBe('worker-prod');
        const [{ count }] = await db
          .knex('deployment_statuses')
          .count({ count: '*' });
        expect(Number(count)).toBe(18);
      });

      it('finds a deployment only through its own entity', async () => {
        await db.store.upsertDeployments(ENTITY, 'github', [report('1')]);
        expect(await db.store.getDeployment(ENTITY, 'github:1')).toBeDefined();
        expect(await db.store.getDeployment(OTHER, 'github:1')).toBeUndefined();
        expect(
          await db.store.getDeployment(ENTITY, 'nonsense'),
        ).toBeUndefined();
      });
    });
  },
);
