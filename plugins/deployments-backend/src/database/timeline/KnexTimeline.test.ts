import { InputError } from '@backstage/errors';
import type { LedgerDeployment } from '../DeploymentStore';
import {
  ENTITY,
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

describe.each(databases.eachSupportedId())('KnexTimeline on %p', databaseId => {
  const db = useStore(databases, databaseId);

  describe('getTimeline', () => {
    beforeEach(async () => {
      // Versions 1..5 appear a minute apart; each reaches dev, the odd ones staging.
      const reports: LedgerDeployment[] = [];
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
      await db.store.upsertDeployments(ENTITY, 'github', reports);
    });

    it('pages versions newest first with a cell per environment', async () => {
      const first = await db.store.getTimeline(ENTITY, {
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

      const second = await db.store.getTimeline(ENTITY, {
        environments: PATH,
        limit: 2,
        cursor: first.nextCursor,
      });
      expect(second.rows.map(r => r.version.tag)).toEqual(['v3', 'v2']);
      const third = await db.store.getTimeline(ENTITY, {
        environments: PATH,
        limit: 2,
        cursor: second.nextCursor,
      });
      expect(third.rows.map(r => r.version.tag)).toEqual(['v1']);
      expect(third.nextCursor).toBeUndefined();
    });

    it('tells in a cell what its link opens, how traffic moved, why it rolled back and where else it was reported', async () => {
      await db.store.upsertDeployments(ENTITY, 'aws', [
        report('d-1', {
          environment: 'production',
          version: { sha: sha(3) },
          createdAt: at(40),
          statuses: [status('rolled_back', 45)],
          url: 'https://console.example.com/d-1',
          urlLabel: 'CodeDeploy d-1',
          strategy: {
            type: 'canary',
            name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
            trafficPercent: 10,
            steps: [{ percent: 10, waitMinutes: 5 }, { percent: 100 }],
            currentStep: 0,
          },
          rollback: {
            automatic: true,
            reason: 'alarm payments-api-5xx',
            restoredVersion: { sha: sha(1) },
          },
        }),
      ]);
      await db.store.addDeploymentLinks(ENTITY, [
        {
          environment: 'production',
          sha: sha(3),
          provider: 'github',
          providerDeploymentId: '812',
          url: 'https://example.com/runs/812',
          label: 'run #812',
        },
      ]);
      const { rows } = await db.store.getTimeline(ENTITY, {
        environments: ['production'],
        limit: 10,
      });
      expect(rows.map(r => r.version.sha)).toEqual([sha(3)]);
      expect(rows[0].cells.production).toMatchObject({
        deploymentId: 'aws:d-1',
        state: 'rolled_back',
        urlLabel: 'CodeDeploy d-1',
        strategy: {
          type: 'canary',
          name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
          steps: [{ percent: 10, waitMinutes: 5 }, { percent: 100 }],
          currentStep: 0,
        },
        rollback: { automatic: true, reason: 'alarm payments-api-5xx' },
        links: [
          {
            provider: 'github',
            providerDeploymentId: '812',
            url: 'https://example.com/runs/812',
            label: 'run #812',
          },
        ],
      });
    });

    it('filters by environment and time', async () => {
      const staging = await db.store.getTimeline(ENTITY, {
        environments: ['staging'],
        limit: 10,
      });
      expect(staging.rows.map(r => r.version.tag)).toEqual(['v5', 'v3', 'v1']);
      expect(Object.keys(staging.rows[0].cells)).toEqual(['staging']);

      const window = await db.store.getTimeline(ENTITY, {
        environments: PATH,
        limit: 10,
        since: at(2),
        until: at(4),
      });
      expect(window.rows.map(r => r.version.tag)).toEqual(['v4', 'v3', 'v2']);
    });

    it('narrows to versions that were rolled back or failed verification, and marks the failing cell', async () => {
      await db.store.upsertDeployments(ENTITY, 'aws', [
        // v2 in production: an alarm tripped and CodeDeploy rolled it back.
        report('d-2', {
          environment: 'production',
          version: { sha: sha(2) },
          createdAt: at(30),
          statuses: [status('rolled_back', 35)],
          rollback: { automatic: true, reason: 'alarm payments-api-5xx' },
        }),
        // v4 in production: still succeeded, but its smoke test failed.
        report('d-4', {
          environment: 'production',
          version: { sha: sha(4) },
          createdAt: at(40),
          statuses: [status('success', 45)],
          checks: [
            { name: 'alarm payments-api-5xx', state: 'passing' },
            { name: 'smoke test', state: 'failing' },
          ],
        }),
        // v5 in production: all checks passing.
        report('d-5', {
          environment: 'production',
          version: { sha: sha(5) },
          createdAt: at(50),
          statuses: [status('success', 55)],
          checks: [{ name: 'smoke test', state: 'passing' }],
        }),
      ]);
      const page = (outcome: any, environments = PATH) =>
        db.store
          .getTimeline(ENTITY, { environments, limit: 10, outcome })
          .then(p => p.rows);

      expect((await page(['rolled-back'])).map(r => r.version.tag)).toEqual([
        'v2',
      ]);
      const failing = await page(['failed-verification']);
      expect(failing.map(r => r.version.tag)).toEqual(['v4']);
      expect(failing[0].cells.production?.verificationFailed).toBe(true);
      expect(
        (await page(['rolled-back', 'failed-verification'])).map(
          r => r.version.tag,
        ),
      ).toEqual(['v4', 'v2']);
      // The outcome must be in the environments asked about.
      expect(await page(['rolled-back'], ['dev', 'staging'])).toEqual([]);
      // Without the filter, a passing cell is not marked.
      const all = await page(undefined);
      expect(
        all.find(r => r.version.tag === 'v5')?.cells.production
          ?.verificationFailed,
      ).toBeUndefined();
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
          db.store.getTimeline(ENTITY, {
            environments: PATH,
            limit: 2,
            cursor,
          }),
        ).rejects.toThrow(InputError);
      }
    });

    it('refuses an invalid time filter or page size', async () => {
      await expect(
        db.store.getTimeline(ENTITY, {
          environments: PATH,
          limit: 2,
          since: 'yesterday',
        }),
      ).rejects.toThrow("Invalid time 'yesterday' for since");
      await expect(
        db.store.getTimeline(ENTITY, { environments: PATH, limit: 0 }),
      ).rejects.toThrow(InputError);
    });
  });
});
