import type {
  DeploymentStatusEntry,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type { LedgerDeployment } from '../DeploymentStore';
import {
  ENTITY,
  OTHER,
  sha,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';
import { KnexDeliveryMetrics, MetricsRules } from './KnexDeliveryMetrics';
import { deliveryMetrics, previousOf } from '../../reads/DeliveryMetrics';

jest.setTimeout(60_000);

const databases = storeTestDatabases();
const T0 = Date.UTC(2026, 10, 2, 0, 0);
const HOUR = 3_600_000;
const h = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
/** The period: two weeks from T0; the one before is the two weeks before T0. */
const RANGE = { from: new Date(T0), to: new Date(T0 + 336 * HOUR) };
const RULES: MetricsRules = {
  hotfixWindowMs: 24 * HOUR,
  hotfixPattern: /^\s*(hotfix|revert)\b/i,
};

const v = (n: number, message = `Change ${n}`): Version => ({
  sha: sha(n),
  tag: `v1.${n}.0`,
  message,
});

function deployed(
  id: string,
  environment: string,
  version: Version,
  createdHour: number,
  statuses: Array<[DeploymentStatusEntry['state'], number]>,
): LedgerDeployment {
  return {
    providerDeploymentId: id,
    environment,
    version,
    statuses: statuses.map(([state, hour]) => ({ state, at: h(hour) })),
    createdAt: h(createdHour),
    updatedAt: h(statuses[statuses.length - 1][1]),
    url: `https://example.com/runs/${id}`,
  };
}
const dev = (n: number, hour: number, version = v(n)) =>
  deployed(`dev-${n}`, 'dev', version, hour, [
    ['in_progress', hour],
    ['success', hour + 0.5],
  ]);
const ok = (hour: number, done: number): Array<[any, number]> => [
  ['in_progress', hour],
  ['success', done],
];

/**
 * production is the last environment. Hours from T0 (each version's first
 * deployment, into dev, is its first sighting):
 *
 * before the previous period: v0 into production at -400 h.
 * previous period (-336 h … 0):
 *   v1     dev -100, production created -90, success -89      change, lead 11 h
 *   v0     production again at -50 (succeeded before)          redeploy
 * this period (0 … 336 h):
 *   v2     dev 0,   production 10, success 12                  change, lead 12 h
 *   v3     dev 30,  production 40, failure 41                  failed, restored at 43 (3 h)
 *   v2     production again at 42, success 43                  redeploy (roll back)
 *   v4     "Hotfix: …" dev 44, production 46, success 47       change (follows a failure: fixes nothing new), lead 3 h
 *   v5     dev 100, production waits from 110, leaves the gate at 120, success 121
 *                                                              hotfixed by v6 (9 h later), restored 131 (10 h), lead 21 h
 *   v6     "Revert …" dev 125, production 130, success 131     change, lead 6 h
 *   v7     dev 200, production 205, success 206, rolled back 208
 *                                                              rolled back, restored by itself (2 h), lead 6 h
 *   v8     dev 250, production waits 260, rejected 262         never rolled out: not counted
 *   v13    dev 280, production 285 with a lone failure at 286   a review rejected as GitHub's REST shows it: not counted
 *   v10    dev 265, production 270, cancelled 271              not counted
 *   v9     dev 300, staging 310, production 330 still running  not counted
 *   v11    dev 320, production 325, failure 326                failed, restored by v12 (14 h)
 *   v12    dev 337, production 338, success 339                after the period: restores v11
 * and another entity's failure in production at 50 h.
 */
async function seed(store: {
  upsertDeployments(
    entityRef: string,
    provider: string,
    deployments: LedgerDeployment[],
  ): Promise<unknown>;
}) {
  await store.upsertDeployments(ENTITY, 'github', [
    dev(0, -410),
    deployed('p-v0', 'production', v(0), -400, ok(-400, -399)),
    dev(1, -100),
    deployed('p-v1', 'production', v(1), -90, ok(-90, -89)),
    deployed('p-v0-again', 'production', v(0), -50, ok(-50, -49)),
    dev(2, 0),
    deployed('p-v2', 'production', v(2), 10, ok(10, 12)),
    dev(3, 30),
    deployed('p-v3', 'production', v(3), 40, [
      ['in_progress', 40],
      ['failure', 41],
    ]),
    deployed('p-v2-again', 'production', v(2), 42, ok(42, 43)),
    dev(4, 44, v(4, 'Hotfix: null currency')),
    deployed(
      'p-v4',
      'production',
      v(4, 'Hotfix: null currency'),
      46,
      ok(46, 47),
    ),
    dev(5, 100),
    deployed('p-v5', 'production', v(5), 110, [
      ['waiting', 110],
      ['queued', 120],
      ['in_progress', 120.2],
      ['success', 121],
    ]),
    dev(6, 125, v(6, 'Revert "Add refunds"')),
    deployed(
      'p-v6',
      'production',
      v(6, 'Revert "Add refunds"'),
      130,
      ok(130, 131),
    ),
    dev(7, 200),
    deployed('p-v7', 'production', v(7), 205, [
      ['in_progress', 205],
      ['success', 206],
      ['rolled_back', 208],
    ]),
    dev(8, 250),
    deployed('p-v8', 'production', v(8), 260, [
      ['waiting', 260],
      ['failure', 262],
    ]),
    dev(13, 280),
    deployed('p-v13', 'production', v(13), 285, [['failure', 286]]),
    dev(10, 265),
    deployed('p-v10', 'production', v(10), 270, [
      ['in_progress', 270],
      ['cancelled', 271],
    ]),
    dev(9, 300),
    deployed('s-v9', 'staging', v(9), 310, ok(310, 311)),
    deployed('p-v9', 'production', v(9), 330, [['in_progress', 330]]),
    dev(11, 320),
    deployed('p-v11', 'production', v(11), 325, [
      ['in_progress', 325],
      ['failure', 326],
    ]),
    dev(12, 337),
    deployed('p-v12', 'production', v(12), 338, ok(338, 339)),
  ]);
  await store.upsertDeployments(OTHER, 'github', [
    deployed('o-1', 'production', v(20), 50, [
      ['in_progress', 50],
      ['failure', 51],
    ]),
  ]);
}

const ids = (...names: string[]) => names.map(name => `github:${name}`);

describe.each(databases.eachSupportedId())(
  'KnexDeliveryMetrics on %p',
  databaseId => {
    const db = useStore(databases, databaseId);
    beforeEach(() => seed(db.store));

    const metricsAt = async (now: number, rules = RULES) => {
      const classified = await new KnexDeliveryMetrics(db.knex).classify({
        entityRef: ENTITY,
        environment: 'production',
        since: previousOf(RANGE).from,
        until: RANGE.to,
        now: new Date(now),
        rules,
      });
      return deliveryMetrics(classified, RANGE, rules);
    };

    it('computes the four figures of the period as worked out by hand', async () => {
      const metrics = await metricsAt(T0 + 400 * HOUR);
      expect(metrics.from).toBe(h(0));
      expect(metrics.to).toBe(h(336));
      expect(metrics.figures).toEqual({
        deployments: {
          count: 5,
          perDay: 0.36, // 5 / 14
          perWeek: 2.5,
          deploymentIds: ids('p-v2', 'p-v4', 'p-v5', 'p-v6', 'p-v7'),
        },
        leadTime: {
          count: 5,
          // 3 h, 6 h, 6 h, 12 h, 21 h
          medianSeconds: 6 * 3600,
          p90Seconds: 21 * 3600,
          deploymentIds: ids('p-v2', 'p-v4', 'p-v5', 'p-v6', 'p-v7'),
        },
        changeFailureRate: {
          rate: 0.5714, // 4 / 7
          failures: 4,
          changes: 7,
          deploymentIds: ids('p-v3', 'p-v5', 'p-v7', 'p-v11'),
          changeIds: ids(
            'p-v2',
            'p-v3',
            'p-v4',
            'p-v5',
            'p-v6',
            'p-v7',
            'p-v11',
          ),
        },
        timeToRestore: {
          count: 4,
          unrestored: 0,
          // 2 h, 3 h, 10 h, 14 h: the mean of the middle two
          medianSeconds: 6.5 * 3600,
          deploymentIds: ids('p-v3', 'p-v5', 'p-v7', 'p-v11'),
        },
      });
    });

    it('says what each deployment counted as, and what restored each failure', async () => {
      const metrics = await metricsAt(T0 + 400 * HOUR);
      expect(
        metrics.deployments.map(d => [
          d.id.replace('github:', ''),
          d.outcome,
          d.leadTimeSeconds,
          d.restoreSeconds,
          d.restoredBy?.replace('github:', ''),
          d.hotfixedBy?.replace('github:', ''),
        ]),
      ).toEqual([
        ['p-v1', 'success', 11 * 3600, undefined, undefined, undefined],
        ['p-v0-again', 'redeploy', undefined, undefined, undefined, undefined],
        ['p-v2', 'success', 12 * 3600, undefined, undefined, undefined],
        ['p-v3', 'failed', undefined, 3 * 3600, 'p-v2-again', undefined],
        ['p-v2-again', 'redeploy', undefined, undefined, undefined, undefined],
        ['p-v4', 'success', 3 * 3600, undefined, undefined, undefined],
        ['p-v5', 'hotfixed', 21 * 3600, 10 * 3600, 'p-v6', 'p-v6'],
        ['p-v6', 'success', 6 * 3600, undefined, undefined, undefined],
        ['p-v7', 'rolled_back', 6 * 3600, 2 * 3600, 'p-v7', undefined],
        ['p-v11', 'failed', undefined, 14 * 3600, 'p-v12', undefined],
      ]);
      expect(metrics.deployments[2]).toMatchObject({
        entityRef: ENTITY,
        environment: 'production',
        version: { sha: sha(2), tag: 'v1.2.0' },
        state: 'success',
        createdAt: h(10),
        succeededAt: h(12),
        url: 'https://example.com/runs/p-v2',
      });
    });

    it('compares with the period before and splits the period into weeks', async () => {
      const metrics = await metricsAt(T0 + 400 * HOUR);
      expect(metrics.previous.from).toBe(h(-336));
      expect(metrics.previous.to).toBe(h(0));
      expect(metrics.previous.figures).toEqual({
        deployments: {
          count: 1,
          perDay: 0.07, // 1 / 14
          perWeek: 0.5,
          deploymentIds: ids('p-v1'),
        },
        leadTime: {
          count: 1,
          medianSeconds: 11 * 3600,
          p90Seconds: 11 * 3600,
          deploymentIds: ids('p-v1'),
        },
        changeFailureRate: {
          rate: 0,
          failures: 0,
          changes: 1,
          deploymentIds: [],
          changeIds: ids('p-v1'),
        },
        timeToRestore: {
          count: 0,
          unrestored: 0,
          medianSeconds: undefined,
          deploymentIds: [],
        },
      });
      expect(
        metrics.weeks.map(week => [
          week.from,
          week.to,
          week.figures.deployments.count,
          week.figures.leadTime.medianSeconds,
          week.figures.leadTime.p90Seconds,
          week.figures.changeFailureRate.rate,
          week.figures.timeToRestore.medianSeconds,
        ]),
      ).toEqual([
        // v2, v4, v5, v6 deployed (3, 6, 12, 21 h); v3 and v5 of 5 changes failed (3 h, 10 h)
        [h(0), h(168), 4, 9 * 3600, 21 * 3600, 0.4, 6.5 * 3600],
        // v7 deployed (6 h); v7 and v11 of 2 changes failed (2 h, 14 h)
        [h(168), h(336), 1, 6 * 3600, 6 * 3600, 1, 8 * 3600],
      ]);
    });

    it('counts a failure not restored by now as unrestored', async () => {
      // Now is 337 h: v12 (338 h) has not happened yet.
      const metrics = await metricsAt(T0 + 337 * HOUR);
      expect(metrics.figures.timeToRestore).toEqual({
        count: 3,
        unrestored: 1,
        medianSeconds: 3 * 3600, // 2 h, 3 h, 10 h
        deploymentIds: ids('p-v3', 'p-v5', 'p-v7', 'p-v11'),
      });
      expect(
        metrics.deployments.find(d => d.id === 'github:p-v11')?.restoreSeconds,
      ).toBeUndefined();
    });

    it('takes a hotfix outside the configured window for an ordinary change', async () => {
      const metrics = await metricsAt(T0 + 400 * HOUR, {
        ...RULES,
        hotfixWindowMs: 8 * HOUR,
      });
      expect(metrics.figures.changeFailureRate).toMatchObject({
        rate: 0.4286, // 3 / 7
        failures: 3,
        deploymentIds: ids('p-v3', 'p-v7', 'p-v11'),
      });
      expect(metrics.rules).toEqual({
        hotfixWindowSeconds: 8 * 3600,
        hotfixPattern: '^\\s*(hotfix|revert)\\b',
      });
    });

    it('has nothing to count for an environment without deployments', async () => {
      const classified = await new KnexDeliveryMetrics(db.knex).classify({
        entityRef: ENTITY,
        environment: 'eu-production',
        since: previousOf(RANGE).from,
        until: RANGE.to,
        now: new Date(T0 + 400 * HOUR),
        rules: RULES,
      });
      const metrics = deliveryMetrics(classified, RANGE, RULES);
      expect(metrics.deployments).toEqual([]);
      expect(metrics.figures.deployments.count).toBe(0);
      expect(metrics.figures.changeFailureRate.rate).toBeUndefined();
      expect(metrics.figures.leadTime.medianSeconds).toBeUndefined();
      expect(metrics.weeks).toHaveLength(2);
    });
  },
);
