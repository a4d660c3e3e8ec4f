import { InputError } from '@backstage/errors';
import type { EnvironmentTraffic } from '@stagecraft/plugin-deployments-common';
import {
  ENTITY,
  OTHER,
  at,
  report,
  sha,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

const canary = (
  minute: number,
  percent: number,
): EnvironmentTraffic & {
  environment: string;
} => ({
  environment: 'production',
  provider: 'aws',
  at: at(minute),
  shares: [
    {
      version: { sha: sha(2) },
      percent,
      role: 'canary',
      deploymentId: 'aws:d-2',
    },
    { version: { sha: sha(1) }, percent: 100 - percent, role: 'live' },
  ],
});

describe.each(databases.eachSupportedId())(
  'KnexEnvironmentTraffic on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    it('stores the traffic of the environments listed, others keep theirs', async () => {
      await db.store.putTraffic(ENTITY, [
        canary(1, 10),
        { ...canary(1, 100), environment: 'staging' },
      ]);
      await db.store.putTraffic(ENTITY, [canary(5, 50)]);
      await db.store.putTraffic(OTHER, [canary(9, 90)]);
      const { environment: _e, ...production } = canary(5, 50);
      const traffic = await db.store.getTraffic(ENTITY);
      expect(traffic.production).toEqual(production);
      expect(traffic.staging.shares[0].percent).toBe(100);
      expect(Object.keys(await db.store.getTraffic(OTHER))).toEqual([
        'production',
      ]);
    });

    it('names a share’s version by the ledger’s tag of its commit', async () => {
      await db.store.upsertDeployments(ENTITY, 'github', [
        report('812', { version: { sha: sha(2), tag: 'v1.41.2' } }),
      ]);
      await db.store.putTraffic(ENTITY, [canary(1, 10)]);
      const { shares } = (await db.store.getTraffic(ENTITY)).production;
      expect(shares.map(share => share.version)).toEqual([
        { sha: sha(2), tag: 'v1.41.2' },
        { sha: sha(1) },
      ]);
    });

    it('changes nothing on a replay or an older report', async () => {
      await db.store.putTraffic(ENTITY, [canary(5, 50)]);
      const before = await db.knex('environment_traffic').select();
      await db.store.putTraffic(ENTITY, [canary(5, 50), canary(3, 10)]);
      await db.store.putTraffic(ENTITY, [canary(3, 10)]);
      expect(await db.knex('environment_traffic').select()).toEqual(before);
      expect(
        (await db.store.getTraffic(ENTITY)).production.shares[0].percent,
      ).toBe(50);
    });

    it('refuses a share outside 0 to 100 or a bad time, writing nothing', async () => {
      await expect(
        db.store.putTraffic(ENTITY, [
          { ...canary(1, 10), environment: 'staging' },
          canary(1, 120),
        ]),
      ).rejects.toThrow("Invalid share '120'");
      await expect(
        db.store.putTraffic(ENTITY, [{ ...canary(1, 10), at: 'now' }]),
      ).rejects.toThrow(InputError);
      expect(await db.store.getTraffic(ENTITY)).toEqual({});
    });
  },
);
