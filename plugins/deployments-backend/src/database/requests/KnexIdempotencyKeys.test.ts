import { storeTestDatabases, useStore } from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexIdempotencyKeys on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('idempotency keys', () => {
      it('walks through new, in progress, replay and mismatch', async () => {
        await expect(
          db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'new' });
        await expect(
          db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'in-progress' });
        await expect(
          db.store.claimIdempotencyKey('promote', 'key-1', 'fp-b'),
        ).resolves.toEqual({ status: 'mismatch' });

        await db.store.completeIdempotencyKey('promote', 'key-1', 202, {
          request: { id: 'r1' },
        });
        await expect(
          db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({
          status: 'replay',
          statusCode: 202,
          response: { request: { id: 'r1' } },
        });
        await expect(
          db.store.claimIdempotencyKey('approve', 'key-1', 'fp-b'),
        ).resolves.toEqual({ status: 'new' });
      });

      it('lets a retry run after a release', async () => {
        await db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a');
        await db.store.releaseIdempotencyKey('promote', 'key-1');
        await expect(
          db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'new' });
      });

      it('does not release a completed key', async () => {
        await db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a');
        await db.store.completeIdempotencyKey('promote', 'key-1', 200, {
          ok: true,
        });
        await db.store.releaseIdempotencyKey('promote', 'key-1');
        await expect(
          db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual(expect.objectContaining({ status: 'replay' }));
      });

      it('hands over a claim abandoned in progress for long', async () => {
        await db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a');
        await db
          .knex('idempotency_keys')
          .where({ key: 'key-1' })
          .update({ updated_at: new Date(Date.now() - 60 * 60 * 1000) });
        await expect(
          db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'new' });
        await expect(
          db.store.claimIdempotencyKey('promote', 'key-1', 'fp-a'),
        ).resolves.toEqual({ status: 'in-progress' });
      });
    });
  },
);
