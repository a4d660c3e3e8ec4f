import type {
  DeploymentStatusEntry,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type { LedgerDeployment } from '../DeploymentStore';
import {
  ENTITY,
  OTHER,
  PATH,
  at,
  sha,
  storeTestDatabases,
  useStore,
} from '../__testUtils__/storeTestKit';
import { KnexSkewAudit, startOf } from './KnexSkewAudit';

jest.setTimeout(60_000);

const databases = storeTestDatabases();
const MINUTE = 60_000;
/** 30 minutes before production, 5 before staging. */
const soak = (environment: string) =>
  (environment === 'production' ? 30 : 5) * MINUTE;
const ARTIFACT: Version = {
  sha: 'artifact:lambda-version:arn:aws:lambda:eu-west-1:1:function:Pay:7',
  commitUnknown: true,
  artifact: {
    kind: 'lambda-version',
    id: 'arn:aws:lambda:eu-west-1:1:function:Pay:7',
  },
};

let ids = 0;
/** A deployment created at `minute` with these statuses (each `[state, minute]`). */
function deployed(
  environment: string,
  version: Version,
  minute: number,
  statuses: Array<[DeploymentStatusEntry['state'], number]> = [
    ['in_progress', minute],
    ['success', minute + 2],
  ],
): LedgerDeployment {
  ids += 1;
  return {
    providerDeploymentId: `d${ids}`,
    environment,
    version,
    statuses: statuses.map(([state, m]) => ({ state, at: at(m) })),
    createdAt: at(minute),
    updatedAt: at(statuses[statuses.length - 1][1]),
    url: `https://example.com/deployments/d${ids}`,
  };
}
const v = (n: number): Version => ({ sha: sha(n), tag: `v1.${n}.0` });

describe('startOf', () => {
  const created = Date.parse(at(0));
  it('is the creation time of a deployment no gate held', () => {
    expect(startOf(created, [{ state: 'in_progress', at: at(1) }])).toBe(
      created,
    );
  });
  it('is when a gated deployment left its gate, and nothing while it waits or after a rejection', () => {
    expect(
      startOf(created, [
        { state: 'waiting', at: at(0) },
        { state: 'queued', at: at(45) },
        { state: 'success', at: at(50) },
      ]),
    ).toBe(Date.parse(at(45)));
    expect(startOf(created, [{ state: 'waiting', at: at(0) }])).toBeUndefined();
    expect(
      startOf(created, [
        { state: 'waiting', at: at(0) },
        { state: 'failure', at: at(20) },
      ]),
    ).toBeUndefined();
  });
});

describe.each(databases.eachSupportedId())(
  'KnexSkewAudit on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    /**
     * GitHub runs dev and staging, AWS production. Per version:
     * 1 promoted properly (48 minutes in staging); 2 straight from dev to
     * production; 3 ten minutes in staging; 4 into staging only after
     * production; 5 failed in staging; 6 into staging without dev; 7 held at
     * the production gate for an hour after staging, then deployed; 8
     * rejected at the production gate; 9 succeeded in staging then superseded (inactive)
     * before production; the artifact straight into production.
     */
    beforeEach(async () => {
      await db.store.upsertDeployments(ENTITY, 'github', [
        deployed('dev', v(1), 0),
        deployed('staging', v(1), 10),
        deployed('dev', v(2), 90),
        deployed('dev', v(3), 180),
        deployed('staging', v(3), 196),
        deployed('dev', v(4), 290),
        deployed('staging', v(4), 305),
        deployed('dev', v(5), 390),
        deployed('staging', v(5), 400, [
          ['in_progress', 400],
          ['failure', 402],
        ]),
        deployed('staging', v(6), 480),
        deployed('dev', v(7), 485),
        deployed('staging', v(7), 496),
        deployed('dev', v(8), 585),
        deployed('staging', v(8), 596),
        deployed('dev', v(9), 690),
        deployed('staging', v(9), 700, [
          ['in_progress', 700],
          ['success', 702],
          ['inactive', 720],
        ]),
      ]);
      await db.store.upsertDeployments(ENTITY, 'aws', [
        deployed('production', v(1), 60),
        deployed('production', v(2), 100),
        deployed('production', v(3), 208),
        deployed('production', v(4), 300),
        deployed('production', v(5), 450, [
          ['in_progress', 450],
          ['failure', 455],
        ]),
        deployed('production', v(7), 499, [
          ['waiting', 499],
          ['queued', 560],
          ['success', 565],
        ]),
        deployed('production', v(8), 599, [
          ['waiting', 599],
          ['failure', 601],
        ]),
        deployed('production', v(9), 740),
        deployed('production', ARTIFACT, 800),
      ]);
      await db.store.upsertDeployments(OTHER, 'github', [
        deployed('production', v(1), 50),
      ]);
    });

    const audit = () => new KnexSkewAudit(db.knex);
    const entityFindings = (
      page: { limit: number; cursor?: string } = { limit: 100 },
      range = {},
      minimumSoak = soak,
    ) =>
      audit().entityFindings({
        entityRef: ENTITY,
        path: PATH,
        minimumSoak,
        range,
        page,
      });
    const summary = (findings: Array<{ version: Version } & object>) =>
      findings.map((f: any) => [f.version.tag ?? f.version.sha, f.kind]);

    it("finds the entity's skipped environments and short soaks, newest first, whatever provider ran either", async () => {
      const { findings, nextCursor } = await entityFindings();
      expect(nextCursor).toBeUndefined();
      expect(summary(findings)).toEqual([
        [ARTIFACT.sha, 'skipped'],
        ['v1.6.0', 'skipped'],
        ['v1.5.0', 'skipped'],
        ['v1.4.0', 'skipped'],
        ['v1.3.0', 'short-soak'],
        ['v1.2.0', 'skipped'],
      ]);
      const shortSoak = findings.find(f => f.kind === 'short-soak')!;
      expect(shortSoak).toEqual({
        entityRef: ENTITY,
        environment: 'production',
        previousEnvironment: 'staging',
        deploymentId: expect.stringMatching(/^aws:d\d+$/),
        provider: 'aws',
        version: v(3),
        state: 'success',
        startedAt: at(208),
        kind: 'short-soak',
        previousSucceededAt: at(198),
        soakSeconds: 600,
        minimumSoakSeconds: 1800,
        url: expect.stringMatching(/^https:\/\/example\.com\/deployments\//),
      });
      const intoStaging = findings.find(f => f.version.tag === 'v1.6.0')!;
      expect(intoStaging).toMatchObject({
        environment: 'staging',
        previousEnvironment: 'dev',
        provider: 'github',
      });
      expect(intoStaging.previousSucceededAt).toBeUndefined();
    });

    it('counts a soak from when a gated deployment left its gate, and a soak long enough as passed', async () => {
      const { findings } = await entityFindings({ limit: 100 }, {}, env =>
        env === 'production' ? 20 * MINUTE : 0,
      );
      // v1.3.0 soaked ten minutes; v1.7.0 waited at the gate for an hour.
      expect(summary(findings)).toContainEqual(['v1.3.0', 'short-soak']);
      expect(findings.map(f => f.version.tag)).not.toContain('v1.7.0');
      const { findings: strict } = await entityFindings(
        { limit: 100 },
        {},
        env => (env === 'production' ? 90 * MINUTE : 0),
      );
      expect(strict.find(f => f.version.tag === 'v1.7.0')).toMatchObject({
        kind: 'short-soak',
        startedAt: at(560),
        previousSucceededAt: at(498),
        soakSeconds: 62 * 60,
        minimumSoakSeconds: 90 * 60,
      });
      // v1.9.0 succeeded in staging 38 minutes before production, then was superseded.
      expect(strict.find(f => f.version.tag === 'v1.9.0')).toMatchObject({
        kind: 'short-soak',
        soakSeconds: 38 * 60,
      });
      // With no soak in staging, only the skip into it is reported there.
      expect(
        strict.filter(f => f.environment === 'staging').map(f => f.kind),
      ).toEqual(['skipped']);
    });

    it('pages by cursor and bounds by time', async () => {
      const first = await entityFindings({ limit: 4 });
      expect(first.findings).toHaveLength(4);
      const second = await entityFindings({
        limit: 4,
        cursor: first.nextCursor,
      });
      expect(summary([...first.findings, ...second.findings])).toEqual(
        summary((await entityFindings()).findings),
      );
      expect(second.nextCursor).toBeUndefined();

      const bounded = await entityFindings(
        { limit: 100 },
        { since: new Date(at(200)), until: new Date(at(460)) },
      );
      expect(summary(bounded.findings)).toEqual([
        ['v1.5.0', 'skipped'],
        ['v1.4.0', 'skipped'],
        ['v1.3.0', 'short-soak'],
      ]);
      await expect(
        entityFindings({ limit: 2, cursor: 'bm90LWEtY3Vyc29y' }),
      ).rejects.toThrow(/Invalid skew cursor/);
    });

    it('has nothing to find on a path of one environment', async () => {
      const { findings } = await audit().entityFindings({
        entityRef: ENTITY,
        path: ['production'],
        minimumSoak: soak,
        range: {},
        page: { limit: 10 },
      });
      expect(findings).toEqual([]);
    });

    it('finds across the entities it is shown, each by its own path, and leaves out the others', async () => {
      const asked: string[][] = [];
      const across = (visible: Map<string, string[]>) =>
        audit().findingsAcross({
          visible: async refs => {
            asked.push(refs);
            return new Map([...visible].filter(([ref]) => refs.includes(ref)));
          },
          minimumSoak: soak,
          range: {},
          page: { limit: 100 },
        });
      const both = await across(
        new Map([
          [ENTITY, PATH],
          [OTHER, PATH],
        ]),
      );
      expect(asked.flat().sort()).toEqual([ENTITY, OTHER].sort());
      expect(both.findings.map(f => f.entityRef)).toEqual([
        ...Array(6).fill(ENTITY),
        OTHER,
      ]);
      expect(both.findings).toEqual([
        ...(await entityFindings()).findings,
        expect.objectContaining({ entityRef: OTHER, kind: 'skipped' }),
      ]);

      const onlyOther = await across(new Map([[OTHER, PATH]]));
      expect(onlyOther.findings.map(f => f.entityRef)).toEqual([OTHER]);

      // On a path without staging, production follows dev directly.
      const shortPath = await across(
        new Map([[ENTITY, ['dev', 'production']]]),
      );
      expect(summary(shortPath.findings)).toEqual([
        [ARTIFACT.sha, 'skipped'],
        ['v1.4.0', 'short-soak'],
        ['v1.3.0', 'short-soak'],
        ['v1.2.0', 'short-soak'],
      ]);
    });
  },
);
