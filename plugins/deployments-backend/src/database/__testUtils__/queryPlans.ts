import { Knex } from 'knex';

/*
 * What the index tests of the store read: the statements a call sends and
 * the lines of their plans that read a whole table, on SQLite and PostgreSQL.
 */

/** The statements a store call sends, with their bindings. */
export async function statementsOf(
  knex: Knex,
  call: () => Promise<unknown>,
): Promise<Array<{ sql: string; bindings: readonly unknown[] }>> {
  const seen: Array<{ sql: string; bindings: readonly unknown[] }> = [];
  const listener = (query: { sql: string; bindings?: readonly unknown[] }) =>
    seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', listener);
  try {
    await call();
  } finally {
    knex.removeListener('query', listener);
  }
  return seen.filter(s => /^\s*(select|with|delete)/i.test(s.sql));
}

/**
 * The plan lines that read a whole table. PostgreSQL is told to avoid
 * sequential scans, so one shows only where no index serves the query
 * (on tables this small it would otherwise prefer one anyway).
 */
export async function fullScans(
  knex: Knex,
  statement: { sql: string; bindings: readonly unknown[] },
): Promise<string[]> {
  if (knex.client.config.client === 'pg') {
    return knex.transaction(async tx => {
      await tx.raw('SET LOCAL enable_seqscan = off');
      // The query event shows PostgreSQL's numbered placeholders.
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
  // `SCAN x` without an index; the bounded subqueries of the environment
  // states aside (`lookup_n`: one row, `before_n`: two rows), whose own
  // reads of `deployments` must still use an index.
  return plan
    .map(row => row.detail)
    .filter(
      detail =>
        /^SCAN /.test(detail) &&
        !/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|^SCAN (lookup|before)_\d+|CONSTANT ROW/.test(
          detail,
        ),
    );
}
