import { InputError } from '@backstage/errors';
import type { ProviderTarget } from '@stagecraft/plugin-deployments-node';
import {
  ENTITY,
  OTHER,
  at,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

const repo = (key: string, extra: Partial<ProviderTarget> = {}) => ({
  key,
  routingKeys: [key],
  environments: 'all' as const,
  ...extra,
});

describe.each(databases.eachSupportedId())(
  'KnexTargetStore on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    describe('targets', () => {
      it('routes a routing key to the entities whose targets use it', async () => {
        await db.store.setTargets('github', [
          {
            entityRef: ENTITY,
            provider: 'github',
            target: repo('acme/payments'),
          },
          {
            entityRef: OTHER,
            provider: 'github',
            target: repo('acme/payments'),
          },
          {
            entityRef: OTHER,
            provider: 'github',
            target: repo('acme/payments'),
          },
        ]);
        await db.store.setTargets('aws', [
          { entityRef: ENTITY, provider: 'aws', target: repo('stack') },
        ]);
        const entitiesFor = async (provider: string, key: string) =>
          (await db.store.targetsForRoutingKey(provider, key)).map(
            t => t.entityRef,
          );
        expect(await entitiesFor('github', 'acme/payments')).toEqual([
          OTHER,
          ENTITY,
        ]);

        await db.store.setTargets('github', [
          {
            entityRef: ENTITY,
            provider: 'github',
            target: repo('acme/payments-v2'),
          },
        ]);
        expect(await entitiesFor('github', 'acme/payments')).toEqual([]);
        expect(await entitiesFor('aws', 'stack')).toEqual([ENTITY]);
      });

      it('keeps every field of a target and finds it by any of its routing keys', async () => {
        const pipeline: ProviderTarget = {
          key: 'arn:aws:codepipeline:eu-west-1:123456789012:payments',
          routingKeys: [
            'arn:aws:codepipeline:eu-west-1:123456789012:payments',
            'payments-prod-stack',
          ],
          environments: ['staging', 'production'],
          environmentNames: { 'Deploy-Prod': 'production' },
          changeSource: false,
          settings: { region: 'eu-west-1' },
        };
        await db.store.setEntityTargets(ENTITY, 'aws', [pipeline]);
        expect(
          await db.store.targetsForRoutingKey('aws', 'payments-prod-stack'),
        ).toEqual([{ entityRef: ENTITY, provider: 'aws', target: pipeline }]);
        expect(
          await db.store.targetsForRoutingKey('github', 'payments-prod-stack'),
        ).toEqual([]);
      });

      it('replaces the targets of one entity and provider only', async () => {
        await db.store.setEntityTargets(ENTITY, 'github', [
          repo('acme/payments', { changeSource: true }),
          repo('acme/payments-infra'),
        ]);
        await db.store.setEntityTargets(OTHER, 'github', [
          repo('acme/payments'),
        ]);
        await db.store.setEntityTargets(ENTITY, 'aws', [repo('stack')]);

        await db.store.setEntityTargets(ENTITY, 'github', [
          repo('acme/payments', { changeSource: true }),
        ]);
        expect(await db.store.targetsOfEntity(ENTITY)).toEqual([
          { entityRef: ENTITY, provider: 'aws', target: repo('stack') },
          {
            entityRef: ENTITY,
            provider: 'github',
            target: repo('acme/payments', { changeSource: true }),
          },
        ]);
        expect(
          await db.store.targetsForRoutingKey('github', 'acme/payments-infra'),
        ).toEqual([]);
        expect(await db.store.targetsOfEntity(OTHER)).toHaveLength(1);

        await db.store.setEntityTargets(ENTITY, 'github', []);
        expect(
          (await db.store.targetsOfEntity(ENTITY)).map(t => t.provider),
        ).toEqual(['aws']);
      });

      it('refuses a malformed target and writes nothing', async () => {
        await db.store.setEntityTargets(ENTITY, 'github', [
          repo('acme/payments'),
        ]);
        for (const bad of [
          { ...repo('x'), key: '' },
          { ...repo('x'), routingKeys: [''] },
          { ...repo('x'), environments: 'some' as any },
        ]) {
          await expect(
            db.store.setEntityTargets(ENTITY, 'github', [repo('ok'), bad]),
          ).rejects.toThrow(InputError);
        }
        await expect(
          db.store.setTargets('github', [
            { entityRef: ENTITY, provider: 'aws', target: repo('stack') },
          ]),
        ).rejects.toThrow("belongs to provider 'aws', not 'github'");
        expect(
          (await db.store.targetsOfEntity(ENTITY)).map(t => t.target.key),
        ).toEqual(['acme/payments']);
      });

      it('forgets the sync state and protection of targets that are gone', async () => {
        await db.store.setEntityTargets(ENTITY, 'github', [
          repo('acme/payments'),
          repo('acme/old'),
        ]);
        for (const targetKey of ['acme/payments', 'acme/old']) {
          await db.store.recordSyncSuccess({
            entityRef: ENTITY,
            provider: 'github',
            targetKey,
            at: new Date(at(0)),
          });
          await db.store.replaceEnvironmentProtection(
            ENTITY,
            'github',
            targetKey,
            [{ environment: 'production', requiredReviewers: [] }],
          );
        }
        await db.store.recordSyncSuccess({
          entityRef: OTHER,
          provider: 'github',
          targetKey: 'acme/old',
          at: new Date(at(0)),
        });

        await db.store.setEntityTargets(ENTITY, 'github', [
          repo('acme/payments'),
        ]);
        expect(
          (await db.store.listSyncStatus(ENTITY)).map(s => s.target),
        ).toEqual(['acme/payments']);
        expect(
          (await db.store.listEnvironmentProtection(ENTITY)).map(
            p => p.targetKey,
          ),
        ).toEqual(['acme/payments']);
        // Another entity's state is not touched by this entity's targets.
        expect(await db.store.listSyncStatus(OTHER)).toHaveLength(1);
      });
    });
  },
);
