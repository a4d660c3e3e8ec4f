import { Knex } from 'knex';
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

jest.setTimeout(60_000);

const databases = storeTestDatabases();

/** The reads a call sends, with their bindings. */
async function readsOf(knex: Knex, call: () => Promise<unknown>) {
  const seen: Array<{ sql: string; bindings: readonly unknown[] }> = [];
  const listener = (query: { sql: string; bindings?: readonly unknown[] }) =>
    seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', listener);
  try {
    await call();
  } finally {
    knex.removeListener('query', listener);
  }
  return seen.filter(s => /^\s*select/i.test(s.sql));
}

/** Plan lines that read a whole table (PostgreSQL told to avoid sequential scans, as in queryPlans.test.ts). */
async function fullScans(
  knex: Knex,
  statement: { sql: string; bindings: readonly unknown[] },
): Promise<string[]> {
  if (knex.client.config.client === 'pg') {
    return knex.transaction(async tx => {
      await tx.raw('SET LOCAL enable_seqscan = off');
      const { rows } = await tx.raw(
        `EXPLAIN ${statement.sql.replace(/\$\d+/g, '?')}`,
        statement.bindings as any[],
      );
      return rows
        .map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN'])
        .filter((line: string) => /Seq Scan/.test(line));
    });
  }
  const plan: Array<{ detail: string }> = await knex.raw(
    `EXPLAIN QUERY PLAN ${statement.sql}`,
    statement.bindings as any[],
  );
  return plan
    .map(row => row.detail)
    .filter(
      detail =>
        /^SCAN /.test(detail) &&
        !/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|CONSTANT ROW/.test(
          detail,
        ),
    );
}

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
      const [statement] = await readsOf(db.knex, () =>
        db.knex('deployments').where('triggered_by', 'alice').select(),
      );
      expect(await fullScans(db.knex, statement)).toHaveLength(1);
    });

    it.each(calls)('serves %s from indexes', async (_name, call) => {
      const statements = await readsOf(db.knex, () =>
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
