import { createHash } from 'node:crypto';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { canonicalChangeSet } from '@stagecraft/plugin-deployments-common';
import type { ProviderComparison } from '@stagecraft/plugin-deployments-node';
import { TestDeploymentProvider } from '@stagecraft/plugin-deployments-node/testing';
import type { ActionContext } from '../actions/ActionContext';
import { EntitySourceSet } from '../sources/EntitySources';
import {
  ENTITY,
  PATH,
  report,
  sha,
  storeTestDatabases,
  useStore,
} from '../database/__testUtils__/storeTestKit';
import { releaseChanges } from './releaseEvidence';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
};

const commit = (n: number, login: string, pull?: number) => ({
  sha: sha(n),
  message: `change ${n}`,
  author: login.toUpperCase(),
  authorLogin: login,
  date: `2026-11-0${n}T00:00:00Z`,
  ...(pull
    ? {
        pullRequest: {
          number: pull,
          title: `PR ${pull}`,
          url: `https://github.com/acme/payments-api/pull/${pull}`,
        },
      }
    : {}),
});

describe('releaseChanges', () => {
  const db = useStore(databases, 'SQLITE_3');
  let provider: TestDeploymentProvider;

  const ctx = (userToken?: string): ActionContext => ({
    entity,
    entityRef: ENTITY,
    path: PATH,
    sources: new EntitySourceSet({
      targets: [
        {
          provider: 'test',
          target: {
            key: 'acme/payments-api',
            routingKeys: ['acme/payments-api'],
            environments: 'all',
            changeSource: true,
          },
        },
      ],
      providers: [provider],
    }),
    actor: 'user:default/alice',
    credentials: mockCredentials.user('user:default/alice'),
    idempotencyKey: 'key-00000001',
    userToken,
  });

  beforeEach(async () => {
    provider = new TestDeploymentProvider();
    // staging runs sha(1); sha(4) runs in dev, on its way.
    await db.store.upsertDeployments(ENTITY, 'test', [
      report('1', { environment: 'staging' }),
      report('2', { environment: 'dev', version: { sha: sha(4) } }),
    ]);
  });

  it("lists a pull request once, by its oldest commit's author, and hashes the change set canonically", async () => {
    const comparison: ProviderComparison = {
      status: 'ahead',
      aheadBy: 3,
      behindBy: 0,
      totalCommits: 4,
      // Newest first: PR 8 was opened by carol, bob added a commit later.
      commits: [commit(4, 'bob', 8), commit(3, 'dave'), commit(2, 'carol', 8)],
      files: [],
      additions: 0,
      deletions: 0,
    };
    provider.comparisons.set(`${sha(1)}...${sha(4)}`, comparison);
    const changes = await releaseChanges({
      store: db.store,
      ctx: ctx(),
      environment: 'staging',
      version: { sha: sha(4) },
    });
    if (changes.status !== 'available') throw new Error(changes.reason);
    expect(changes.pullRequests).toEqual([
      {
        number: 8,
        title: 'PR 8',
        author: 'carol',
        url: 'https://github.com/acme/payments-api/pull/8',
        commits: [sha(2), sha(4)],
      },
    ]);
    expect(changes.commits.map(c => [c.sha, c.pullRequest])).toEqual([
      [sha(4), 8],
      [sha(3), undefined],
      [sha(2), 8],
    ]);
    expect(changes.truncated).toBe(true);
    expect(changes.hash.value).toBe(
      createHash('sha256').update(canonicalChangeSet(changes)).digest('hex'),
    );
  });

  it('records the changes as unavailable when the change source does not answer in time', async () => {
    provider.compare = () => new Promise(() => {});
    const started = Date.now();
    const changes = await releaseChanges({
      store: db.store,
      ctx: ctx(),
      environment: 'staging',
      version: { sha: sha(4) },
      timeoutMs: 100,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(changes).toEqual({
      status: 'unavailable',
      from: { ref: 'staging', sha: sha(1) },
      to: { ref: sha(4), sha: sha(4) },
      reason: 'the change source could not be asked: no answer within 0.1 s',
    });
  });

  it("keeps the caller's token out of a provider error it records", async () => {
    provider.failures.compare = new Error('401 for token s3cr3t-token');
    const changes = await releaseChanges({
      store: db.store,
      ctx: ctx('s3cr3t-token'),
      environment: 'staging',
      version: { sha: sha(4), tag: 'v4' },
    });
    expect(changes.status).toBe('unavailable');
    expect(JSON.stringify(changes)).not.toContain('s3cr3t-token');
    expect(JSON.stringify(changes)).toContain('401 for token ***');
  });

  it('says there is no range when nothing has succeeded in the environment', async () => {
    const changes = await releaseChanges({
      store: db.store,
      ctx: ctx(),
      environment: 'production',
      version: { sha: sha(4), tag: 'v4' },
    });
    expect(changes).toEqual({
      status: 'unavailable',
      to: { ref: 'v4', sha: sha(4) },
      reason:
        'nothing has succeeded in production yet, so there is no range to compare from',
    });
    expect(provider.compareCalls).toEqual([]);
  });
});
