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
import { KnexSkewAudit } from './KnexSkewAudit';
import { fullScans, statementsOf } from '../__testUtils__/queryPlans';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'Indexes of the promotion-skew audit on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    beforeEach(async () => {
      for (const entity of [ENTITY, OTHER]) {
        await db.store.upsertDeployments(
          entity,
          'github',
          [1, 2, 3, 4].map(n =>
            report(String(n), {
              environment: PATH[(n - 1) % 3],
              version: { sha: sha(n) },
              createdAt: at(n * 10),
              statuses: [
                status('waiting', n * 10),
                status('success', n * 10 + 5),
              ],
            }),
          ),
        );
      }
    });

    const soak = () => 30 * 60_000;
    const range = { since: new Date(at(0)), until: new Date(at(100)) };
    const calls: Array<[string, (audit: KnexSkewAudit) => Promise<unknown>]> = [
      [
        "one entity's findings",
        audit =>
          audit.entityFindings({
            entityRef: ENTITY,
            path: PATH,
            minimumSoak: soak,
            range,
            page: { limit: 50 },
          }),
      ],
      [
        'findings across entities',
        audit =>
          audit.findingsAcross({
            visible: async refs => new Map(refs.map(ref => [ref, PATH])),
            minimumSoak: soak,
            range,
            page: { limit: 50 },
          }),
      ],
    ];

    it('sees a query that no index serves', async () => {
      const [statement] = await statementsOf(db.knex, () =>
        db.knex('deployments').where('triggered_by', 'alice').select(),
      );
      expect(await fullScans(db.knex, statement)).toHaveLength(1);
    });

    it.each(calls)('serves %s from indexes', async (_name, call) => {
      const statements = await statementsOf(db.knex, () =>
        call(new KnexSkewAudit(db.knex)),
      );
      // The deployments, their statuses, and the previous environments' successes.
      expect(statements.length).toBe(3);
      for (const statement of statements) {
        expect({
          sql: statement.sql,
          scans: await fullScans(db.knex, statement),
        }).toEqual({ sql: statement.sql, scans: [] });
      }
    });
  },
);
