import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { FakeGithub } from './__testUtils__/FakeGithub';
import {
  createTestProvider,
  entityFor,
  repositoryTarget,
} from './__testUtils__/testProvider';

const REPO = 'acme/payments-api';
const TAGS = `https://api.github.com/repos/${REPO}/tags`;
const github = new FakeGithub();
const server = setupServer(...github.handlers());
registerMswTestHooks(server);

beforeEach(() => {
  github.clear();
  github.repository(REPO);
});

async function syncFailure() {
  const { provider, logger } = createTestProvider();
  const entity = entityFor(REPO);
  const error = await provider
    .sync({ entity, target: await repositoryTarget(provider, entity) })
    .then(
      () => undefined,
      e => e as Error,
    );
  return { error, logger };
}

describe('sync failures', () => {
  it('retries a 5xx with backoff and fails with a clear message when it persists', async () => {
    let attempts = 0;
    server.use(
      http.get(TAGS, () => {
        attempts++;
        return HttpResponse.json({ message: 'Server Error' }, { status: 502 });
      }),
    );

    const { error, logger } = await syncFailure();

    expect(attempts).toBe(3); // the first try and two retries
    expect(error?.message).toBe(
      'GitHub failed (502 Server Error) while syncing deployments of acme/payments-api',
    );
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('recovers when a retry of a 5xx succeeds', async () => {
    let attempts = 0;
    server.use(
      http.get(TAGS, () => {
        attempts++;
        return attempts === 1
          ? HttpResponse.json({ message: 'Unavailable' }, { status: 503 })
          : undefined;
      }),
    );
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);

    await expect(
      provider.sync({
        entity,
        target: await repositoryTarget(provider, entity),
      }),
    ).resolves.toMatchObject({ deployments: [] });
    expect(attempts).toBe(2);
  });

  it('gives up on a request GitHub does not answer in time', async () => {
    server.use(
      http.get(TAGS, async () => {
        await delay(2_000);
        return HttpResponse.json([]);
      }),
    );

    const { error } = await syncFailure();

    expect(error?.message).toBe(
      'GitHub did not answer in time while syncing deployments of acme/payments-api',
    );
  });

  it('reports a sync stopped while GitHub had not answered as stopped, not as a GitHub 500', async () => {
    server.use(
      http.get(TAGS, async () => {
        await delay(2_000);
        return HttpResponse.json([]);
      }),
    );
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50); // the scheduler's time limit of the run

    const error = await provider
      .sync({
        entity,
        target: await repositoryTarget(provider, entity),
        signal: controller.signal,
      })
      .then(
        () => undefined,
        e => e as Error,
      );

    expect(error?.message).toBe(
      'GitHub had not answered when the sync was stopped (its time limit, deployments.schedule.timeout, or a shutdown) while syncing deployments of acme/payments-api',
    );
  });

  it('reports a malformed answer', async () => {
    server.use(
      http.get(
        TAGS,
        () =>
          new HttpResponse('[{"name": "v1', {
            headers: { 'content-type': 'application/json' },
          }),
      ),
    );

    const { error } = await syncFailure();

    expect(error?.message).toBe(
      'GitHub returned a malformed response while syncing deployments of acme/payments-api: expected a list of tags',
    );
  });

  it('reports a repository that is gone', async () => {
    github.clear();

    const { error } = await syncFailure();

    expect(error?.message).toBe(
      'GitHub answered 404 while syncing deployments of acme/payments-api: the repository does not exist or the credentials cannot see it',
    );
  });

  it('reports bad credentials without repeating the token', async () => {
    server.use(
      http.get(TAGS, () =>
        HttpResponse.json({ message: 'Bad credentials' }, { status: 401 }),
      ),
    );

    const { error, logger } = await syncFailure();

    expect(error?.message).toBe(
      'GitHub rejected the credentials (401 Bad credentials) while syncing deployments of acme/payments-api; check the token or GitHub App of the integration',
    );
    const logged = JSON.stringify(logger.warn.mock.calls);
    expect(logged).toContain('401');
    expect(logged).not.toContain('integration-token');
  });

  it('stops at an exhausted rate limit that resets too late, naming when it resets', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    server.use(
      http.get(TAGS, () =>
        HttpResponse.json(
          { message: 'API rate limit exceeded' },
          {
            status: 403,
            headers: {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(reset),
            },
          },
        ),
      ),
    );

    const { error } = await syncFailure();

    expect(error?.message).toBe(
      `GitHub rate limit exhausted until ${new Date(
        reset * 1000,
      ).toISOString()} while syncing deployments of acme/payments-api`,
    );
  });

  it('waits out a secondary rate limit as retry-after says, then continues', async () => {
    let attempts = 0;
    server.use(
      http.get(TAGS, () => {
        attempts++;
        return attempts === 1
          ? HttpResponse.json(
              { message: 'You have exceeded a secondary rate limit' },
              { status: 403, headers: { 'retry-after': '2' } },
            )
          : undefined;
      }),
    );
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);

    await expect(
      provider.sync({
        entity,
        target: await repositoryTarget(provider, entity),
      }),
    ).resolves.toBeDefined();
    expect(attempts).toBe(2);
  });
});

describe('compare failures', () => {
  const COMPARE = `https://api.github.com/repos/${REPO}/compare/:basehead`;

  async function compareFailure() {
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);
    return provider
      .compare({
        entity,
        target: await repositoryTarget(provider, entity),
        fromSha: 'a'.repeat(40),
        toSha: 'b'.repeat(40),
      })
      .then(
        () => undefined,
        e => e as Error,
      );
  }

  it('says "try later" (ServiceUnavailableError) when the rate limit is exhausted', async () => {
    server.use(
      http.get(COMPARE, () =>
        HttpResponse.json(
          { message: 'API rate limit exceeded' },
          {
            status: 403,
            headers: {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
            },
          },
        ),
      ),
    );
    const error = await compareFailure();
    expect(error?.name).toBe('ServiceUnavailableError');
    expect(error?.message).toMatch(
      /^GitHub rate limit exhausted until .* while comparing/,
    );
  });

  it('reports a refusal that retrying will not fix as a plain failure', async () => {
    server.use(
      http.get(COMPARE, () =>
        HttpResponse.json(
          { message: 'Resource not accessible by integration' },
          { status: 403 },
        ),
      ),
    );
    const error = await compareFailure();
    expect(error?.name).toBe('Error');
    expect(error?.message).toMatch(
      /GitHub refused \(403 Resource not accessible by integration\)/,
    );
  });
});
