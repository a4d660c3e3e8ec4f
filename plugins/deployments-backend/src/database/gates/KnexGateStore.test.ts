import {
  ENTITY,
  OTHER,
  sha,
  at,
  gate,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexGateStore on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('gates', () => {
      it('replaces the open gates of one entity and provider', async () => {
        await db.store.replaceOpenGates(ENTITY, 'github', [
          gate('1'),
          gate('2'),
        ]);
        await db.store.replaceOpenGates(OTHER, 'github', [gate('9')]);
        await db.store.replaceOpenGates(ENTITY, 'github', [
          gate('2', { since: at(7) }),
        ]);

        const gates = await db.store.listOpenGates(ENTITY);
        expect(gates).toEqual([
          {
            id: 'github:2',
            kind: 'provider',
            provider: 'github',
            entityRef: ENTITY,
            environment: 'production',
            version: { sha: sha(1), tag: 'v1.0.0' },
            reviewers: [{ type: 'team', name: 'team-payments' }],
            since: at(7),
            details: { runId: '812' },
          },
        ]);
        // Across entities, oldest first.
        expect((await db.store.listOpenGates()).map(g => g.id)).toEqual([
          'github:9',
          'github:2',
        ]);

        await db.store.replaceOpenGates(ENTITY, 'github', []);
        expect(await db.store.listOpenGates(ENTITY)).toEqual([]);
      });

      it('opens and closes single gates', async () => {
        await db.store.openGates(ENTITY, 'github', [gate('1')]);
        await db.store.openGates(ENTITY, 'github', [gate('1'), gate('2')]);
        expect(await db.store.getGate('github:1')).toEqual(
          expect.objectContaining({
            id: 'github:1',
            details: { runId: '812' },
          }),
        );
        await db.store.closeGates(ENTITY, 'github', ['1']);
        expect(await db.store.getGate('github:1')).toBeUndefined();
        expect((await db.store.listOpenGates(ENTITY)).map(g => g.id)).toEqual([
          'github:2',
        ]);
        await expect(db.store.getGate('nonsense')).resolves.toBeUndefined();
      });
    });
  },
);
