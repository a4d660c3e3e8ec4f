import {
  ENTITY,
  OTHER,
  at,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexSyncStateStore on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('sync state', () => {
      it('keeps the cursor and the last success through a failure', async () => {
        const first = new Date(at(0));
        await db.store.recordSyncSuccess({
          entityRef: ENTITY,
          provider: 'github',
          cursor: 'etag-1',
          at: first,
        });
        await db.store.recordSyncFailure({
          entityRef: ENTITY,
          provider: 'github',
          error: 'GitHub answered 502',
          at: new Date(at(5)),
        });

        expect(await db.store.getSyncState(ENTITY, 'github')).toEqual({
          cursor: 'etag-1',
          lastSuccessAt: at(0),
          lastAttemptAt: at(5),
          lastError: 'GitHub answered 502',
          lastErrorAt: at(5),
        });
        expect(await db.store.listSyncStatus(ENTITY)).toEqual([
          {
            provider: 'github',
            lastSuccessAt: at(0),
            lastAttemptAt: at(5),
            lastError: 'GitHub answered 502',
            lastErrorAt: at(5),
            stale: true,
          },
        ]);

        await db.store.recordSyncSuccess({
          entityRef: ENTITY,
          provider: 'github',
          cursor: 'etag-2',
          at: new Date(at(10)),
        });
        expect(await db.store.listSyncStatus(ENTITY)).toEqual([
          {
            provider: 'github',
            lastSuccessAt: at(10),
            lastAttemptAt: at(10),
            stale: false,
          },
        ]);
        expect(await db.store.getSyncState(OTHER, 'github')).toBeUndefined();
      });

      it('records a failure of an entity that never synced', async () => {
        await db.store.recordSyncFailure({
          entityRef: ENTITY,
          provider: 'aws',
          error: 'AccessDenied',
          at: new Date(at(1)),
        });
        expect(await db.store.listSyncStatus(ENTITY)).toEqual([
          expect.objectContaining({ provider: 'aws', stale: true }),
        ]);
      });
    });
  },
);
