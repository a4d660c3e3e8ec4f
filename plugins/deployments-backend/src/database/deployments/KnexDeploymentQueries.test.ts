import {
  ENTITY,
  OTHER,
  PATH,
  sha,
  at,
  status,
  report,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexDeploymentQueries on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('getEnvironmentStates', () => {
      it('takes the newest successful deployment as current, not the newest attempt', async () => {
        await db.store.upsertDeployments(ENTITY, 'github', [
          report('1', {
            environment: 'production',
            version: { sha: sha(1) },
            createdAt: at(0),
            statuses: [status('success', 2)],
          }),
          report('2', {
            environment: 'production',
            version: { sha: sha(2) },
            createdAt: at(10),
            statuses: [status('success', 12)],
          }),
          report('3', {
            environment: 'production',
            version: { sha: sha(3) },
            createdAt: at(20),
            statuses: [status('failure', 22)],
          }),
        ]);

        const states = await db.store.getEnvironmentStates(ENTITY, PATH);
        expect(states.production.current?.id).toBe('github:2');
        expect(states.production.latest?.id).toBe('github:3');
        expect(states.production.latest?.statuses).toEqual([
          status('failure', 22),
        ]);
        expect(states.dev).toEqual({});
      });

      it('does not see other entities', async () => {
        await db.store.upsertDeployments(OTHER, 'github', [report('1')]);
        const states = await db.store.getEnvironmentStates(ENTITY, ['dev']);
        expect(states.dev.current).toBeUndefined();
      });
    });

    describe('version look-ups', () => {
      beforeEach(async () => {
        await db.store.upsertDeployments(ENTITY, 'github', [
          report('1', {
            environment: 'staging',
            version: {
              sha: 'abcdef1234567890abcdef1234567890abcdef12',
              tag: 'v2.0.0',
            },
            createdAt: at(0),
            statuses: [status('success', 1), status('inactive', 30)],
          }),
          report('2', {
            environment: 'staging',
            version: { sha: 'abcdef1999999999999999999999999999999999' },
            createdAt: at(20),
            statuses: [status('success', 21)],
          }),
          report('3', {
            environment: 'staging',
            version: { sha: sha(3) },
            createdAt: at(40),
            statuses: [status('failure', 41)],
          }),
        ]);
      });

      it('finds a version by tag, full SHA or unambiguous short SHA', async () => {
        await expect(db.store.findVersion(ENTITY, 'v2.0.0')).resolves.toEqual({
          sha: 'abcdef1234567890abcdef1234567890abcdef12',
          tag: 'v2.0.0',
        });
        await expect(
          db.store.findVersion(ENTITY, 'abcdef12345'),
        ).resolves.toEqual(expect.objectContaining({ tag: 'v2.0.0' }));
        await expect(
          db.store.findVersion(ENTITY, 'v9.9.9'),
        ).resolves.toBeUndefined();
        await expect(
          db.store.findVersion(OTHER, 'v2.0.0'),
        ).resolves.toBeUndefined();
        await expect(db.store.findVersion(ENTITY, 'abcdef1')).rejects.toThrow(
          /ambiguous/,
        );
      });

      it('counts a superseded success as succeeded, a failure not', async () => {
        await expect(
          db.store.hasSucceeded(
            ENTITY,
            'staging',
            'abcdef1234567890abcdef1234567890abcdef12',
          ),
        ).resolves.toBe(true);
        await expect(
          db.store.hasSucceeded(ENTITY, 'staging', sha(3)),
        ).resolves.toBe(false);
        await expect(
          db.store.hasSucceeded(
            ENTITY,
            'production',
            'abcdef1234567890abcdef1234567890abcdef12',
          ),
        ).resolves.toBe(false);
      });

      it('finds the previous successful version as the roll-back target', async () => {
        await expect(
          db.store.previousSuccessfulVersion(ENTITY, 'staging'),
        ).resolves.toEqual({
          sha: 'abcdef1234567890abcdef1234567890abcdef12',
          tag: 'v2.0.0',
        });
        await expect(
          db.store.previousSuccessfulVersion(ENTITY, 'production'),
        ).resolves.toBeUndefined();
      });
    });
  },
);
