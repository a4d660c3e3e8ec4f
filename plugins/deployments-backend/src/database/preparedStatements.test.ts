import { storeTestDatabases, useStore } from './__testUtils__/storeTestKit';
import {
  oneOf,
  preparedRaw,
  preparedRows,
  preparesStatements,
  statementName,
} from './preparedStatements';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe('statementName', () => {
  it('is the same for the same text and distinct for another', () => {
    const a = 'SELECT 1 WHERE ? = ?';
    expect(statementName(a)).toBe(statementName(`SELECT 1 WHERE ? = ?`));
    expect(statementName(a)).not.toBe(statementName('SELECT 1 WHERE ? = ? '));
    expect(statementName(a)).not.toBe(statementName('SELECT 2 WHERE ? = ?'));
    // PostgreSQL keeps 63 bytes of a name.
    expect(statementName(a)).toMatch(/^stagecraft_[0-9a-f]{32}$/);
  });

  it('names texts beyond those it remembers the same way', () => {
    const texts = Array.from({ length: 600 }, (_, n) => `SELECT ${n}`);
    const first = texts.map(statementName);
    expect(new Set(first).size).toBe(texts.length);
    expect(texts.map(statementName)).toEqual(first);
  });
});

describe.each(databases.eachSupportedId())('preparedRaw on %p', databaseId => {
  const db = useStore(databases, databaseId);
  const pg = () => databaseId.startsWith('POSTGRES');

  const rows = (result: any) => (Array.isArray(result) ? result : result.rows);

  /** Rows to read back: sync state of some targets of an entity. */
  const syncTargets = (entityRef: string, targets: string[]) =>
    db.knex('sync_state').insert(
      targets.map(target => ({
        entity_ref: entityRef,
        provider: 'github',
        target_key: target,
        last_attempt_at: new Date(0),
      })),
    );

  it('prepares only on PostgreSQL', () => {
    expect(preparesStatements(db.knex)).toBe(pg());
  });

  it('returns what the unprepared statement returns, every time', async () => {
    await syncTargets('component:default/x', ['a', 'b', 'c']);
    const sql =
      'SELECT target_key FROM sync_state WHERE entity_ref = ? AND target_key <> ? ORDER BY target_key';
    const bindings = ['component:default/x', 'b'];
    const plain = rows(await db.knex.raw(sql, bindings));
    expect(plain).toEqual([{ target_key: 'a' }, { target_key: 'c' }]);
    // More than PostgreSQL's five custom plans, on every pooled connection.
    for (let n = 0; n < 12; n++) {
      expect(rows(await preparedRaw(db.knex, sql, bindings))).toEqual(plain);
    }
    expect(
      rows(await preparedRaw(db.knex, sql, ['component:default/x', 'a'])).map(
        (row: { target_key: string }) => row.target_key,
      ),
    ).toEqual(['b', 'c']);
  });

  it('keeps each text prepared under its own name on the connection (PostgreSQL)', async () => {
    if (!pg()) return;
    const one = 'SELECT CAST(? AS int) + 1 AS n';
    const two = 'SELECT CAST(? AS int) + 2 AS n';
    const prepared = await db.knex.transaction(async tx => {
      expect(rows(await preparedRaw(tx, one, [1]))).toEqual([{ n: 2 }]);
      expect(rows(await preparedRaw(tx, two, [1]))).toEqual([{ n: 3 }]);
      expect(rows(await preparedRaw(tx, one, [5]))).toEqual([{ n: 6 }]);
      return rows(
        await tx.raw(
          "SELECT name FROM pg_prepared_statements WHERE name LIKE 'stagecraft_%' ORDER BY name",
        ),
      ).map((row: { name: string }) => row.name);
    });
    expect(prepared).toEqual([statementName(one), statementName(two)].sort());
  });

  it('releases the connection when a statement fails', async () => {
    const pool = (db.knex.client as any).pool;
    const failing = 'SELECT * FROM no_such_table WHERE id = ?';
    // More failures than the pool has connections.
    for (let n = 0; n < 15; n++) {
      // better-sqlite3's errors come from another realm once a worker has
      // loaded it: compared by message.
      const refused = await preparedRaw(db.knex, failing, [n]).then(
        () => undefined,
        (e: { message?: string }) => e,
      );
      expect(String(refused?.message)).toMatch(/no_such_table/);
    }
    expect(pool.numUsed()).toBe(0);
    // The name of a statement that never parsed is free for its text later.
    await db.knex.schema.createTable('no_such_table', table => {
      table.integer('id');
    });
    await db.knex('no_such_table').insert({ id: 3 });
    expect(rows(await preparedRaw(db.knex, failing, [3]))).toEqual([{ id: 3 }]);
    expect(pool.numUsed()).toBe(0);
  });

  it('prepares a query Knex built and returns its rows, every time', async () => {
    await syncTargets('component:default/y', ['a', 'b', 'c', 'd']);
    const query = () =>
      db
        .knex('sync_state')
        .where('entity_ref', 'component:default/y')
        .whereIn('target_key', ['a', 'c', 'd'])
        .orderBy('target_key', 'desc')
        .limit(2)
        .select('target_key');
    const plain = await query();
    expect(plain).toEqual([{ target_key: 'd' }, { target_key: 'c' }]);
    for (let n = 0; n < 8; n++) {
      expect(await preparedRows(db.knex, query())).toEqual(plain);
    }
  });

  it('matches one of a list with one text for any length', async () => {
    await syncTargets('component:default/z', ['a', 'b', 'c']);
    const texts = new Set<string>();
    const targets = async (values: string[]) => {
      const condition = oneOf(db.knex, 'target_key', values);
      texts.add(condition.sql);
      return rows(
        await preparedRaw(
          db.knex,
          `SELECT target_key FROM sync_state WHERE entity_ref = ? AND ${condition.sql} ORDER BY target_key`,
          ['component:default/z', ...condition.bindings],
        ),
      ).map((row: { target_key: string }) => row.target_key);
    };
    expect(await targets(['c', 'a', 'x'])).toEqual(['a', 'c']);
    expect(await targets(['b'])).toEqual(['b']);
    expect(await targets([])).toEqual([]);
    // PostgreSQL: one text (so one prepared statement) for every length.
    expect(texts.size).toBe(pg() ? 1 : 3);
  });
});
