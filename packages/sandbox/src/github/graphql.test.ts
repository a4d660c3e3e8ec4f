import { SandboxServer } from '../server';
import { startTestSandbox } from '../__testUtils__/sandbox';

/** The backfill query of the GitHub provider, as the shared contract states it. */
const BACKFILL = `
query StagecraftDeployments($owner: String!, $name: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    deployments(first: 100, after: $cursor, orderBy: {field: CREATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId commitOid environment task state createdAt updatedAt description payload
        creator { login }
        ref { name }
        statuses(first: 100) { nodes { state description logUrl environmentUrl createdAt } }
      }
    }
  }
  rateLimit { cost remaining resetAt }
}`;

describe('GitHub GraphQL stand-in', () => {
  let server: SandboxServer;

  beforeAll(async () => {
    server = await startTestSandbox();
  });

  afterAll(async () => {
    await server.close();
  });

  const graphql = async (
    query: string,
    variables: object = {},
    token = 'sandbox-token',
  ) => {
    const response = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: {
        authorization: `bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ query, variables }),
    });
    return { response, body: (await response.json()) as any };
  };

  it('pages through all deployments of a repository with their statuses, newest first', async () => {
    const repository = server.simulation.world.findRepository(
      'acme',
      'payments-api',
    )!;
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body } = await graphql(BACKFILL, {
        owner: 'acme',
        name: 'payments-api',
        cursor,
      });
      expect(body.errors).toBeUndefined();
      const { deployments } = body.data.repository;
      seen.push(
        ...deployments.nodes.map((n: { databaseId: number }) => n.databaseId),
      );
      cursor = deployments.pageInfo.hasNextPage
        ? deployments.pageInfo.endCursor
        : null;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(repository.deployments.length / 100));
    expect(seen).toEqual(repository.deployments.map(d => d.id).reverse());
  });

  it('uses GitHub enum values and shapes for states, statuses, refs and creators', async () => {
    const { body, response } = await graphql(BACKFILL, {
      owner: 'acme',
      name: 'payments-api',
    });
    const nodes = body.data.repository.deployments.nodes;
    const [newest] = nodes;
    expect(newest).toMatchObject({
      environment: 'production',
      state: 'WAITING',
      ref: { name: 'main' },
    });
    expect(newest.creator.login).toBe('github-actions');
    const succeeded = nodes.find(
      (n: any) =>
        n.environment === 'staging' && n.statuses.nodes[0]?.state === 'SUCCESS',
    );
    expect(succeeded.statuses.nodes.map((s: any) => s.state)).toEqual([
      'SUCCESS',
      'IN_PROGRESS',
      'QUEUED',
    ]);
    expect(succeeded.statuses.nodes[0].environmentUrl).toBe(
      'https://payments-api.staging.acme.example',
    );
    expect(JSON.parse(succeeded.payload)).toEqual({});
    const allowed = [
      'ABANDONED',
      'ACTIVE',
      'DESTROYED',
      'ERROR',
      'FAILURE',
      'INACTIVE',
      'PENDING',
      'QUEUED',
      'IN_PROGRESS',
      'WAITING',
      'SUCCESS',
    ];
    expect(nodes.every((n: any) => allowed.includes(n.state))).toBe(true);
    expect(body.data.rateLimit).toMatchObject({ cost: 1 });
    expect(response.headers.get('x-ratelimit-resource')).toBe('graphql');
    expect(Number(response.headers.get('x-ratelimit-remaining'))).toBe(
      body.data.rateLimit.remaining,
    );
  });

  it('answers other queries of the subset, such as environments with their protection rules', async () => {
    const { body } = await graphql(`
      {
        repository(owner: "acme", name: "payments-api") {
          nameWithOwner
          environments(first: 10, names: ["production", "dev"]) {
            totalCount
            nodes {
              name
              protectionRules(first: 5) {
                nodes {
                  type
                  timeout
                }
              }
              latestCompletedDeployment {
                commitOid
                state
              }
            }
          }
          deployments(last: 2, environments: ["dev"]) {
            nodes {
              environment
            }
          }
        }
      }
    `);
    expect(body.errors).toBeUndefined();
    const { environments, deployments } = body.data.repository;
    expect(environments.nodes.map((e: any) => e.name)).toEqual([
      'dev',
      'production',
    ]);
    expect(environments.nodes[1].protectionRules.nodes).toEqual([
      { type: 'REQUIRED_REVIEWERS', timeout: 0 },
      { type: 'WAIT_TIMER', timeout: 5 },
    ]);
    expect(environments.nodes[0].latestCompletedDeployment.state).toBe(
      'ACTIVE',
    );
    expect(deployments.nodes).toEqual([
      { environment: 'dev' },
      { environment: 'dev' },
    ]);
  });

  it('reports errors the way GitHub does', async () => {
    const missing = await graphql(
      `
        {
          repository(owner: "acme", name: "nope") {
            name
          }
        }
      `,
    );
    expect(missing.response.status).toBe(200);
    expect(missing.body.data).toEqual({ repository: null });
    expect(missing.body.errors[0]).toMatchObject({
      type: 'NOT_FOUND',
      path: ['repository'],
      message: "Could not resolve to a Repository with the name 'acme/nope'.",
    });

    const unbounded = await graphql(
      `
        {
          repository(owner: "acme", name: "payments-api") {
            deployments {
              totalCount
            }
          }
        }
      `,
    );
    expect(unbounded.body.errors[0].message).toBe(
      'You must provide a `first` or `last` value to properly paginate the `deployments` connection.',
    );
    const tooMany = await graphql(
      `
        {
          repository(owner: "acme", name: "payments-api") {
            deployments(first: 101) {
              totalCount
            }
          }
        }
      `,
    );
    expect(tooMany.body.errors[0].message).toContain(
      'exceeds the `first` limit of 100 records',
    );

    const invalid = await graphql(
      `
        {
          repository(owner: "acme", name: "payments-api") {
            stars
          }
        }
      `,
    );
    expect(invalid.body.errors[0].message).toContain(
      'Cannot query field "stars" on type "Repository"',
    );

    const anonymous = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ rateLimit { remaining } }' }),
    });
    expect(anonymous.status).toBe(401);
  });

  it('charges nested connections like GitHub: one point per hundred requests', async () => {
    const { body } = await graphql(`
      {
        repository(owner: "acme", name: "payments-api") {
          deployments(first: 100) {
            nodes {
              statuses(first: 100) {
                nodes {
                  state
                }
              }
            }
          }
        }
        rateLimit {
          cost
        }
      }
    `);
    // 1 request for deployments + 100 for their statuses = 101 → 1 point.
    expect(body.data.rateLimit.cost).toBe(1);
    const { body: heavier } = await graphql(`
      {
        repository(owner: "acme", name: "payments-api") {
          environments(first: 100) {
            nodes {
              protectionRules(first: 100) {
                nodes {
                  type
                }
              }
            }
          }
          deployments(first: 100) {
            nodes {
              statuses(first: 100) {
                nodes {
                  state
                }
              }
            }
          }
        }
        rateLimit {
          cost
        }
      }
    `);
    expect(heavier.data.rateLimit.cost).toBe(2);
  });
});

describe('GitHub GraphQL stand-in after the sandbox has moved on', () => {
  it('keeps every databaseId a 32-bit GraphQL Int, also for deployments created live', async () => {
    const server = await startTestSandbox({ now: () => Date.UTC(2030, 0, 1) });
    try {
      for (let i = 0; i < 30; i++) server.tick();
      const newest = server.simulation.world.repositories
        .flatMap(r => r.deployments)
        .map(d => d.id);
      expect(Math.max(...newest)).toBeGreaterThan(1_500_000_000);
      const response = await fetch(`${server.url}/api/graphql`, {
        method: 'POST',
        headers: {
          authorization: 'token sandbox-token',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          query: BACKFILL,
          variables: { owner: 'acme', name: 'payments-api' },
        }),
      });
      const body = await response.json();
      expect(body.errors).toBeUndefined();
      expect(body.data.repository.deployments.nodes.length).toBe(100);
    } finally {
      await server.close();
    }
  });
});
