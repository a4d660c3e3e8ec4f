import { registerMswTestHooks } from '@backstage/backend-test-utils';
import {
  AuthenticationError,
  InputError,
  NotAllowedError,
} from '@backstage/errors';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type {
  ProviderPromoteRequest,
  ProviderReviewRequest,
} from '@stagecraft/plugin-deployments-node';
import { FakeGithub } from '../__testUtils__/FakeGithub';
import { pendingDeployment, sha } from '../__testUtils__/githubFixtures';
import {
  createTestProvider,
  entityFor,
  repositoryTarget,
} from '../__testUtils__/testProvider';

const REPO = 'acme/payments-api';
const github = new FakeGithub();
const server = setupServer(...github.handlers());
registerMswTestHooks(server);

beforeEach(() => github.clear());

async function promoteRequest(
  annotations: Record<string, string>,
  version: ProviderPromoteRequest['version'],
) {
  const { provider } = createTestProvider();
  const entity = entityFor(REPO, annotations);
  const request: ProviderPromoteRequest = {
    entity,
    target: await repositoryTarget(provider, entity),
    environment: 'production',
    version,
    kind: 'promote',
    requestedBy: 'user:default/guest',
    comment: 'ship it',
    idempotencyKey: 'key-1',
  };
  return { provider, request };
}

describe('promote', () => {
  it('dispatches the deploy workflow on the version tag with the exact SHA in the inputs', async () => {
    const repo = github.repository(REPO);
    const { provider, request } = await promoteRequest(
      { 'stagecraft.io/github-environments': 'production=prod' },
      { sha: sha(42), tag: 'v1.42.0' },
    );

    const result = await provider.promote(request);

    expect(repo.dispatches).toEqual([
      {
        workflow: 'deploy.yml',
        body: {
          ref: 'v1.42.0',
          inputs: { environment: 'prod', version: sha(42) },
        },
      },
    ]);
    expect(result).toEqual({
      identity: 'github-token',
      url: `https://github.com/${REPO}/actions/workflows/deploy.yml`,
    });
  });

  it('dispatches on the default branch when the version has no tag', async () => {
    const repo = github.repository(REPO);
    repo.defaultBranch = 'trunk';
    const { provider, request } = await promoteRequest(
      { 'stagecraft.io/github-promote-workflow': 'release.yaml' },
      { sha: sha(42) },
    );

    await provider.promote(request);

    expect(repo.dispatches).toEqual([
      {
        workflow: 'release.yaml',
        body: {
          ref: 'trunk',
          inputs: { environment: 'production', version: sha(42) },
        },
      },
    ]);
  });

  it('creates a deployment of the exact SHA without merging the default branch', async () => {
    const repo = github.repository(REPO);
    const { provider, request } = await promoteRequest(
      { 'stagecraft.io/github-promote-workflow': 'deployment' },
      { sha: sha(42), tag: 'v1.42.0' },
    );

    const result = await provider.promote(request);

    expect(repo.createdDeployments).toEqual([
      {
        ref: sha(42),
        environment: 'production',
        task: 'deploy',
        auto_merge: false,
        required_contexts: [],
        payload: {
          stagecraft: {
            kind: 'promote',
            requestedBy: 'user:default/guest',
            idempotencyKey: 'key-1',
            tag: 'v1.42.0',
          },
        },
        description: 'Promote by user:default/guest via Stagecraft',
      },
    ]);
    expect(result).toMatchObject({
      identity: 'github-token',
      reference: '9001',
    });
  });

  it("passes GitHub's reason on when it refuses the dispatch", async () => {
    github.repository(REPO);
    server.use(
      http.post(
        `https://api.github.com/repos/${REPO}/actions/workflows/:workflow/dispatches`,
        () =>
          HttpResponse.json(
            { message: "Workflow does not have 'workflow_dispatch' trigger" },
            { status: 422 },
          ),
      ),
    );
    const { provider, request } = await promoteRequest(
      {},
      { sha: sha(42), tag: 'v1.42.0' },
    );

    const failure = provider.promote(request);

    await expect(failure).rejects.toThrow(InputError);
    await expect(failure).rejects.toThrow(
      "Workflow does not have 'workflow_dispatch' trigger",
    );
  });

  it('refuses a workflow annotation that names no workflow file', async () => {
    const { provider, request } = await promoteRequest(
      { 'stagecraft.io/github-promote-workflow': '../../etc/passwd' },
      { sha: sha(42) },
    );
    await expect(provider.promote(request)).rejects.toThrow(
      "Promote workflow '../../etc/passwd'",
    );
  });
});

describe('review', () => {
  async function reviewRequest(
    userToken?: string,
    details?: Record<string, string>,
  ) {
    const { provider } = createTestProvider();
    const entity = entityFor(REPO, {
      'stagecraft.io/github-environments': 'production=prod',
    });
    const request: ProviderReviewRequest = {
      entity,
      target: await repositoryTarget(provider, entity),
      gate: {
        id: 'github:812:prod',
        kind: 'provider',
        provider: 'github',
        entityRef: 'component:default/payments-api',
        environment: 'production',
        version: { sha: sha(3) },
        reviewers: [{ type: 'user', name: 'alice' }],
        since: '2026-11-20T10:00:00Z',
        details: details ?? {
          runId: '812',
          environmentId: '3',
          githubEnvironment: 'prod',
        },
      },
      decision: 'approve',
      comment: 'Looks good',
      actor: 'user:default/alice',
      ...(userToken ? { userToken } : {}),
    };
    return { provider, request };
  }

  function waitingRun() {
    const repo = github.repository(REPO);
    repo.pendingDeployments.set(812, [
      pendingDeployment(REPO, {
        environmentId: 3,
        environment: 'prod',
        reviewers: [{ user: 'alice' }],
      }),
    ]);
    return repo;
  }

  it("approves with the user's own token and records the user as the identity", async () => {
    const repo = waitingRun();
    const { provider, request } = await reviewRequest('user-token-of-alice');

    const result = await provider.review(request);

    expect(repo.reviews).toEqual([
      {
        runId: 812,
        body: {
          environment_ids: [3],
          state: 'approved',
          comment: 'Looks good',
        },
        authorization: 'token user-token-of-alice',
      },
    ]);
    expect(result).toEqual({
      identity: 'github-user:alice',
      reference: '812',
      url: `https://github.com/${REPO}/actions/runs/812`,
    });
    expect(JSON.stringify(result)).not.toContain('user-token-of-alice');
  });

  it('acts with the integration credentials when no user token is given', async () => {
    const repo = waitingRun();
    const { provider, request } = await reviewRequest();

    const result = await provider.review({ ...request, decision: 'reject' });

    expect(repo.reviews).toEqual([
      {
        runId: 812,
        body: {
          environment_ids: [3],
          state: 'rejected',
          comment: 'Looks good',
        },
        authorization: 'token integration-token',
      },
    ]);
    expect(result.identity).toBe('github-token');
  });

  it('finds the environment id of a gate opened by a webhook', async () => {
    const repo = waitingRun();
    const { provider, request } = await reviewRequest(undefined, {
      runId: '812',
      githubEnvironment: 'prod',
    });

    await provider.review(request);

    expect(repo.reviews[0].body).toMatchObject({ environment_ids: [3] });
  });

  it('refuses a user token GitHub rejects, before acting', async () => {
    const repo = waitingRun();
    const { provider, request } = await reviewRequest('stale-token');

    await expect(provider.review(request)).rejects.toThrow(AuthenticationError);
    expect(repo.reviews).toEqual([]);
  });

  it("reports GitHub's refusal when the user is not a required reviewer", async () => {
    waitingRun();
    server.use(
      http.post(
        `https://api.github.com/repos/${REPO}/actions/runs/812/pending_deployments`,
        () =>
          HttpResponse.json(
            { message: 'User must be a required reviewer' },
            { status: 403 },
          ),
      ),
    );
    const { provider, request } = await reviewRequest();

    const failure = provider.review(request);

    await expect(failure).rejects.toThrow(NotAllowedError);
    await expect(failure).rejects.toThrow('User must be a required reviewer');
  });
});
