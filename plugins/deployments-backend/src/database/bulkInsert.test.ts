import { Knex } from 'knex';
import { BULK_INSERT_ROWS, bulkInsert } from './bulkInsert';
import { storeTestDatabases } from './__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())('bulkInsert on %p', databaseId => {
  let db: Knex;

  beforeAll(async () => {
    db = await databases.init(databaseId);
    await db.schema.createTable('bulk_items', table => {
      table.string('key', 64).notNullable();
      table.integer('n').notNullable();
      table.text('label');
      table.boolean('flag').notNullable();
      table.dateTime('at', { useTz: true }).notNullable();
      table.float('share');
      table.primary(['key', 'n']);
    });
  });

  beforeEach(async () => {
    await db('bulk_items').delete();
  });

  const item = (n: number, extra: Record<string, unknown> = {}) => ({
    key: `k'"${n % 3}`,
    n,
    label: n % 2 ? `label ${n} \u00e9 "quoted" \\ back` : null,
    flag: n % 2 === 0,
    at: new Date(Date.UTC(2026, 11, 1, 12, 0, 0, n)),
    share: n / 4,
    ...extra,
  });

  const stored = async () =>
    (await db('bulk_items').orderBy('n')).map(row => ({
      key: row.key,
      n: Number(row.n),
      label: row.label,
      flag: Boolean(row.flag),
      at: new Date(row.at).toISOString(),
      share: row.share === null ? null : Number(row.share),
    }));

  it('writes every column as a parameterised insert would: text, numbers, booleans, nulls and dates to the millisecond', async () => {
    const rows = [0, 1, 2, 3].map(n => item(n));
    await bulkInsert(db, 'bulk_items', rows, {
      onConflict: { columns: ['key', 'n'] },
    });
    expect(await stored()).toEqual(
      rows.map(row => ({ ...row, at: row.at.toISOString() })),
    );
  });

  it('keeps the stored row on a conflict and returns only the rows it inserted', async () => {
    await bulkInsert(db, 'bulk_items', [item(1, { label: 'first' })], {
      onConflict: { columns: ['key', 'n'] },
    });
    const inserted = await bulkInsert<{ n: number }>(
      db,
      'bulk_items',
      [item(1, { label: 'second' }), item(2)],
      { onConflict: { columns: ['key', 'n'] }, returning: ['n'] },
    );
    expect(inserted.map(row => Number(row.n))).toEqual([2]);
    expect((await stored()).map(row => row.label)).toEqual(['first', null]);
  });

  it('merges a conflicting row with the expressions it is given', async () => {
    await bulkInsert(db, 'bulk_items', [item(1, { label: 'kept', n: 1 })], {
      onConflict: { columns: ['key', 'n'] },
    });
    await bulkInsert(db, 'bulk_items', [item(1, { label: null, share: 9 })], {
      onConflict: {
        columns: ['key', 'n'],
        merge: {
          label: 'COALESCE(excluded.label, bulk_items.label)',
          share: 'excluded.share',
        },
      },
    });
    expect(await stored()).toEqual([
      expect.objectContaining({ n: 1, label: 'kept', share: 9 }),
    ]);
  });

  it('splits inserts larger than one statement and returns the rows of all of them', async () => {
    const rows = Array.from({ length: BULK_INSERT_ROWS + 7 }, (_, n) =>
      item(n),
    );
    const inserted = await bulkInsert(db, 'bulk_items', rows, {
      onConflict: { columns: ['key', 'n'] },
      returning: ['n'],
    });
    expect(inserted).toHaveLength(rows.length);
    expect(await db('bulk_items').count({ count: '*' })).toEqual([
      {
        count: databaseId.startsWith('POSTGRES')
          ? String(rows.length)
          : rows.length,
      },
    ]);
  });

  it('writes all of its rows or none: a row the table refuses leaves none of the others', async () => {
    const rows = [item(1), item(2), { ...item(3), n: null }, item(4)];
    // The driver's error, from outside the test's realm (better-sqlite3 is
    // loaded once per worker), so compared by its message.
    const refused = await bulkInsert(db, 'bulk_items', rows, {
      onConflict: { columns: ['key', 'n'] },
      returning: ['n'],
    }).then(
      () => 'inserted',
      (error: unknown) => String(error),
    );
    expect(refused).toMatch(/not.null/i);
    expect(await stored()).toEqual([]);
  });

  it('writes on the connection of the transaction it is given: the rows go when the transaction rolls back', async () => {
    const rolledBack = new Error('roll back');
    await expect(
      db.transaction(async tx => {
        const inserted = await bulkInsert<{ n: number }>(
          tx,
          'bulk_items',
          [item(1), item(2)],
          { onConflict: { columns: ['key', 'n'] }, returning: ['n'] },
        );
        expect(inserted.map(row => Number(row.n))).toEqual([1, 2]);
        expect(await tx('bulk_items').count({ count: '*' })).toEqual([
          { count: databaseId.startsWith('POSTGRES') ? '2' : 2 },
        ]);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(await stored()).toEqual([]);
  });

  it('writes the columns each call names, whatever an earlier call on the same table named', async () => {
    const { share: _share, ...withoutShare } = item(1);
    await bulkInsert(db, 'bulk_items', [withoutShare], {
      onConflict: { columns: ['key', 'n'] },
    });
    await bulkInsert(db, 'bulk_items', [item(2, { share: 7 })], {
      onConflict: { columns: ['key', 'n'] },
    });
    expect((await stored()).map(({ n, share }) => ({ n, share }))).toEqual([
      { n: 1, share: null },
      { n: 2, share: 7 },
    ]);
  });

  it('does nothing for no rows', async () => {
    await expect(
      bulkInsert(db, 'bulk_items', [], { onConflict: { columns: ['key'] } }),
    ).resolves.toEqual([]);
  });
});
