import { createHash } from 'node:crypto';
import { Knex } from 'knex';

/*
 * Named prepared statements on PostgreSQL. The `pg` driver parses a named
 * statement once per connection and then only binds and executes it, and
 * PostgreSQL keeps its parse tree (and, once it finds a generic plan as good
 * as the custom ones, that plan): a page read that repeats the same few
 * statements then spends less of the shared CPU on parsing and planning
 * them (docs/performance.md). Knex carries the name to the driver as the
 * statement's options, so it still acquires and releases the connection and
 * emits its query events. SQLite statements are left as they are.
 */

const names = new Map<string, string>();

/** Texts remembered with their names; beyond it a name is computed again. */
const REMEMBERED = 500;

/**
 * The name of a statement's text: the same for the same text, another for
 * another text (a digest of it), so a connection never holds two texts
 * under one name.
 */
export function statementName(sql: string): string {
  const known = names.get(sql);
  if (known) return known;
  const name = `stagecraft_${createHash('sha256')
    .update(sql)
    .digest('hex')
    .slice(0, 32)}`;
  if (names.size < REMEMBERED) names.set(sql, name);
  return name;
}

/** Whether statements on this database are sent as named prepared statements. */
export function preparesStatements(db: Knex): boolean {
  return db.client.config.client === 'pg';
}

/**
 * A raw statement (`?` bindings), named after its text on PostgreSQL. Only
 * for texts that repeat: each distinct text stays prepared on each pooled
 * connection that ran it.
 */
export function preparedRaw(
  db: Knex,
  sql: string,
  bindings: readonly Knex.RawBinding[],
): Knex.Raw {
  const raw = db.raw(sql, bindings as Knex.RawBinding[]);
  return preparesStatements(db)
    ? raw.options({ name: statementName(sql) })
    : raw;
}

/**
 * `column` is one of `values`, as a condition with its bindings. On
 * PostgreSQL `column = ANY(?)` with the values bound as one array, so the
 * text is the same however many values there are and can be prepared; on
 * SQLite `column IN (?, …)` (false for no values).
 */
export function oneOf(
  db: Knex,
  column: string,
  values: ReadonlyArray<string | number>,
): { sql: string; bindings: Knex.RawBinding[] } {
  if (preparesStatements(db)) {
    return {
      sql: `${column} = ANY(?)`,
      bindings: [values as string[] | number[]],
    };
  }
  if (values.length === 0) return { sql: '0 = 1', bindings: [] };
  return {
    sql: `${column} IN (${values.map(() => '?').join(', ')})`,
    bindings: [...values],
  };
}

/** The rows of a raw statement's result (PostgreSQL's driver has them in `rows`). */
export function rowsOf<T>(result: T[] | { rows: T[] }): T[] {
  return Array.isArray(result) ? result : result.rows;
}

/**
 * The rows of a query built with Knex, sent on PostgreSQL as a named
 * prepared statement of the text Knex built. For queries whose text repeats
 * (the same conditions, lists of a bounded length).
 */
export async function preparedRows<T>(
  db: Knex,
  query: Knex.QueryBuilder,
): Promise<T[]> {
  if (!preparesStatements(db)) return (await query) as T[];
  const { sql, bindings } = query.toSQL();
  return rowsOf<T>(await preparedRaw(db, sql, bindings));
}
