import {
  ENTITY,
  OTHER,
  PATH,
  at,
  gate,
  report,
  sha,
  status,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';
import type { KnexDeploymentStore } from '../KnexDeploymentStore';
import { statementsOf } from '../__testUtils__/queryPlans';
import { laneRows } from '../deployments/KnexDeploymentQueries';
import { KnexEnvironmentPage } from './KnexEnvironmentPage';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

const PIPELINE = 'payments-pipeline';

const diff = (aheadBy: number) => ({
  status: 'ahead' as const,
  aheadBy,
  behindBy: 0,
  totalCommits: aheadBy,
  commits: [],
  files: [],
  additions: 1,
  deletions: 0,
});

/** What the page shows, read the way the lanes read it before: one store read per part. */
async function separateReads(
  store: KnexDeploymentStore,
  entityRef: string,
  path: string[],
  changeSource: string,
) {
  const states = await store.getEnvironmentStates(entityRef, path);
  const cachedAheadBy = await Promise.all(
    path.map(async (environment, index) => {
      const here = states[environment]?.current;
      const ahead = index > 0 ? states[path[index - 1]]?.current : undefined;
      if (!here || !ahead) return undefined;
      const cached = await store.getCachedDiff(
        entityRef,
        changeSource,
        here.version.sha,
        ahead.version.sha,
      );
      return cached ? { aheadBy: cached.aheadBy } : undefined;
    }),
  );
  return {
    states,
    cachedAheadBy,
    openGates: await store.listOpenGates(entityRef),
    pendingRequests: await store.listPendingRequests(entityRef),
    sync: await store.listSyncStatus(entityRef),
    protection: await store.listEnvironmentProtection(entityRef),
    traffic: await store.getTraffic(entityRef),
    providerWindows: await store.listProviderWindows(entityRef),
  };
}

/** An entity with something in every part of the page, and a neighbour whose rows must not show. */
async function seed(store: KnexDeploymentStore, entityRef: string) {
  await store.upsertDeployments(entityRef, 'github', [
    // dev: v3 failed after v2 succeeded; latest is not current.
    report('1', {
      environment: 'dev',
      version: { sha: sha(2), tag: 'v2' },
      createdAt: at(1),
      statuses: [status('queued', 1), status('success', 3)],
    }),
    report('2', {
      environment: 'dev',
      version: { sha: sha(3) },
      createdAt: at(4),
      statuses: [status('in_progress', 4), status('failure', 6)],
    }),
    // staging runs v2 (untagged here: the versions table names it v2).
    report('3', {
      environment: 'staging',
      version: { sha: sha(2) },
      createdAt: at(5),
      statuses: [status('success', 7)],
    }),
    // production: v1, then v2 (rolled back), then v1 again.
    report('4', {
      environment: 'production',
      version: { sha: sha(1), tag: 'v1' },
      createdAt: at(0),
      statuses: [status('success', 2)],
    }),
    report('5', {
      environment: 'production',
      version: { sha: sha(2), tag: 'v2' },
      createdAt: at(10),
      statuses: [status('success', 12)],
    }),
  ]);
  await store.markRolledBack(entityRef, 'production', {
    automatic: false,
    by: 'user:default/alice',
    reason: 'checkout errors',
    restoredVersion: { sha: sha(1), tag: 'v1' },
  });
  await store.upsertDeployments(entityRef, 'github', [
    report('6', {
      environment: 'production',
      version: { sha: sha(1), tag: 'v1' },
      createdAt: at(20),
      statuses: [status('queued', 20), status('success', 22)],
    }),
  ]);
  await store.addDeploymentLinks(entityRef, [
    {
      provider: 'aws',
      providerDeploymentId: 'd-9',
      environment: 'staging',
      sha: sha(2),
      url: 'https://console.aws.amazon.com/d-9',
      label: 'CodeDeploy d-9',
    },
    {
      provider: 'aws',
      providerDeploymentId: 'd-8',
      environment: 'staging',
      sha: sha(2),
    },
  ]);
  await store.setEntityTargets(entityRef, 'github', [
    {
      key: 'acme/payments',
      routingKeys: ['acme/payments'],
      environments: 'all',
    },
  ]);
  await store.setEntityTargets(entityRef, 'aws', [
    { key: PIPELINE, routingKeys: [PIPELINE], environments: 'all' },
  ]);
  await store.openGates(entityRef, 'github', 'acme/payments', [
    gate('g-2', { since: at(9) }),
    gate('g-1', { since: at(8), environment: 'staging', type: 'wait-timer' }),
  ]);
  await store.createRequest({
    entityRef,
    action: 'promote',
    environment: 'production',
    version: { sha: sha(2), tag: 'v2' },
    requestedBy: 'user:default/alice',
    comment: 'ship it',
    state: 'pending',
  });
  await store.createRequest({
    entityRef,
    action: 'promote',
    environment: 'staging',
    version: { sha: sha(3) },
    requestedBy: 'user:default/bob',
    // Approved: no longer pending.
    state: 'approved',
  });
  await store.recordSyncSuccess({
    entityRef,
    provider: 'github',
    targetKey: 'acme/payments',
    at: new Date(at(30)),
  });
  await store.recordSyncFailure({
    entityRef,
    provider: 'aws',
    targetKey: PIPELINE,
    error: 'throttled',
    at: new Date(at(31)),
  });
  await store.replaceEnvironmentProtection(
    entityRef,
    'github',
    'acme/payments',
    [
      {
        environment: 'production',
        requiredReviewers: [{ type: 'team', name: 'team-payments' }],
        waitTimerMinutes: 5,
        url: 'https://github.com/acme/payments/settings/environments',
      },
      { environment: 'staging', requiredReviewers: [] },
    ],
  );
  await store.putTraffic(entityRef, [
    {
      environment: 'production',
      provider: 'aws',
      at: at(25),
      shares: [
        { version: { sha: sha(2) }, percent: 10, role: 'canary' },
        { version: { sha: sha(1), tag: 'v1' }, percent: 90, role: 'live' },
      ],
    },
  ]);
  await store.replaceProviderWindows(entityRef, 'aws', PIPELINE, [
    {
      environment: 'production',
      id: 'Deploy-Prod/ProdWindow',
      kind: 'allow',
      cron: '* * 9-16 ? * MON-FRI',
      timeZone: 'Europe/Berlin',
      label: 'CodePipeline',
      definedAt: 'pipeline payments, stage Deploy-Prod, rule ProdWindow',
    },
    {
      environment: 'staging',
      id: 'Deploy-Staging/Nights',
      kind: 'allow',
      cron: '* * 1-2 * * ?',
      timeZone: 'UTC',
      label: 'CodePipeline',
    },
  ]);
  // A target no longer stored: its windows are not listed.
  await store.replaceProviderWindows(entityRef, 'aws', 'gone-pipeline', [
    {
      environment: 'dev',
      id: 'Gone',
      kind: 'allow',
      cron: '* * * * * ?',
      timeZone: 'UTC',
      label: 'CodePipeline',
    },
  ]);
  // staging (v2) trails dev's current (v2)? No: the same commit. production
  // (v1) trails staging (v2) by the cached diff.
  await store.putCachedDiff(entityRef, 'github', sha(1), sha(2), diff(4));
  // Another source's diff of the same pair is not the change source's.
  await store.putCachedDiff(entityRef, 'gitlab', sha(1), sha(2), diff(9));
}

describe.each(databases.eachSupportedId())(
  'KnexEnvironmentPage on %p',
  databaseId => {
    const db = useStore(databases, databaseId);
    const page = () => new KnexEnvironmentPage(db.knex);

    beforeEach(async () => {
      // The neighbour first, so that its rows come first where order is by insertion.
      await seed(db.store, OTHER);
      await seed(db.store, ENTITY);
      // The versions table names staging's commit (reported untagged there).
      await db.store.upsertDeployments(OTHER, 'github', [
        report('7', {
          environment: 'dev',
          version: { sha: sha(7), tag: 'v7' },
          createdAt: at(40),
        }),
      ]);
    });

    it('reads what the separate store reads give', async () => {
      const read = await page().getEnvironmentPage(ENTITY, PATH, {
        changeSource: 'github',
      });
      expect(read).toEqual(
        await separateReads(db.store, ENTITY, PATH, 'github'),
      );
    });

    it('has every part filled by the fixture (so the comparison compares something)', async () => {
      const read = await page().getEnvironmentPage(ENTITY, PATH, {
        changeSource: 'github',
      });
      expect(read.states.dev.current?.id).toBe('github:1');
      expect(read.states.dev.latest?.id).toBe('github:2');
      expect(read.states.staging.current?.version.tag).toBe('v2');
      expect(read.states.staging.current?.links).toEqual([
        { provider: 'aws', providerDeploymentId: 'd-8' },
        {
          provider: 'aws',
          providerDeploymentId: 'd-9',
          url: 'https://console.aws.amazon.com/d-9',
          label: 'CodeDeploy d-9',
        },
      ]);
      expect(read.states.production.current?.id).toBe('github:6');
      expect(read.states.production.current?.statuses).toEqual([
        status('queued', 20),
        status('success', 22),
      ]);
      expect(read.states.production.rolledBackBeforeCurrent?.id).toBe(
        'github:5',
      );
      expect(read.cachedAheadBy).toEqual([
        undefined,
        undefined,
        { aheadBy: 4 },
      ]);
      expect(read.openGates.map(g => g.id)).toEqual([
        'github:g-1',
        'github:g-2',
      ]);
      expect(read.openGates[0]).toEqual(
        expect.objectContaining({
          entityRef: ENTITY,
          type: 'wait-timer',
          details: { runId: '812' },
          targetKey: 'acme/payments',
          since: at(8),
        }),
      );
      expect(read.pendingRequests).toEqual([
        expect.objectContaining({
          environment: 'production',
          requestedBy: 'user:default/alice',
        }),
      ]);
      expect(read.sync.map(s => [s.provider, s.stale])).toEqual([
        ['aws', true],
        ['github', false],
      ]);
      expect(read.protection.map(p => p.environment)).toEqual([
        'production',
        'staging',
      ]);
      expect(read.traffic.production.shares[0].version).toEqual({
        sha: sha(2),
        tag: 'v2',
      });
      expect(read.providerWindows.map(w => w.id)).toEqual([
        'Deploy-Prod/ProdWindow',
        'Deploy-Staging/Nights',
      ]);
    });

    it('reads an entity without rows, and no environments', async () => {
      const empty = 'component:default/nothing-yet';
      expect(
        await page().getEnvironmentPage(empty, PATH, {
          changeSource: 'github',
        }),
      ).toEqual(await separateReads(db.store, empty, PATH, 'github'));
      const none = await page().getEnvironmentPage(ENTITY, []);
      expect(none).toEqual({
        ...(await separateReads(db.store, ENTITY, [], 'github')),
        states: {},
        cachedAheadBy: [],
      });
    });

    it('looks up no diff without a change source', async () => {
      const read = await page().getEnvironmentPage(ENTITY, PATH);
      expect(read.cachedAheadBy).toEqual([undefined, undefined, undefined]);
      expect(read.states).toEqual(
        await db.store.getEnvironmentStates(ENTITY, PATH),
      );
    });

    it('sends the states’ own statements, one for the small tables and one for the diffs', async () => {
      const statements = await statementsOf(db.knex, () =>
        page().getEnvironmentPage(ENTITY, PATH, { changeSource: 'github' }),
      );
      const states = await statementsOf(db.knex, () =>
        db.store.getEnvironmentStates(ENTITY, PATH),
      );
      expect(statements).toHaveLength(states.length + 2);
    });

    it('reads the same lanes’ rows every time, past PostgreSQL’s custom plans', async () => {
      const sorted = (lanes: Awaited<ReturnType<typeof laneRows>>) =>
        [...lanes].sort((a, b) =>
          `${a.environment}/${a.slot}`.localeCompare(
            `${b.environment}/${b.slot}`,
          ),
        );
      for (const path of [PATH, ['production'], [], ['nowhere', 'dev']]) {
        const first = sorted(await laneRows(db.knex, ENTITY, path));
        expect(first.every(lane => path.includes(lane.environment))).toBe(true);
        // The named statement, past PostgreSQL's five custom plans.
        for (let n = 0; n < 7; n++) {
          expect(sorted(await laneRows(db.knex, ENTITY, path))).toEqual(first);
        }
      }
      expect((await laneRows(db.knex, ENTITY, PATH)).length).toBe(6);
    });
  },
);
