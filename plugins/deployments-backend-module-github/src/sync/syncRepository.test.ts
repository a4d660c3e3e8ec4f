import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { FakeGithub } from '../__testUtils__/FakeGithub';
import {
  deployment,
  deploymentStatus,
  environment,
  pendingDeployment,
  sha,
  tag,
  workflowRun,
} from '../__testUtils__/githubFixtures';
import {
  createTestProvider,
  entityFor,
  repositoryTarget,
} from '../__testUtils__/testProvider';

const REPO = 'acme/payments-api';
const github = new FakeGithub();
const server = setupServer(...github.handlers());
registerMswTestHooks(server);

function at(minutes: number) {
  return new Date(
    Date.UTC(2026, 10, 20, 8, 0) + minutes * 60_000,
  ).toISOString();
}

/** `count` deployments, oldest id 1, alternating dev/staging/production, all successful. */
function seedHistory(fullName: string, count: number) {
  const repo = github.repository(fullName);
  const envs = ['dev', 'staging', 'production'];
  for (let id = 1; id <= count; id++) {
    repo.deployments.unshift(
      deployment(fullName, {
        id,
        sha: sha(id),
        environment: envs[id % 3],
        createdAt: at(id),
      }),
    );
    repo.statuses.set(id, [
      deploymentStatus(fullName, id, {
        id: id * 10 + 1,
        state: 'success',
        createdAt: at(id + 0.5),
        logUrl: `https://github.com/${fullName}/actions/runs/${id}`,
      }),
      deploymentStatus(fullName, id, {
        id: id * 10,
        state: 'in_progress',
        createdAt: at(id + 0.2),
      }),
    ]);
  }
  repo.environments = [
    environment(fullName, { id: 1, name: 'dev' }),
    environment(fullName, { id: 2, name: 'staging' }),
    environment(fullName, {
      id: 3,
      name: 'production',
      reviewers: [{ team: 'team-payments' }, { user: 'alice' }],
      waitTimerMinutes: 5,
    }),
  ];
  return repo;
}

beforeEach(() => github.clear());

describe('sync', () => {
  it('backfills 100 deployments with their statuses in at most 5 requests', async () => {
    const repo = seedHistory(REPO, 100);
    repo.tags = [tag(REPO, 'v1.42.0', sha(100))];
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);
    const target = await repositoryTarget(provider, entity);

    const snapshot = await provider.sync({ entity, target });

    expect(github.count()).toBeLessThanOrEqual(5);
    expect(github.count(/^POST \/graphql/)).toBe(1);
    expect(snapshot.deployments).toHaveLength(100);
    const newest = snapshot.deployments.find(
      d => d.providerDeploymentId === '100',
    )!;
    expect(newest).toMatchObject({
      environment: 'staging',
      version: { sha: sha(100), tag: 'v1.42.0' },
      logUrl: `https://github.com/${REPO}/actions/runs/100`,
    });
    expect(newest.statuses.map(s => s.state)).toEqual([
      'queued',
      'in_progress',
      'success',
    ]);
    expect(snapshot.environments?.find(e => e.name === 'production')).toEqual({
      name: 'production',
      requiredReviewers: [
        { type: 'team', name: 'team-payments' },
        { type: 'user', name: 'alice' },
      ],
      waitTimerMinutes: 5,
      url: expect.stringContaining('production'),
    });
  });

  it('reads deployments beyond the first 100 page by page', async () => {
    seedHistory(REPO, 250);
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);

    const snapshot = await provider.sync({
      entity,
      target: await repositoryTarget(provider, entity),
    });

    expect(snapshot.deployments).toHaveLength(250);
    expect(github.count(/^POST \/graphql/)).toBe(3);
  });

  it('fails the whole backfill when one page fails, so nothing half-read lands, and backfills it all on the next poll', async () => {
    seedHistory(REPO, 250);
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);
    const target = await repositoryTarget(provider, entity);
    // The second page of the backfill (cursor 100) fails, every try.
    let failed = 0;
    server.use(
      http.post(github.graphqlUrl, async ({ request }) => {
        const body = (await request.clone().json()) as {
          variables: { cursor?: string | null };
        };
        if (body.variables.cursor !== '100') return undefined;
        failed++;
        return HttpResponse.json({ message: 'Bad gateway' }, { status: 502 });
      }),
    );

    await expect(provider.sync({ entity, target })).rejects.toThrow(
      /^GitHub failed \(502/,
    );
    expect(failed).toBeGreaterThan(0);

    server.resetHandlers();
    const snapshot = await provider.sync({ entity, target });
    expect(snapshot.deployments).toHaveLength(250);
  });

  it('polls 50 unchanged repositories with 304 answers only', async () => {
    const { provider } = createTestProvider();
    const cursors = new Map<string, string>();
    const slugs = Array.from({ length: 50 }, (_, i) => `acme/service-${i}`);
    for (const slug of slugs) {
      seedHistory(slug, 3);
      const entity = entityFor(slug);
      // The first sync backfills; the second learns the deployments list's ETag.
      let snapshot = await provider.sync({
        entity,
        target: await repositoryTarget(provider, entity),
      });
      snapshot = await provider.sync({
        entity,
        target: await repositoryTarget(provider, entity),
        cursor: snapshot.cursor,
      });
      cursors.set(slug, snapshot.cursor!);
    }
    github.reset();

    for (const slug of slugs) {
      const entity = entityFor(slug);
      const snapshot = await provider.sync({
        entity,
        target: await repositoryTarget(provider, entity),
        cursor: cursors.get(slug),
      });
      expect(snapshot.deployments).toEqual([]);
      expect(snapshot.environments).toBeUndefined();
    }

    // tags, deployments, environments and waiting runs: four free 304s per repository.
    expect(github.count()).toBe(200);
    expect(github.requests.every(r => r.status === 304)).toBe(true);
  }, 30_000);

  it('asks for statuses only of new deployments and of those not yet final', async () => {
    const repo = seedHistory(REPO, 3);
    // Deployment 4 is waiting for approval in production.
    repo.deployments.unshift(
      deployment(REPO, {
        id: 4,
        sha: sha(4),
        environment: 'production',
        createdAt: at(10),
      }),
    );
    repo.statuses.set(4, [
      deploymentStatus(REPO, 4, {
        id: 40,
        state: 'queued',
        createdAt: at(10.1),
      }),
    ]);
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);
    const target = await repositoryTarget(provider, entity);
    let snapshot = await provider.sync({ entity, target });
    snapshot = await provider.sync({ entity, target, cursor: snapshot.cursor });

    // Deployment 4 succeeds and deployment 5 appears.
    repo.statuses.get(4)!.unshift(
      deploymentStatus(REPO, 4, {
        id: 41,
        state: 'success',
        createdAt: at(20),
      }),
    );
    repo.deployments.unshift(
      deployment(REPO, {
        id: 5,
        sha: sha(5),
        environment: 'dev',
        createdAt: at(21),
      }),
    );
    repo.statuses.set(5, [
      deploymentStatus(REPO, 5, {
        id: 50,
        state: 'in_progress',
        createdAt: at(21.1),
      }),
    ]);
    github.reset();
    snapshot = await provider.sync({ entity, target, cursor: snapshot.cursor });

    const statusRequests = github.requests
      .filter(r => r.path.includes('/statuses'))
      .map(r => r.path.split('?')[0]);
    expect(statusRequests.sort()).toEqual([
      `/repos/${REPO}/deployments/4/statuses`,
      `/repos/${REPO}/deployments/5/statuses`,
    ]);
    expect(
      snapshot.deployments.map(d => [
        d.providerDeploymentId,
        d.statuses.at(-1)!.state,
      ]),
    ).toEqual([
      ['5', 'in_progress'],
      ['4', 'success'],
    ]);

    // Deployment 4 is final now: only deployment 5 is asked about again, and answers 304.
    github.reset();
    snapshot = await provider.sync({ entity, target, cursor: snapshot.cursor });
    expect(github.requests.filter(r => r.path.includes('/statuses'))).toEqual([
      expect.objectContaining({
        path: expect.stringContaining('/deployments/5/statuses'),
        status: 304,
      }),
    ]);
    expect(snapshot.deployments).toEqual([]);
  });

  it('reports workflow runs waiting for review as open gates', async () => {
    const repo = seedHistory(REPO, 3);
    repo.waitingRuns = [
      workflowRun(REPO, { id: 812, headSha: sha(3), actor: 'bob' }),
    ];
    repo.pendingDeployments.set(812, [
      pendingDeployment(REPO, {
        environmentId: 3,
        environment: 'prod',
        reviewers: [{ team: 'team-payments' }, { user: 'alice' }],
        waitTimerMinutes: 5,
        waitTimerStartedAt: at(30),
      }),
    ]);
    repo.tags = [tag(REPO, 'v1.41.2', sha(3))];
    const { provider } = createTestProvider();
    const entity = entityFor(REPO, {
      'stagecraft.io/github-environments': 'production=prod',
    });
    const target = await repositoryTarget(provider, entity);
    // GitHub's names are reported as they are; the core maps them.
    expect(target.environmentNames).toEqual({ prod: 'production' });

    const first = await provider.sync({ entity, target });
    const expected = [
      {
        providerGateId: '812:prod',
        environment: 'prod',
        version: {
          sha: sha(3),
          tag: 'v1.41.2',
          url: `https://github.com/${REPO}/commit/${sha(3)}`,
        },
        reviewers: [
          { type: 'team', name: 'team-payments' },
          { type: 'user', name: 'alice' },
        ],
        type: 'provider-review',
        since: at(30),
        waitTimerMinutes: 5,
        requestedBy: 'bob',
        url: `https://github.com/${REPO}/actions/runs/812`,
        details: {
          runId: '812',
          environmentId: '3',
          githubEnvironment: 'prod',
        },
      },
    ];
    expect(first.openGates).toEqual(expected);

    // Unchanged runs answer 304 and the gates are still reported as open.
    github.reset();
    const second = await provider.sync({
      entity,
      target,
      cursor: first.cursor,
    });
    expect(second.openGates).toEqual(expected);
    expect(github.count(/pending_deployments/)).toBe(0);

    // The run was approved: no waiting runs, no gates.
    repo.waitingRuns = [];
    const third = await provider.sync({
      entity,
      target,
      cursor: second.cursor,
    });
    expect(third.openGates).toEqual([]);
  });

  it('starts over with a backfill when the cursor cannot be read', async () => {
    seedHistory(REPO, 2);
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);

    const snapshot = await provider.sync({
      entity,
      target: await repositoryTarget(provider, entity),
      cursor: '{not json',
    });

    expect(snapshot.deployments).toHaveLength(2);
    expect(github.count(/^POST \/graphql/)).toBe(1);
  });

  it('uses the GitHub Enterprise API base of the integration for REST and GraphQL', async () => {
    const enterprise = new FakeGithub(
      'https://ghe.acme.test/api/v3',
      'https://ghe.acme.test/api/graphql',
    );
    server.use(...enterprise.handlers());
    const repo = enterprise.repository(REPO);
    repo.deployments = [
      deployment(REPO, {
        id: 1,
        sha: sha(1),
        environment: 'dev',
        createdAt: at(1),
      }),
    ];
    const { provider } = createTestProvider({
      integration: {
        host: 'ghe.acme.test',
        apiBaseUrl: 'https://ghe.acme.test/api/v3',
        token: 'ghe-token',
      },
    });
    const entity = entityFor(REPO, {
      'backstage.io/source-location':
        'url:https://ghe.acme.test/acme/payments-api/tree/main/',
    });
    const target = await repositoryTarget(provider, entity);

    const snapshot = await provider.sync({ entity, target });

    expect(target.settings?.host).toBe('ghe.acme.test');
    expect(snapshot.deployments[0].version.url).toBe(
      `https://ghe.acme.test/${REPO}/commit/${sha(1)}`,
    );
    expect(enterprise.count(/^POST \/graphql/)).toBe(1);
    expect(
      enterprise.requests.some(
        r => r.path === '/repos/acme/payments-api/tags?per_page=100',
      ),
    ).toBe(true);
    expect(
      enterprise.requests.every(r => r.authorization === 'token ghe-token'),
    ).toBe(true);
  });
});
