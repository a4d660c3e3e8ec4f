import knexFactory, { Knex } from 'knex';
import { KnexDeploymentStore } from '../KnexDeploymentStore';
import {
  ENTITY,
  report,
  storeTestDatabases,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

/**
 * Provider ingest commits without waiting for its WAL flush on PostgreSQL
 * (SET LOCAL synchronous_commit = off in upsertDeployments' transaction);
 * everything else on the same connection stays synchronous. On SQLite the
 * ingest leaves the connection's settings as it found them.
 */
describe.each(databases.eachSupportedId())(
  'Durability of provider ingest on %p',
  databaseId => {
    let knex: Knex;
    let store: KnexDeploymentStore;

    const onPostgres = databaseId.startsWith('POSTGRES');

    beforeEach(async () => {
      const base = await databases.init(databaseId);
      // One connection, so what the ingest leaves on it is what the next
      // statement sees.
      knex = knexFactory({ ...base.client.config, pool: { min: 1, max: 1 } });
      store = await KnexDeploymentStore.create({
        database: { getClient: async () => knex },
      });
      if (!onPostgres) return;
      // What the ingest's own statements run with, recorded by the database.
      await knex.raw(`
        CREATE TABLE commit_modes (mode text NOT NULL);
        CREATE FUNCTION record_commit_mode() RETURNS trigger AS $$
        BEGIN
          INSERT INTO commit_modes VALUES (current_setting('synchronous_commit'));
          RETURN NULL;
        END $$ LANGUAGE plpgsql;
        CREATE TRIGGER deployments_commit_mode AFTER INSERT ON deployments
          FOR EACH STATEMENT EXECUTE FUNCTION record_commit_mode();`);
    });

    afterEach(async () => {
      if (onPostgres) {
        await knex.raw(`
        DROP TRIGGER IF EXISTS deployments_commit_mode ON deployments;
        DROP FUNCTION IF EXISTS record_commit_mode();
        DROP TABLE IF EXISTS commit_modes;`);
      }
      await knex.destroy();
    });

    if (!onPostgres) {
      it('leaves the SQLite connection as synchronous as it was', async () => {
        const mode = async () =>
          (await knex.raw('PRAGMA synchronous'))[0].synchronous;
        const before = await mode();
        await store.upsertDeployments(ENTITY, 'github', [report('1')]);
        expect(await mode()).toBe(before);
        expect(await store.getDeployment(ENTITY, 'github:1')).toBeDefined();
      });
      return;
    }

    it('writes deployments with synchronous_commit off, and only inside its own transaction', async () => {
      const mode = async () =>
        (await knex.raw('SHOW synchronous_commit')).rows[0].synchronous_commit;
      expect(await mode()).toBe('on');

      await store.upsertDeployments(ENTITY, 'github', [report('1')]);

      expect(
        (await knex('commit_modes').select('mode')).map(row => row.mode),
      ).toEqual(['off']);
      // The same connection, after the ingest: a user action, the sync
      // cursor and the audit commit synchronously.
      expect(await mode()).toBe('on');
      await knex.transaction(async tx => {
        await tx('deployments').insert({
          provider: 'manual',
          provider_deployment_id: 'x',
          entity_ref: ENTITY,
          environment: 'dev',
          sha: 'abc',
          state: 'success',
          created_at: new Date(),
          updated_at: new Date(),
        });
      });
      expect(
        (await knex('commit_modes').select('mode')).map(row => row.mode),
      ).toEqual(['off', 'on']);
    });
  },
);
