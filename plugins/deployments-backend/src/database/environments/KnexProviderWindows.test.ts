import { InputError } from '@backstage/errors';
import {
  ENTITY,
  OTHER,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

const PIPELINE = 'arn:aws:codepipeline:eu-west-1:111111111111:payments';
const target = (key: string) => ({
  key,
  routingKeys: [key],
  environments: 'all' as const,
});

describe.each(databases.eachSupportedId())(
  'KnexProviderWindows on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    const prodWindow = {
      environment: 'production',
      id: 'Deploy-Prod/ProdWindow',
      kind: 'allow' as const,
      cron: '* * 9-16 ? * MON-FRI',
      timeZone: 'Europe/Berlin',
      label: 'CodePipeline',
      definedAt: 'pipeline payments, stage Deploy-Prod, rule ProdWindow',
      url: 'https://console.aws.amazon.com/codesuite/codepipeline/pipelines/payments/view',
    };

    beforeEach(async () => {
      await db.store.setEntityTargets(ENTITY, 'aws', [
        target(PIPELINE),
        target('other-pipeline'),
      ]);
      await db.store.setEntityTargets(OTHER, 'aws', [target(PIPELINE)]);
    });

    it("replaces the windows of one target only and lists an entity's own", async () => {
      const nights = {
        environment: 'staging',
        id: 'Deploy-Staging/Nights',
        kind: 'allow' as const,
        cron: '* * 1-2 * * ?',
        timeZone: 'UTC',
        label: 'CodePipeline',
      };
      await db.store.replaceProviderWindows(ENTITY, 'aws', PIPELINE, [
        prodWindow,
        nights,
      ]);
      await db.store.replaceProviderWindows(ENTITY, 'aws', 'other-pipeline', [
        { ...prodWindow, id: 'Prod/Window' },
      ]);
      await db.store.replaceProviderWindows(OTHER, 'aws', PIPELINE, [
        prodWindow,
      ]);
      await db.store.replaceProviderWindows(ENTITY, 'aws', PIPELINE, [
        prodWindow,
      ]);

      expect(await db.store.listProviderWindows(ENTITY)).toEqual([
        { provider: 'aws', targetKey: PIPELINE, ...prodWindow },
        {
          provider: 'aws',
          targetKey: 'other-pipeline',
          ...prodWindow,
          id: 'Prod/Window',
        },
      ]);
      expect(await db.store.listProviderWindows(OTHER)).toHaveLength(1);

      await db.store.replaceProviderWindows(ENTITY, 'aws', PIPELINE, []);
      expect(
        (await db.store.listProviderWindows(ENTITY)).map(w => w.id),
      ).toEqual(['Prod/Window']);
    });

    it('keeps one row when the same window is reported twice, and lists it without empty fields', async () => {
      const bare = { ...prodWindow, definedAt: undefined, url: undefined };
      await db.store.replaceProviderWindows(ENTITY, 'aws', PIPELINE, [
        bare,
        bare,
      ]);
      expect(await db.store.listProviderWindows(ENTITY)).toEqual([
        {
          provider: 'aws',
          targetKey: PIPELINE,
          environment: 'production',
          id: 'Deploy-Prod/ProdWindow',
          kind: 'allow',
          cron: '* * 9-16 ? * MON-FRI',
          timeZone: 'Europe/Berlin',
          label: 'CodePipeline',
        },
      ]);
    });

    it('does not list the windows of a target that is gone', async () => {
      await db.store.replaceProviderWindows(ENTITY, 'aws', 'other-pipeline', [
        prodWindow,
      ]);
      await db.store.setEntityTargets(ENTITY, 'aws', [target(PIPELINE)]);
      expect(await db.store.listProviderWindows(ENTITY)).toEqual([]);
    });

    it('refuses a window without a cron, of an unknown kind or without an environment, keeping what was stored', async () => {
      await db.store.replaceProviderWindows(ENTITY, 'aws', PIPELINE, [
        prodWindow,
      ]);
      for (const bad of [
        { ...prodWindow, cron: ' ' },
        { ...prodWindow, kind: 'deny' as any },
        { ...prodWindow, environment: '' },
        { ...prodWindow, cron: '*'.repeat(300) },
      ]) {
        await expect(
          db.store.replaceProviderWindows(ENTITY, 'aws', PIPELINE, [bad]),
        ).rejects.toThrow(InputError);
      }
      await expect(
        db.store.replaceProviderWindows(ENTITY, 'aws', '', [prodWindow]),
      ).rejects.toThrow(InputError);
      expect(await db.store.listProviderWindows(ENTITY)).toHaveLength(1);
    });
  },
);
