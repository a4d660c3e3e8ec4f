import {
  ENTITY,
  sha,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexDiffCache on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('diff cache', () => {
      it('returns a stored comparison for the same commits only', async () => {
        const diff = {
          status: 'ahead' as const,
          aheadBy: 1,
          behindBy: 0,
          totalCommits: 1,
          commits: [],
          files: [],
          additions: 3,
          deletions: 1,
        };
        await db.store.putCachedDiff(ENTITY, 'github', sha(1), sha(2), diff);
        await db.store.putCachedDiff(ENTITY, 'github', sha(1), sha(2), diff);
        await expect(
          db.store.getCachedDiff(ENTITY, 'github', sha(1), sha(2)),
        ).resolves.toEqual(diff);
        await expect(
          db.store.getCachedDiff(ENTITY, 'github', sha(2), sha(1)),
        ).resolves.toBeUndefined();
      });
    });
  },
);
