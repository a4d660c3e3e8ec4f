import { InputError } from '@backstage/errors';
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
          targetKey: 'acme/payments',
          cursor: 'etag-1',
          at: first,
        });
        await db.store.recordSyncFailure({
          entityRef: ENTITY,
          provider: 'github',
          targetKey: 'acme/payments',
          error: 'GitHub answered 502',
          at: new Date(at(5)),
        });

        expect(
          await db.store.getSyncState(ENTITY, 'github', 'acme/payments'),
        ).toEqual({
          targetKey: 'acme/payments',
          cursor: 'etag-1',
          lastSuccessAt: at(0),
          lastAttemptAt: at(5),
          lastError: 'GitHub answered 502',
          lastErrorAt: at(5),
        });
        expect(await db.store.listSyncStatus(ENTITY)).toEqual([
          {
            provider: 'github',
            target: 'acme/payments',
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
          targetKey: 'acme/payments',
          cursor: 'etag-2',
          at: new Date(at(10)),
        });
        expect(await db.store.listSyncStatus(ENTITY)).toEqual([
          {
            provider: 'github',
            target: 'acme/payments',
            lastSuccessAt: at(10),
            lastAttemptAt: at(10),
            stale: false,
          },
        ]);
        expect(
          await db.store.getSyncState(OTHER, 'github', 'acme/payments'),
        ).toBeUndefined();
      });

      it('records a failure of an entity that never synced', async () => {
        await db.store.recordSyncFailure({
          entityRef: ENTITY,
          provider: 'aws',
          targetKey: 'acme/payments',
          error: 'AccessDenied',
          at: new Date(at(1)),
        });
        expect(await db.store.listSyncStatus(ENTITY)).toEqual([
          expect.objectContaining({ provider: 'aws', stale: true }),
        ]);
      });

      it('keeps one state per target, listed by provider and target', async () => {
        for (const [provider, targetKey, minute] of [
          ['github', 'acme/payments', 1],
          ['aws', 'stack-prod', 2],
          ['aws', 'stack-dev', 3],
        ] as const) {
          await db.store.recordSyncSuccess({
            entityRef: ENTITY,
            provider,
            targetKey,
            cursor: `cursor-${targetKey}`,
            at: new Date(at(minute)),
          });
        }
        await db.store.recordSyncFailure({
          entityRef: ENTITY,
          provider: 'aws',
          targetKey: 'stack-prod',
          error: 'Throttling',
          at: new Date(at(9)),
        });
        expect(
          (await db.store.listSyncStatus(ENTITY)).map(
            s => `${s.provider}/${s.target}/${s.stale}`,
          ),
        ).toEqual([
          'aws/stack-dev/false',
          'aws/stack-prod/true',
          'github/acme/payments/false',
        ]);
        expect(await db.store.getSyncState(ENTITY, 'aws', 'stack-dev')).toEqual(
          expect.objectContaining({
            targetKey: 'stack-dev',
            cursor: 'cursor-stack-dev',
          }),
        );
        expect(
          (await db.store.getSyncState(ENTITY, 'aws', 'stack-prod'))?.cursor,
        ).toBe('cursor-stack-prod');
      });

      it('refuses a sync state without a target', async () => {
        await expect(
          db.store.recordSyncSuccess({
            entityRef: ENTITY,
            provider: 'github',
            targetKey: '',
            at: new Date(at(0)),
          }),
        ).rejects.toThrow(InputError);
        expect(await db.store.listSyncStatus(ENTITY)).toEqual([]);
      });
    });
  },
);
