import { createHash } from 'node:crypto';
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { Schemas } from './githubFixtures';

/** One repository's state in the fake, newest deployment first as GitHub lists them. */
export interface FakeRepository {
  deployments: Schemas['deployment'][];
  /** Statuses by deployment id, newest first. */
  statuses: Map<number, Schemas['deployment-status'][]>;
  environments: Schemas['environment'][];
  waitingRuns: Schemas['workflow-run'][];
  pendingDeployments: Map<number, Schemas['pending-deployment'][]>;
  tags: Schemas['tag'][];
  defaultBranch: string;
  /** What promote and review sent. */
  dispatches: Array<{ workflow: string; body: unknown }>;
  createdDeployments: unknown[];
  reviews: Array<{ runId: number; body: unknown; authorization?: string }>;
}

export interface RecordedRequest {
  method: string;
  /** Path below the API base, with the query string. */
  path: string;
  status: number;
  authorization?: string;
}

const GRAPHQL_STATE: Record<string, string> = {
  pending: 'PENDING',
  queued: 'QUEUED',
  in_progress: 'IN_PROGRESS',
  success: 'SUCCESS',
  failure: 'FAILURE',
  error: 'ERROR',
  inactive: 'INACTIVE',
};

function etagOf(body: unknown): string {
  return `W/"${createHash('sha1').update(JSON.stringify(body)).digest('hex')}"`;
}

/**
 * A small in-memory GitHub for msw: the REST and GraphQL slices the provider
 * calls, with ETags (304 on If-None-Match), page/per_page paging and a log of
 * every request and the status it got.
 */
export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  private readonly repositories = new Map<string, FakeRepository>();
  /** `''` for api.github.com, `/api/v3` for GitHub Enterprise. */
  private readonly basePath: string;

  constructor(
    readonly apiBaseUrl = 'https://api.github.com',
    readonly graphqlUrl = 'https://api.github.com/graphql',
  ) {
    this.basePath = new URL(apiBaseUrl).pathname.replace(/\/$/, '');
  }

  repository(fullName: string): FakeRepository {
    let repo = this.repositories.get(fullName);
    if (!repo) {
      repo = {
        deployments: [],
        statuses: new Map(),
        environments: [],
        waitingRuns: [],
        pendingDeployments: new Map(),
        tags: [],
        defaultBranch: 'main',
        dispatches: [],
        createdDeployments: [],
        reviews: [],
      };
      this.repositories.set(fullName, repo);
    }
    return repo;
  }

  /** Requests whose `METHOD path` matches. */
  count(pattern?: RegExp): number {
    return this.requests.filter(
      r => !pattern || pattern.test(`${r.method} ${r.path}`),
    ).length;
  }

  /** Forgets the requests made so far. */
  reset() {
    this.requests.length = 0;
  }

  /** Forgets the repositories and the requests. */
  clear() {
    this.repositories.clear();
    this.reset();
  }

  handlers(): HttpHandler[] {
    const base = this.apiBaseUrl;
    const repoPath = `${base}/repos/:owner/:repo`;
    return [
      http.post(this.graphqlUrl, async ({ request }) => {
        const body = (await request.json()) as {
          variables: { owner: string; name: string; cursor?: string | null };
        };
        const { owner, name, cursor } = body.variables;
        const repo = this.repositories.get(`${owner}/${name}`);
        if (!repo) {
          return this.answer(request, 200, {
            data: { repository: null },
            errors: [
              {
                type: 'NOT_FOUND',
                message: `Could not resolve to a Repository with the name '${owner}/${name}'.`,
              },
            ],
          });
        }
        const offset = cursor ? Number(cursor) : 0;
        const page = repo.deployments.slice(offset, offset + 100);
        const nodes = page.map(d => {
          const statuses = repo.statuses.get(Number(d.id)) ?? [];
          const latest = statuses[0]?.state;
          return {
            databaseId: d.id,
            commitOid: d.sha,
            environment: d.environment,
            task: d.task,
            state:
              latest === 'success'
                ? 'ACTIVE'
                : GRAPHQL_STATE[latest ?? 'pending'],
            createdAt: d.created_at,
            updatedAt: d.updated_at,
            description: d.description,
            payload: JSON.stringify(d.payload),
            creator: d.creator ? { login: d.creator.login } : null,
            ref: { name: d.ref },
            statuses: {
              nodes: statuses.map(s => ({
                state: GRAPHQL_STATE[s.state],
                description: s.description,
                logUrl: s.log_url ?? null,
                environmentUrl: s.environment_url ?? null,
                createdAt: s.created_at,
              })),
            },
          };
        });
        const hasNextPage = offset + 100 < repo.deployments.length;
        return this.answer(request, 200, {
          data: {
            repository: {
              deployments: {
                pageInfo: {
                  hasNextPage,
                  endCursor: hasNextPage ? String(offset + 100) : null,
                },
                nodes,
              },
            },
            rateLimit: {
              cost: 1,
              remaining: 4999,
              resetAt: '2026-11-26T12:00:00Z',
            },
          },
        });
      }),
      http.get(`${repoPath}/deployments`, ({ request, params }) =>
        this.withRepo(request, params, repo =>
          this.list(request, repo.deployments),
        ),
      ),
      http.get(`${repoPath}/deployments/:id/statuses`, ({ request, params }) =>
        this.withRepo(request, params, repo =>
          this.list(request, repo.statuses.get(Number(params.id)) ?? []),
        ),
      ),
      http.get(`${repoPath}/environments`, ({ request, params }) =>
        this.withRepo(request, params, repo =>
          this.conditional(request, {
            total_count: repo.environments.length,
            environments: repo.environments,
          }),
        ),
      ),
      http.get(`${repoPath}/actions/runs`, ({ request, params }) =>
        this.withRepo(request, params, repo =>
          this.conditional(request, {
            total_count: repo.waitingRuns.length,
            workflow_runs: repo.waitingRuns,
          }),
        ),
      ),
      http.get(
        `${repoPath}/actions/runs/:runId/pending_deployments`,
        ({ request, params }) =>
          this.withRepo(request, params, repo =>
            this.conditional(
              request,
              repo.pendingDeployments.get(Number(params.runId)) ?? [],
            ),
          ),
      ),
      http.post(
        `${repoPath}/actions/runs/:runId/pending_deployments`,
        async ({ request, params }) =>
          this.withRepo(request, params, async repo => {
            const runId = Number(params.runId);
            if (!repo.pendingDeployments.has(runId)) {
              return this.answer(request, 404, { message: 'Not Found' });
            }
            repo.reviews.push({
              runId,
              body: await request.json(),
              authorization: request.headers.get('authorization') ?? undefined,
            });
            return this.answer(request, 200, []);
          }),
      ),
      http.get(`${repoPath}/tags`, ({ request, params }) =>
        this.withRepo(request, params, repo => this.list(request, repo.tags)),
      ),
      http.get(`${repoPath}`, ({ request, params }) =>
        this.withRepo(request, params, repo =>
          this.answer(request, 200, {
            full_name: `${params.owner}/${params.repo}`,
            default_branch: repo.defaultBranch,
          }),
        ),
      ),
      http.post(
        `${repoPath}/actions/workflows/:workflow/dispatches`,
        async ({ request, params }) =>
          this.withRepo(request, params, async repo => {
            repo.dispatches.push({
              workflow: String(params.workflow),
              body: await request.json(),
            });
            return this.answer(request, 204, null);
          }),
      ),
      http.post(`${repoPath}/deployments`, async ({ request, params }) =>
        this.withRepo(request, params, async repo => {
          const body = await request.json();
          repo.createdDeployments.push(body);
          return this.answer(request, 201, {
            id: 9000 + repo.createdDeployments.length,
          });
        }),
      ),
      http.get(`${base}/user`, ({ request }) => {
        const auth = request.headers.get('authorization') ?? '';
        if (!auth.includes('user-token-of-alice')) {
          return this.answer(request, 401, { message: 'Bad credentials' });
        }
        return this.answer(request, 200, {
          login: 'alice',
          id: 3,
          type: 'User',
        });
      }),
    ];
  }

  /** Records a request and answers it. */
  answer(
    request: Request,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    const url = new URL(request.url);
    this.requests.push({
      method: request.method,
      path: request.url.startsWith(this.graphqlUrl)
        ? '/graphql'
        : url.pathname.slice(this.basePath.length) + url.search,
      status,
      authorization: request.headers.get('authorization') ?? undefined,
    });
    if (status === 204 || status === 304 || body === null) {
      return new HttpResponse(null, { status, headers });
    }
    return HttpResponse.json(body as object, { status, headers });
  }

  private withRepo(
    request: Request,
    params: Record<string, string | readonly string[] | undefined>,
    respond: (repo: FakeRepository) => Response | Promise<Response>,
  ) {
    const repo = this.repositories.get(`${params.owner}/${params.repo}`);
    if (!repo) {
      return this.answer(request, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    return respond(repo);
  }

  private conditional(request: Request, body: unknown) {
    const etag = etagOf(body);
    if (request.headers.get('if-none-match') === etag) {
      return this.answer(request, 304, null, { etag });
    }
    return this.answer(request, 200, body, { etag });
  }

  private list(request: Request, items: unknown[]) {
    const url = new URL(request.url);
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    return this.conditional(
      request,
      items.slice((page - 1) * perPage, page * perPage),
    );
  }
}
