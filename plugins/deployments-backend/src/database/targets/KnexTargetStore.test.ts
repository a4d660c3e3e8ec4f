import {
  ENTITY,
  OTHER,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

describe.each(databases.eachSupportedId())(
  'KnexTargetStore on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('targets', () => {
      it('routes a target key to the entities that use it', async () => {
        await db.store.setTargets('github', [
          { entityRef: ENTITY, targetKey: 'acme/payments' },
          { entityRef: OTHER, targetKey: 'acme/payments' },
          { entityRef: OTHER, targetKey: 'acme/payments' },
        ]);
        await db.store.setTargets('aws', [
          { entityRef: ENTITY, targetKey: 'stack' },
        ]);
        expect(
          await db.store.entitiesForTarget('github', 'acme/payments'),
        ).toEqual([OTHER, ENTITY]);

        await db.store.setTargets('github', [
          { entityRef: ENTITY, targetKey: 'acme/payments-v2' },
        ]);
        expect(
          await db.store.entitiesForTarget('github', 'acme/payments'),
        ).toEqual([]);
        expect(await db.store.entitiesForTarget('aws', 'stack')).toEqual([
          ENTITY,
        ]);
      });
    });
  },
);
