import { InputError } from '@backstage/errors';
import {
  ENTITY,
  OTHER,
  report,
  sha,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

import { loadLinks, loadVersionLinks } from './KnexDeploymentLinks';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexDeploymentLinks on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    const samDeploy = {
      provider: 'github',
      providerDeploymentId: 'run-812',
      environment: 'production',
      sha: sha(1).toUpperCase(),
      url: 'https://github.com/acme/payments/actions/runs/812',
      label: 'run #812',
    };

    beforeEach(async () => {
      await db.store.upsertDeployments(ENTITY, 'aws', [
        report('d-1', { environment: 'production' }),
        report('d-2', { environment: 'staging' }),
      ]);
    });

    it('shows another provider’s report of the rollout on the owner’s deployment', async () => {
      await db.store.addDeploymentLinks(ENTITY, [samDeploy]);
      const expected = [
        {
          provider: 'github',
          providerDeploymentId: 'run-812',
          url: 'https://github.com/acme/payments/actions/runs/812',
          label: 'run #812',
        },
      ];
      expect((await db.store.getDeployment(ENTITY, 'aws:d-1'))?.links).toEqual(
        expected,
      );
      const states = await db.store.getEnvironmentStates(ENTITY, [
        'staging',
        'production',
      ]);
      expect(states.production.current?.links).toEqual(expected);
      // Same commit, other environment: not the same rollout.
      expect(states.staging.current?.links).toBeUndefined();
    });

    it('finds the same links by version as by deployment, of one entity only', async () => {
      await db.store.addDeploymentLinks(ENTITY, [samDeploy]);
      await db.store.upsertDeployments(OTHER, 'aws', [
        report('d-1', { environment: 'production' }),
      ]);
      await db.store.addDeploymentLinks(OTHER, [
        { ...samDeploy, providerDeploymentId: 'run-900' },
      ]);
      const rows = await db.knex('deployments').where('entity_ref', ENTITY);
      expect(rows).toHaveLength(2);
      const byDeployment = await loadLinks(db.knex, rows);
      const byVersion = await loadVersionLinks(db.knex, ENTITY, [
        rows[0].sha,
        rows[0].sha,
      ]);
      for (const row of rows) {
        expect(byVersion(row)).toEqual(byDeployment(row));
      }
      const production = rows.find(row => row.environment === 'production');
      expect(
        byVersion(production).map(link => link.providerDeploymentId),
      ).toEqual(['run-812']);
      expect((await loadVersionLinks(db.knex, ENTITY, []))(production)).toEqual(
        [],
      );
    });

    it('keeps links of entities apart', async () => {
      await db.store.upsertDeployments(OTHER, 'aws', [
        report('d-1', { environment: 'production' }),
      ]);
      await db.store.addDeploymentLinks(OTHER, [samDeploy]);
      expect(
        (await db.store.getDeployment(ENTITY, 'aws:d-1'))?.links,
      ).toBeUndefined();
      expect(
        (await db.store.getDeployment(OTHER, 'aws:d-1'))?.links,
      ).toHaveLength(1);
    });

    it('changes nothing when links are replayed, and fills in what a later report adds', async () => {
      const { label: _label, ...withoutLabel } = samDeploy;
      await db.store.addDeploymentLinks(ENTITY, [withoutLabel, withoutLabel]);
      await db.store.addDeploymentLinks(ENTITY, [samDeploy]);
      const before = await db.knex('deployment_links').select();
      await db.store.addDeploymentLinks(ENTITY, [samDeploy, withoutLabel]);
      const after = await db.knex('deployment_links').select();
      expect(after).toEqual(before);
      expect(after).toHaveLength(1);
      expect(after[0].label).toBe('run #812');
    });

    it('refuses a link without a version, writing none', async () => {
      await expect(
        db.store.addDeploymentLinks(ENTITY, [
          { ...samDeploy, providerDeploymentId: 'run-813' },
          { ...samDeploy, sha: '' },
        ]),
      ).rejects.toThrow(InputError);
      expect(await db.knex('deployment_links').select()).toEqual([]);
    });
  },
);
