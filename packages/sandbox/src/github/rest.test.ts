import { SandboxServer } from '../server';
import { github, startTestSandbox } from '../__testUtils__/sandbox';

describe('GitHub REST stand-in', () => {
  let server: SandboxServer;
  let api: ReturnType<typeof github>;

  beforeEach(async () => {
    server = await startTestSandbox();
    api = github(server);
  });

  afterEach(async () => {
    await server.close();
  });

  const waitingRun = async (repo = 'acme/payments-api') => {
    const { workflow_runs } = await api.json(
      `/repos/${repo}/actions/runs?status=waiting&per_page=100`,
    );
    expect(workflow_runs).toHaveLength(1);
    return workflow_runs[0];
  };

  const productionId = async (repo = 'acme/payments-api') => {
    const { environments } = await api.json(`/repos/${repo}/environments`);
    return environments.find((e: { name: string }) => e.name === 'production')
      .id as number;
  };

  it('answers a repeated request with 304 for its ETag, without spending rate limit', async () => {
    const first = await api.get(
      '/repos/acme/payments-api/deployments?per_page=100',
    );
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    expect(first.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    expect(first.headers.get('x-ratelimit-resource')).toBe('core');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(
      Date.now() / 1000 - 3600 * 24 * 365,
    );

    const again = await api.get(
      '/repos/acme/payments-api/deployments?per_page=100',
      { 'if-none-match': etag },
    );
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('x-ratelimit-remaining')).toBe('4999');

    const stale = await api.get(
      '/repos/acme/payments-api/deployments?per_page=100',
      {
        'if-none-match': 'W/"something-else"',
      },
    );
    expect(stale.status).toBe(200);
    expect(stale.headers.get('etag')).toBe(etag);
    expect(stale.headers.get('x-ratelimit-remaining')).toBe('4998');
  });

  it('refuses requests once the hourly budget is spent', async () => {
    await server.close();
    server = await startTestSandbox({ rateLimits: { core: 2, graphql: 10 } });
    api = github(server);
    expect((await api.get('/repos/acme/ledger-worker')).status).toBe(200);
    expect((await api.get('/repos/acme/ledger-worker')).status).toBe(200);
    const refused = await api.get('/repos/acme/ledger-worker');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await refused.json()).message).toMatch(/^API rate limit exceeded/);
  });

  it('pages deployments newest first with Link headers', async () => {
    const first = await api.get(
      '/repos/acme/payments-api/deployments?per_page=100',
    );
    const page1 = await first.json();
    expect(page1).toHaveLength(100);
    expect(page1[0].id).toBeGreaterThan(page1[99].id);
    const link = first.headers.get('link')!;
    const next = /<([^>]+)>; rel="next"/.exec(link)![1];
    const last = /<([^>]+)>; rel="last"/.exec(link)![1];
    expect(new URL(next).searchParams.get('page')).toBe('2');
    const total = server.simulation.world.findRepository(
      'acme',
      'payments-api',
    )!.deployments.length;
    expect(new URL(last).searchParams.get('page')).toBe(
      String(Math.ceil(total / 100)),
    );

    const lastPage = await fetch(last, {
      headers: { authorization: 'token t' },
    });
    const lastLink = lastPage.headers.get('link')!;
    expect(lastLink).toContain('rel="prev"');
    expect(lastLink).toContain('rel="first"');
    expect(lastLink).not.toContain('rel="next"');
    expect(await lastPage.json()).toHaveLength(
      total - 100 * (Math.ceil(total / 100) - 1),
    );
  });

  it('answers GitHub-shaped errors: 401 without a token, 404 for unknown repositories and ids, 422 for bad bodies', async () => {
    const anonymous = await fetch(
      `${server.url}/api/v3/repos/acme/payments-api/deployments`,
    );
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      message: 'Requires authentication',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });

    const unknownRepo = await api.get('/repos/acme/nope/deployments');
    expect(unknownRepo.status).toBe(404);
    expect(await unknownRepo.json()).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    });
    expect(
      (await api.get('/repos/acme/payments-api/actions/runs/1')).status,
    ).toBe(404);
    expect(
      (await api.get('/repos/acme/payments-api/deployments/1/statuses')).status,
    ).toBe(404);

    const run = await waitingRun();
    const badState = await api.post(
      `/repos/acme/payments-api/actions/runs/${run.id}/pending_deployments`,
      {
        environment_ids: [await productionId()],
        state: 'maybe',
        comment: 'hm',
      },
    );
    expect(badState.status).toBe(422);
    expect(await badState.json()).toMatchObject({
      message: expect.stringContaining(
        `"maybe" is not one of ["approved","rejected"]`,
      ),
      status: '422',
    });
    const noRef = await api.post('/repos/acme/payments-api/deployments', {
      environment: 'dev',
    });
    expect(noRef.status).toBe(422);
    expect((await noRef.json()).message).toContain(`"ref" wasn't supplied.`);
    const unknownRef = await api.post('/repos/acme/payments-api/deployments', {
      ref: 'v0.0.0-nope',
      auto_merge: false,
    });
    expect(unknownRef.status).toBe(422);
    expect((await unknownRef.json()).message).toBe(
      'No ref found for: v0.0.0-nope',
    );
  });

  it('answers 409 when auto_merge would have to merge main into an older ref', async () => {
    const [, older] = await api.json('/repos/acme/ledger-worker/tags');
    const conflict = await api.post('/repos/acme/ledger-worker/deployments', {
      ref: older.name,
      environment: 'dev',
    });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).message).toBe(
      `Conflict merging main into ${older.name}.`,
    );
  });

  it('lists the pending production review with its reviewers and wait timer', async () => {
    const run = await waitingRun();
    const [pending] = await api.json(
      `/repos/acme/payments-api/actions/runs/${run.id}/pending_deployments`,
    );
    expect(pending.environment.name).toBe('production');
    expect(pending.wait_timer).toBe(5);
    expect(pending.current_user_can_approve).toBe(true);
    expect(
      pending.reviewers.map(
        (r: any) => `${r.type}:${r.reviewer.slug ?? r.reviewer.login}`,
      ),
    ).toEqual(['Team:team-payments', 'User:alice']);
    const asCarol = await github(server, 'carol').json(
      `/repos/acme/payments-api/actions/runs/${run.id}/pending_deployments`,
    );
    expect(asCarol[0].current_user_can_approve).toBe(false);
  });

  it('resumes an approved run and deploys to production with queued, in_progress and success statuses', async () => {
    const run = await waitingRun();
    const approved = await api.post(
      `/repos/acme/payments-api/actions/runs/${run.id}/pending_deployments`,
      {
        environment_ids: [await productionId()],
        state: 'approved',
        comment: 'Ship it',
      },
    );
    expect(approved.status).toBe(200);
    const [deployment] = await approved.json();
    expect(deployment).toMatchObject({
      environment: 'production',
      sha: run.head_sha,
    });
    expect(
      await api.json(
        `/repos/acme/payments-api/actions/runs/${run.id}/pending_deployments`,
      ),
    ).toEqual([]);

    for (let i = 0; i < 4; i++) server.react();

    const statuses = await api.json(
      `/repos/acme/payments-api/deployments/${deployment.id}/statuses`,
    );
    expect(statuses.map((s: { state: string }) => s.state)).toEqual([
      'success',
      'in_progress',
      'queued',
    ]);
    expect(statuses[0].environment_url).toBe(
      'https://payments-api.acme.example',
    );
    const finished = await api.json(
      `/repos/acme/payments-api/actions/runs/${run.id}`,
    );
    expect(finished).toMatchObject({
      status: 'completed',
      conclusion: 'success',
    });
    const [review] = await api.json(
      `/repos/acme/payments-api/actions/runs/${run.id}/approvals`,
    );
    expect(review).toMatchObject({
      state: 'approved',
      comment: 'Ship it',
      user: { login: 'stagecraft-bot' },
    });
  });

  it('refuses a review from someone who is not a required reviewer', async () => {
    const run = await waitingRun();
    const refused = await github(server, 'carol').post(
      `/repos/acme/payments-api/actions/runs/${run.id}/pending_deployments`,
      {
        environment_ids: [await productionId()],
        state: 'approved',
        comment: '',
      },
    );
    expect(refused.status).toBe(403);
    expect((await refused.json()).message).toBe(
      'carol is not a required reviewer of the production environment',
    );
  });

  it('fails the run when the review is rejected', async () => {
    const run = await waitingRun('acme/storefront-web');
    const rejected = await github(server, 'dave').post(
      `/repos/acme/storefront-web/actions/runs/${run.id}/pending_deployments`,
      {
        environment_ids: [await productionId('acme/storefront-web')],
        state: 'rejected',
        comment: 'Not today',
      },
    );
    expect(rejected.status).toBe(200);
    const [deployment] = await rejected.json();
    const finished = await api.json(
      `/repos/acme/storefront-web/actions/runs/${run.id}`,
    );
    expect(finished).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
    });
    const [latest] = await api.json(
      `/repos/acme/storefront-web/deployments/${deployment.id}/statuses`,
    );
    expect(latest).toMatchObject({
      state: 'failure',
      description: 'Rejected by dave',
    });
    const again = await github(server, 'dave').post(
      `/repos/acme/storefront-web/actions/runs/${run.id}/pending_deployments`,
      {
        environment_ids: [await productionId('acme/storefront-web')],
        state: 'approved',
        comment: '',
      },
    );
    expect(again.status).toBe(422);
  });

  it('starts a deploy run for workflow_dispatch that deploys the version to the environment', async () => {
    const [, previous] = await api.json('/repos/acme/catalog-search/tags');
    const dispatched = await api.post(
      '/repos/acme/catalog-search/actions/workflows/deploy.yml/dispatches',
      {
        ref: previous.name,
        inputs: { environment: 'staging', version: previous.commit.sha },
        return_run_details: true,
      },
    );
    expect(dispatched.status).toBe(200);
    const { workflow_run_id } = await dispatched.json();
    for (let i = 0; i < 5; i++) server.react();
    const run = await api.json(
      `/repos/acme/catalog-search/actions/runs/${workflow_run_id}`,
    );
    expect(run).toMatchObject({
      event: 'workflow_dispatch',
      head_branch: previous.name,
      head_sha: previous.commit.sha,
      status: 'completed',
      conclusion: 'success',
    });
    const [newest] = await api.json(
      '/repos/acme/catalog-search/deployments?environment=staging&per_page=1',
    );
    expect(newest.sha).toBe(previous.commit.sha);
    const [latest] = await api.json(
      `/repos/acme/catalog-search/deployments/${newest.id}/statuses?per_page=1`,
    );
    expect(latest.state).toBe('success');

    const plain = await api.post(
      '/repos/acme/catalog-search/actions/workflows/deploy.yml/dispatches',
      {
        ref: 'main',
        inputs: { environment: 'dev', version: previous.commit.sha },
      },
    );
    expect(plain.status).toBe(204);
  });

  it('validates a dispatch against the workflow inputs', async () => {
    const post = (body: unknown) =>
      api.post(
        '/repos/acme/catalog-search/actions/workflows/deploy.yml/dispatches',
        body,
      );
    const unknownInput = await post({
      ref: 'main',
      inputs: { environment: 'dev', version: 'x', colour: 'red' },
    });
    expect(unknownInput.status).toBe(422);
    expect((await unknownInput.json()).message).toBe(
      'Unexpected inputs provided: ["colour"]',
    );
    const badEnvironment = await post({
      ref: 'main',
      inputs: { environment: 'qa', version: 'x' },
    });
    expect((await badEnvironment.json()).message).toBe(
      "Provided value 'qa' for input 'environment' not in the list of allowed values",
    );
    const sha = await post({
      ref: '0123456789abcdef0123456789abcdef01234567',
      inputs: { environment: 'dev', version: 'x' },
    });
    expect(sha.status).toBe(422);
    expect(
      (
        await api.post(
          '/repos/acme/catalog-search/actions/workflows/other.yml/dispatches',
          { ref: 'main' },
        )
      ).status,
    ).toBe(404);
  });

  it('reports statuses over time for a deployment created through the API', async () => {
    const [tag] = await api.json('/repos/acme/checkout-bff/tags?per_page=1');
    const created = await api.post('/repos/acme/checkout-bff/deployments', {
      ref: tag.commit.sha,
      environment: 'staging',
      auto_merge: false,
      required_contexts: [],
      payload: { stagecraft: { requestedBy: 'user:default/guest' } },
      description: 'Promoted from the portal',
    });
    expect(created.status).toBe(201);
    const deployment = await created.json();
    expect(created.headers.get('location')).toBe(deployment.url);
    expect(deployment).toMatchObject({
      sha: tag.commit.sha,
      environment: 'staging',
      payload: { stagecraft: { requestedBy: 'user:default/guest' } },
      creator: { login: 'stagecraft-bot' },
    });
    expect(
      await api.json(
        `/repos/acme/checkout-bff/deployments/${deployment.id}/statuses`,
      ),
    ).toEqual([]);
    server.react();
    server.react();
    server.react();
    const states = (
      await api.json(
        `/repos/acme/checkout-bff/deployments/${deployment.id}/statuses`,
      )
    ).map((s: { state: string }) => s.state);
    expect(states).toEqual(['success', 'in_progress', 'queued']);
  });

  it('compares two versions with commits in chronological order, files and pages', async () => {
    const tags = await api.json('/repos/acme/payments-api/tags?per_page=100');
    const head = tags[0];
    const base = tags[10];
    const comparison = await api.json(
      `/repos/acme/payments-api/compare/${base.name}...${head.name}`,
    );
    expect(comparison.status).toBe('ahead');
    expect(comparison.total_commits).toBe(comparison.ahead_by);
    expect(comparison.commits.length).toBe(comparison.total_commits);
    expect(comparison.commits[comparison.commits.length - 1].sha).toBe(
      head.commit.sha,
    );
    const dates = comparison.commits.map((c: any) => c.commit.author.date);
    expect([...dates].sort()).toEqual(dates);
    expect(comparison.files.length).toBeGreaterThan(0);

    const page = await api.get(
      `/repos/acme/payments-api/compare/${base.commit.sha}...${head.commit.sha}?per_page=3&page=2`,
    );
    expect(page.headers.get('link')).toContain('rel="next"');
    const paged = await page.json();
    expect(paged.commits.map((c: any) => c.sha)).toEqual(
      comparison.commits.slice(3, 6).map((c: any) => c.sha),
    );
    expect(paged.files).toEqual([]);

    const behind = await api.json(
      `/repos/acme/payments-api/compare/${head.name}...${base.name}`,
    );
    expect(behind).toMatchObject({
      status: 'behind',
      ahead_by: 0,
      behind_by: comparison.ahead_by,
      commits: [],
    });
  });

  it('finds the merged pull request of a commit, the commit of a ref and the tags', async () => {
    const [tag] = await api.json('/repos/acme/payments-api/tags?per_page=1');
    const commit = await api.json(
      `/repos/acme/payments-api/commits/${tag.name}`,
    );
    expect(commit.sha).toBe(tag.commit.sha);
    expect(commit.files.length).toBeGreaterThan(0);
    const [pull] = await api.json(
      `/repos/acme/payments-api/commits/${commit.sha}/pulls`,
    );
    expect(pull).toMatchObject({
      state: 'closed',
      merge_commit_sha: commit.sha,
    });
    expect(commit.commit.message).toContain(`#${pull.number}`);
    const shaOnly = await api.get(
      `/repos/acme/payments-api/commits/${tag.name}`,
      { accept: 'application/vnd.github.sha' },
    );
    expect(await shaOnly.text()).toBe(tag.commit.sha);
    expect(
      (await api.get('/repos/acme/payments-api/commits/nope')).status,
    ).toBe(422);
  });

  it('serves the repository and the authenticated user', async () => {
    expect(await api.json('/repos/acme/python-service')).toMatchObject({
      full_name: 'acme/python-service',
      default_branch: 'main',
    });
    expect(await github(server, 'alice').json('/user')).toMatchObject({
      login: 'alice',
      type: 'User',
    });
  });
});
