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
import { fullScans, statementsOf } from '../__testUtils__/queryPlans';
import { KnexEnvironmentPage } from './KnexEnvironmentPage';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'Indexes of the environments page on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    beforeEach(async () => {
      const { store } = db;
      for (const entity of [ENTITY, OTHER]) {
        await store.upsertDeployments(
          entity,
          'github',
          [1, 2, 3, 4].map(n =>
            report(String(n), {
              environment: PATH[(n - 1) % 3],
              version: { sha: sha(n) },
              createdAt: at(n * 10),
              statuses: [status('success', n * 10 + 2)],
            }),
          ),
        );
        await store.setEntityTargets(entity, 'github', [
          {
            key: 'acme/payments',
            routingKeys: ['acme/payments'],
            environments: 'all',
          },
        ]);
        await store.openGates(entity, 'github', 'acme/payments', [gate('1')]);
        await store.recordSyncSuccess({
          entityRef: entity,
          provider: 'github',
          targetKey: 'acme/payments',
          at: new Date(at(0)),
        });
        await store.putTraffic(entity, [
          {
            environment: 'production',
            provider: 'github',
            at: at(50),
            shares: [{ version: { sha: sha(3) }, percent: 100 }],
          },
        ]);
        await store.putCachedDiff(entity, 'github', sha(2), sha(1), {
          status: 'ahead',
          aheadBy: 1,
          behindBy: 0,
          totalCommits: 1,
          commits: [],
          files: [],
          additions: 0,
          deletions: 0,
        });
      }
    });

    it('sees a query that no index serves', async () => {
      const [statement] = await statementsOf(db.knex, () =>
        db.knex('sync_state').where('last_error', 'throttled').select(),
      );
      expect(await fullScans(db.knex, statement)).toHaveLength(1);
    });

    it('serves the page from indexes', async () => {
      const statements = await statementsOf(db.knex, () =>
        new KnexEnvironmentPage(db.knex).getEnvironmentPage(ENTITY, PATH, {
          changeSource: 'github',
        }),
      );
      // The small tables and the diffs, beside the states' own statements.
      expect(statements.length).toBeGreaterThan(3);
      for (const statement of statements) {
        // SQLite walks the statements' own bounded parts: the subqueries the
        // small tables are aggregated from (rows an index found) and the
        // traffic rows' shares (json_each). Any other scan is of a table.
        const bounded = /^SCAN (\(subquery-\d+\)|share VIRTUAL TABLE INDEX)/;
        const scans = await fullScans(db.knex, statement);
        expect({
          sql: statement.sql,
          scans: scans.filter(line => !bounded.test(line)),
        }).toEqual({ sql: statement.sql, scans: [] });
      }
    });
  },
);
