import {
  ENTITY,
  OTHER,
  PATH,
  at,
  report,
  sha,
  status,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';
import { fullScans, statementsOf } from '../__testUtils__/queryPlans';
import { KnexDeliveryMetrics } from './KnexDeliveryMetrics';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'Indexes of the delivery metrics on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    beforeEach(async () => {
      for (const entity of [ENTITY, OTHER]) {
        await db.store.upsertDeployments(
          entity,
          'github',
          [1, 2, 3, 4, 5, 6].map(n =>
            report(String(n), {
              environment: PATH[(n - 1) % 3],
              version: { sha: sha(Math.ceil(n / 3)) },
              createdAt: at(n * 10),
              statuses: [
                status('in_progress', n * 10),
                status(n === 6 ? 'failure' : 'success', n * 10 + 5),
              ],
            }),
          ),
        );
      }
    });

    it('sees a query that no index serves', async () => {
      const [statement] = await statementsOf(db.knex, () =>
        db.knex('deployments').where('triggered_by', 'alice').select(),
      );
      expect(await fullScans(db.knex, statement)).toHaveLength(1);
    });

    it("serves one entity's classification from indexes", async () => {
      const statements = await statementsOf(db.knex, () =>
        new KnexDeliveryMetrics(db.knex).classify({
          entityRef: ENTITY,
          environment: 'production',
          since: new Date(at(25)),
          until: new Date(at(100)),
          now: new Date(at(200)),
          rules: { hotfixWindowMs: 0, hotfixPattern: /^hotfix/i },
        }),
      );
      // The deployments, their statuses, their versions' first sightings,
      // and their versions' earlier successes there.
      expect(statements.length).toBe(4);
      for (const statement of statements) {
        expect({
          sql: statement.sql,
          scans: await fullScans(db.knex, statement),
        }).toEqual({ sql: statement.sql, scans: [] });
      }
    });
  },
);
