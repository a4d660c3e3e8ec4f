import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  ENTITY,
  OTHER,
  sha,
  at,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexPromotionRequests on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('promotion requests', () => {
      const newRequest = {
        entityRef: ENTITY,
        action: 'promote' as const,
        environment: 'production',
        version: { sha: sha(1), tag: 'v1.0.0' },
        requestedBy: 'user:default/alice',
        comment: 'ship it',
        state: 'pending' as const,
      };

      it('allows one active request per entity and environment', async () => {
        const first = await db.store.createRequest(newRequest);
        expect(first).toEqual(
          expect.objectContaining({
            id: expect.any(String),
            state: 'pending',
            requestedBy: 'user:default/alice',
            version: { sha: sha(1), tag: 'v1.0.0' },
          }),
        );

        const second = db.store.createRequest({
          ...newRequest,
          state: 'approved',
        });
        await expect(second).rejects.toThrow(ConflictError);
        await expect(
          db.store.createRequest({ ...newRequest, state: 'approved' }),
        ).rejects.toThrow(`(request ${first.id})`);
        await expect(
          db.store.createRequest({ ...newRequest, environment: 'staging' }),
        ).resolves.toEqual(expect.objectContaining({ environment: 'staging' }));
      });

      it('lets two concurrent promotions race and exactly one win', async () => {
        const results = await Promise.allSettled([
          db.store.createRequest(newRequest),
          db.store.createRequest(newRequest),
        ]);
        expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
        const [lost] = results.filter(
          (r): r is PromiseRejectedResult => r.status === 'rejected',
        );
        expect(lost.reason).toBeInstanceOf(ConflictError);
      });

      it('frees the slot once a request is decided', async () => {
        const first = await db.store.createRequest(newRequest);
        const approved = await db.store.updateRequest(first.id, {
          state: 'approved',
          decidedBy: 'user:default/bob',
          decidedAt: at(3),
          decisionComment: 'looks good',
        });
        expect(approved).toEqual(
          expect.objectContaining({
            state: 'approved',
            decidedBy: 'user:default/bob',
            decidedAt: at(3),
          }),
        );
        await expect(db.store.createRequest(newRequest)).rejects.toThrow(
          ConflictError,
        );

        await db.store.updateRequest(first.id, {
          state: 'executed',
          providerReference: 'run-99',
        });
        expect(await db.store.getRequest(first.id)).toEqual(
          expect.objectContaining({
            state: 'executed',
            providerReference: 'run-99',
            decisionComment: 'looks good',
          }),
        );
        await expect(db.store.createRequest(newRequest)).resolves.toBeDefined();
      });

      it('lists pending requests per entity or across entities', async () => {
        const a = await db.store.createRequest(newRequest);
        const b = await db.store.createRequest({
          ...newRequest,
          entityRef: OTHER,
        });
        await db.store.createRequest({
          ...newRequest,
          environment: 'staging',
          state: 'approved',
        });
        expect(
          (await db.store.listPendingRequests(ENTITY)).map(r => r.id),
        ).toEqual([a.id]);
        expect(
          (await db.store.listPendingRequests()).map(r => r.id).sort(),
        ).toEqual([a.id, b.id].sort());
      });

      it('refuses to update a request that does not exist', async () => {
        await expect(
          db.store.updateRequest('b3f7a7d2-0000-4000-8000-000000000000', {
            state: 'failed',
          }),
        ).rejects.toThrow(NotFoundError);
      });
    });
  },
);
