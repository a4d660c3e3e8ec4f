import type { ChangeCommit } from '@stagecraft/plugin-deployments-common';
import type { ProviderComparison } from '@stagecraft/plugin-deployments-node';
import {
  expectArray,
  expectObjectWith,
  mapWithConcurrency,
} from '../client/conditionalRequest';
import type { GithubRepositoryClient } from '../client/GithubClientFactory';
import type {
  RestComparison,
  RestPullRequestOfCommit,
} from '../sync/githubTypes';

const PAGE_SIZE = 100;
const PULL_LOOKUP_CONCURRENCY = 4;

export interface CompareOptions {
  fromSha: string;
  toSha: string;
  /** At most this many commits are listed (pages of 100); `totalCommits` still says how many there are. */
  maxCommits: number;
  /** At most this many `/commits/{sha}/pulls` requests for commits whose message names no pull request. */
  maxPullRequestLookups: number;
  signal?: AbortSignal;
}

type ComparedCommit = RestComparison['commits'][number];

/**
 * Finds the pull request in the message GitHub writes when merging one:
 * `Title (#123)` for squash merges, `Merge pull request #123 from …` with the
 * title on the following lines for merge commits. This costs no request.
 */
export function pullRequestFromMessage(
  message: string,
): { number: number; title: string } | undefined {
  const [firstLine, ...rest] = message.split('\n');
  const merge = /^Merge pull request #(\d+) from \S+/.exec(firstLine);
  if (merge) {
    const title = rest.map(l => l.trim()).find(l => l.length > 0);
    return { number: Number(merge[1]), title: title ?? firstLine };
  }
  const squash = /^(.*\S)\s+\(#(\d+)\)\s*$/.exec(firstLine);
  if (squash) {
    return { number: Number(squash[2]), title: squash[1] };
  }
  return undefined;
}

function toChangeCommit(commit: ComparedCommit, htmlUrl: string): ChangeCommit {
  const message = commit.commit.message ?? '';
  const title = message.split('\n')[0];
  const login =
    commit.author && 'login' in commit.author ? commit.author.login : undefined;
  const pull = pullRequestFromMessage(message);
  return {
    sha: commit.sha,
    message: title,
    author: commit.commit.author?.name ?? login ?? 'unknown',
    ...(login ? { authorLogin: login } : {}),
    date: commit.commit.author?.date ?? commit.commit.committer?.date ?? '',
    url: commit.html_url,
    ...(pull
      ? {
          pullRequest: {
            number: pull.number,
            title: pull.title,
            url: `${htmlUrl}/pull/${pull.number}`,
          },
        }
      : {}),
  };
}

/**
 * The change between two commits: GitHub's compare endpoint in pages of 100
 * (files and their totals come with page 1 only, capped by GitHub at 300
 * files), newest commit first, with the pull request each commit came from.
 */
export async function compareCommits(
  client: GithubRepositoryClient,
  options: CompareOptions,
): Promise<ProviderComparison> {
  const { octokit, repository } = client;
  const readPage = async (page: number) => {
    const response = await octokit.request(
      'GET /repos/{owner}/{repo}/compare/{basehead}',
      {
        owner: repository.owner,
        repo: repository.repo,
        basehead: `${options.fromSha}...${options.toSha}`,
        per_page: PAGE_SIZE,
        page,
        request: { signal: options.signal },
      },
    );
    return expectObjectWith<RestComparison>(
      response.data,
      'total_commits',
      'a commit comparison',
    );
  };

  const first = await readPage(1);
  const pages = Math.min(
    Math.ceil(first.total_commits / PAGE_SIZE),
    Math.ceil(options.maxCommits / PAGE_SIZE),
  );
  const commits: ComparedCommit[] = [
    ...expectArray<ComparedCommit>(first.commits, 'compared commits'),
  ];
  for (let page = 2; page <= pages; page++) {
    const next = await readPage(page);
    commits.push(
      ...expectArray<ComparedCommit>(next.commits, 'compared commits'),
    );
  }

  // GitHub lists commits oldest first; the diff shows the newest first.
  const changes = commits
    .slice(0, options.maxCommits)
    .map(c => toChangeCommit(c, client.htmlUrl))
    .reverse();

  const unmatched = changes
    .filter(c => !c.pullRequest)
    .slice(0, options.maxPullRequestLookups);
  await mapWithConcurrency(unmatched, PULL_LOOKUP_CONCURRENCY, async change => {
    try {
      const response = await octokit.request(
        'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
        {
          owner: repository.owner,
          repo: repository.repo,
          commit_sha: change.sha,
          request: { signal: options.signal },
        },
      );
      const pulls = expectArray<RestPullRequestOfCommit>(
        response.data,
        'pull requests',
      );
      // GitHub lists the merged pull request that introduced the commit first.
      const pull = pulls.find(p => p.merged_at) ?? pulls[0];
      if (pull) {
        change.pullRequest = {
          number: pull.number,
          title: pull.title,
          url: pull.html_url,
        };
      }
    } catch {
      // A missing pull request link is cosmetic; the commit itself is listed.
    }
  });

  const files = (first.files ?? []).map(f => ({
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
  }));
  return {
    status: first.status,
    aheadBy: first.ahead_by,
    behindBy: first.behind_by,
    totalCommits: first.total_commits,
    commits: changes,
    files,
    additions: files.reduce((sum, f) => sum + f.additions, 0),
    deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    url: first.html_url,
  };
}
