import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { KnexDeploymentStore } from './KnexDeploymentStore';
import { storeTestDatabases, useStore } from './__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexDeploymentStore on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('migrations', () => {
      it('can be rolled back completely and applied again', async () => {
        const directory = resolvePackagePath(
          '@stagecraft/plugin-deployments-backend',
          'migrations',
        );
        await db.knex.migrate.rollback({ directory }, true);
        expect(await db.knex.schema.hasTable('deployments')).toBe(false);
        expect(await db.knex.schema.hasTable('audit_log')).toBe(false);
        await db.knex.migrate.latest({ directory });
        expect(await db.knex.schema.hasTable('deployments')).toBe(true);
        expect(await db.knex.schema.hasTable('promotion_requests')).toBe(true);
      });

      it('skips migrations when the database says so', async () => {
        const fresh = await databases.init(databaseId);
        await KnexDeploymentStore.create({
          database: {
            getClient: async () => fresh,
            migrations: { skip: true },
          },
        });
        expect(await fresh.schema.hasTable('deployments')).toBe(false);
      });
    });
  },
);
