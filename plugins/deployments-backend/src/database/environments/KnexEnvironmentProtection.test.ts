import { InputError } from '@backstage/errors';
import {
  ENTITY,
  OTHER,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexEnvironmentProtection on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    const production = {
      environment: 'production',
      requiredReviewers: [{ type: 'team' as const, name: 'sre' }],
      waitTimerMinutes: 10,
      url: 'https://github.com/acme/payments/settings/environments/1',
    };

    it('replaces the protection of one target only', async () => {
      await db.store.replaceEnvironmentProtection(
        ENTITY,
        'github',
        'acme/payments',
        [production, { environment: 'staging', requiredReviewers: [] }],
      );
      await db.store.replaceEnvironmentProtection(ENTITY, 'aws', 'pipeline', [
        { environment: 'production', requiredReviewers: [] },
      ]);
      await db.store.replaceEnvironmentProtection(
        OTHER,
        'github',
        'acme/payments',
        [production],
      );
      await db.store.replaceEnvironmentProtection(
        ENTITY,
        'github',
        'acme/payments',
        [production],
      );
      expect(await db.store.listEnvironmentProtection(ENTITY)).toEqual([
        {
          provider: 'aws',
          targetKey: 'pipeline',
          environment: 'production',
          requiredReviewers: [],
        },
        { provider: 'github', targetKey: 'acme/payments', ...production },
      ]);
      await db.store.replaceEnvironmentProtection(
        ENTITY,
        'github',
        'acme/payments',
        [],
      );
      expect(await db.store.listEnvironmentProtection(ENTITY)).toHaveLength(1);
      expect(await db.store.listEnvironmentProtection(OTHER)).toHaveLength(1);
    });

    it('changes nothing when the same protection is replayed', async () => {
      await db.store.replaceEnvironmentProtection(
        ENTITY,
        'github',
        'acme/payments',
        [production, production],
      );
      const before = await db.store.listEnvironmentProtection(ENTITY);
      await db.store.replaceEnvironmentProtection(
        ENTITY,
        'github',
        'acme/payments',
        [production],
      );
      expect(await db.store.listEnvironmentProtection(ENTITY)).toEqual(before);
      expect(before).toHaveLength(1);
    });

    it('refuses protection without an environment, keeping what was stored', async () => {
      await db.store.replaceEnvironmentProtection(
        ENTITY,
        'github',
        'acme/payments',
        [production],
      );
      await expect(
        db.store.replaceEnvironmentProtection(
          ENTITY,
          'github',
          'acme/payments',
          [{ environment: '', requiredReviewers: [] }],
        ),
      ).rejects.toThrow(InputError);
      expect(await db.store.listEnvironmentProtection(ENTITY)).toHaveLength(1);
    });
  },
);
