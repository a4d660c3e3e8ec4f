import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  commit,
  comparison,
  diffEntry,
  Schemas,
  sha,
  tag,
} from '../__testUtils__/githubFixtures';
import {
  createTestProvider,
  entityFor,
  repositoryTarget,
} from '../__testUtils__/testProvider';
import { pullRequestFromMessage } from './compareCommits';

const REPO = 'acme/payments-api';
const server = setupServer();
registerMswTestHooks(server);

function messageOf(n: number) {
  if (n % 3 === 0) return `Retry idempotent captures (#${n})`;
  if (n % 3 === 1)
    return `Merge pull request #${n} from acme/feature-${n}\n\nAdd refunds endpoint ${n}`;
  return `Bump boto3 to 1.${n}`;
}

/** Serves a comparison of `total` commits in GitHub's pages, and PR lookups; returns the request log. */
function serveComparison(
  total: number,
  status: Schemas['commit-comparison']['status'] = 'ahead',
) {
  const log: string[] = [];
  const commits = Array.from({ length: total }, (_, i) =>
    commit(REPO, {
      sha: sha(i + 1),
      message: messageOf(i + 1),
      author: 'bob',
      date: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
    }),
  );
  server.use(
    http.get(
      `https://api.github.com/repos/${REPO}/compare/:basehead`,
      ({ request, params }) => {
        const url = new URL(request.url);
        log.push(`compare ${url.search}`);
        const [base, head] = String(params.basehead).split('...');
        const perPage = Number(url.searchParams.get('per_page'));
        const page = Number(url.searchParams.get('page'));
        return HttpResponse.json(
          comparison(REPO, {
            status,
            aheadBy: status === 'behind' ? 0 : total,
            behindBy: status === 'behind' ? total : 0,
            totalCommits: total,
            commits: commits.slice((page - 1) * perPage, page * perPage),
            ...(page === 1
              ? {
                  files: [
                    diffEntry('src/app.py', 40, 6),
                    diffEntry('template.yaml', 2, 1),
                  ],
                }
              : {}),
            base,
            head,
          }),
        );
      },
    ),
    http.get(
      `https://api.github.com/repos/${REPO}/commits/:sha/pulls`,
      ({ params }) => {
        log.push(`pulls ${params.sha}`);
        // The fields of pull-request-simple that compare() reads.
        const pull: Pick<
          Schemas['pull-request-simple'],
          'number' | 'title' | 'html_url' | 'merged_at'
        > = {
          number: 999,
          title: 'Dependency bumps',
          html_url: `https://github.com/${REPO}/pull/999`,
          merged_at: '2026-11-01T00:00:00Z',
        };
        return HttpResponse.json([pull]);
      },
    ),
  );
  return log;
}

describe('compare', () => {
  it('reads comparisons of more than 250 commits in pages of 100, newest first', async () => {
    const log = serveComparison(260);
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);

    const diff = await provider.compare({
      entity,
      target: await repositoryTarget(provider, entity),
      fromSha: sha(1000),
      toSha: sha(2000),
    });

    expect(log.filter(l => l.startsWith('compare'))).toEqual([
      'compare ?per_page=100&page=1',
      'compare ?per_page=100&page=2',
      'compare ?per_page=100&page=3',
    ]);
    expect(diff).toMatchObject({
      status: 'ahead',
      aheadBy: 260,
      behindBy: 0,
      totalCommits: 260,
      additions: 42,
      deletions: 7,
    });
    expect(diff.commits).toHaveLength(260);
    expect(diff.commits[0].sha).toBe(sha(260));
    expect(diff.files).toEqual([
      {
        filename: 'src/app.py',
        status: 'modified',
        additions: 40,
        deletions: 6,
      },
      {
        filename: 'template.yaml',
        status: 'modified',
        additions: 2,
        deletions: 1,
      },
    ]);
  });

  it('takes pull requests from merge messages and asks GitHub only for the others', async () => {
    const log = serveComparison(6);
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);

    const diff = await provider.compare({
      entity,
      target: await repositoryTarget(provider, entity),
      fromSha: sha(1000),
      toSha: sha(2000),
    });

    const bySha = new Map(diff.commits.map(c => [c.sha, c]));
    expect(bySha.get(sha(3))).toMatchObject({
      message: 'Retry idempotent captures (#3)',
      author: 'BOB',
      authorLogin: 'bob',
      url: `https://github.com/${REPO}/commit/${sha(3)}`,
      pullRequest: {
        number: 3,
        title: 'Retry idempotent captures',
        url: `https://github.com/${REPO}/pull/3`,
      },
    });
    expect(bySha.get(sha(4))?.pullRequest).toEqual({
      number: 4,
      title: 'Add refunds endpoint 4',
      url: `https://github.com/${REPO}/pull/4`,
    });
    expect(bySha.get(sha(5))?.pullRequest?.number).toBe(999);
    // Only the two commits whose messages name no pull request were looked up.
    expect(log.filter(l => l.startsWith('pulls')).sort()).toEqual([
      `pulls ${sha(2)}`,
      `pulls ${sha(5)}`,
    ]);
  });

  it('reports a roll back as behind', async () => {
    serveComparison(2, 'behind');
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);

    const diff = await provider.compare({
      entity,
      target: await repositoryTarget(provider, entity),
      fromSha: sha(2000),
      toSha: sha(1000),
    });

    expect(diff).toMatchObject({ status: 'behind', aheadBy: 0, behindBy: 2 });
  });

  it('refuses refs that could not be a commit', async () => {
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);
    await expect(
      provider.compare({
        entity,
        target: await repositoryTarget(provider, entity),
        fromSha: 'main..evil',
        toSha: sha(1),
      }),
    ).rejects.toThrow("'main..evil' is not a commit or ref");
  });
});

describe('pullRequestFromMessage', () => {
  it('reads squash and merge commit messages', () => {
    expect(pullRequestFromMessage('Fix fees (#231)')).toEqual({
      number: 231,
      title: 'Fix fees',
    });
    expect(
      pullRequestFromMessage(
        'Merge pull request #7 from acme/x\n\nHotfix: null currency',
      ),
    ).toEqual({ number: 7, title: 'Hotfix: null currency' });
    expect(pullRequestFromMessage('Refers to #12 somewhere')).toBeUndefined();
  });
});

describe('resolveVersion', () => {
  it('resolves a tag to its commit with the tag name', async () => {
    server.use(
      http.get(`https://api.github.com/repos/${REPO}/commits/:ref`, () =>
        HttpResponse.json(
          commit(REPO, {
            sha: sha(42),
            message: 'Fix rounding in fees\n\nDetails',
          }),
        ),
      ),
      http.get(`https://api.github.com/repos/${REPO}/tags`, () =>
        HttpResponse.json([tag(REPO, 'v1.42.0', sha(42))]),
      ),
    );
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);

    await expect(
      provider.resolveVersion({
        entity,
        target: await repositoryTarget(provider, entity),
        ref: 'v1.42.0',
      }),
    ).resolves.toEqual({
      sha: sha(42),
      tag: 'v1.42.0',
      message: 'Fix rounding in fees',
      url: `https://github.com/${REPO}/commit/${sha(42)}`,
    });
  });

  it('answers undefined for a ref GitHub does not know', async () => {
    server.use(
      http.get(`https://api.github.com/repos/${REPO}/commits/:ref`, () =>
        HttpResponse.json(
          { message: 'No commit found for SHA: nope' },
          { status: 422 },
        ),
      ),
    );
    const { provider } = createTestProvider();
    const entity = entityFor(REPO);

    await expect(
      provider.resolveVersion({
        entity,
        target: await repositoryTarget(provider, entity),
        ref: 'nope',
      }),
    ).resolves.toBeUndefined();
  });
});
