import type { components } from '@octokit/openapi-types';

/**
 * Builders of GitHub REST bodies, typed against GitHub's OpenAPI description
 * so the fakes in tests cannot drift from what GitHub sends.
 */
export type Schemas = components['schemas'];

const API = 'https://api.github.com';
const WEB = 'https://github.com';

export function user(login: string, id = 1): Schemas['simple-user'] {
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `${WEB}/${login}.png`,
    gravatar_id: null,
    url: `${API}/users/${login}`,
    html_url: `${WEB}/${login}`,
    followers_url: `${API}/users/${login}/followers`,
    following_url: `${API}/users/${login}/following{/other_user}`,
    gists_url: `${API}/users/${login}/gists{/gist_id}`,
    starred_url: `${API}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${API}/users/${login}/subscriptions`,
    organizations_url: `${API}/users/${login}/orgs`,
    repos_url: `${API}/users/${login}/repos`,
    events_url: `${API}/users/${login}/events{/privacy}`,
    received_events_url: `${API}/users/${login}/received_events`,
    type: 'User',
    site_admin: false,
  };
}

export function team(slug: string, id = 7): Schemas['team'] {
  return {
    id,
    node_id: `T_${id}`,
    name: slug,
    slug,
    description: null,
    permission: 'pull',
    url: `${API}/teams/${id}`,
    html_url: `${WEB}/orgs/acme/teams/${slug}`,
    members_url: `${API}/teams/${id}/members{/member}`,
    repositories_url: `${API}/teams/${id}/repos`,
    type: 'organization',
    parent: null,
  };
}

export function repository(fullName: string): Schemas['minimal-repository'] {
  const [owner, name] = fullName.split('/');
  const url = `${API}/repos/${fullName}`;
  return {
    id: 1296269,
    node_id: 'R_1',
    name,
    full_name: fullName,
    owner: user(owner, 2),
    private: false,
    html_url: `${WEB}/${fullName}`,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    hooks_url: `${url}/hooks`,
  };
}

export function deployment(
  fullName: string,
  fields: {
    id: number;
    sha: string;
    environment: string;
    createdAt: string;
    ref?: string;
    creator?: string;
    payload?: Record<string, unknown>;
  },
): Schemas['deployment'] {
  const url = `${API}/repos/${fullName}/deployments/${fields.id}`;
  return {
    url,
    id: fields.id,
    node_id: `DE_${fields.id}`,
    sha: fields.sha,
    ref: fields.ref ?? 'main',
    task: 'deploy',
    payload: fields.payload ?? {},
    original_environment: fields.environment,
    environment: fields.environment,
    description: null,
    creator: user(fields.creator ?? 'github-actions[bot]', 41898282),
    created_at: fields.createdAt,
    updated_at: fields.createdAt,
    statuses_url: `${url}/statuses`,
    repository_url: `${API}/repos/${fullName}`,
    transient_environment: false,
    production_environment: fields.environment === 'production',
  };
}

export function deploymentStatus(
  fullName: string,
  deploymentId: number,
  fields: {
    id: number;
    state: Schemas['deployment-status']['state'];
    createdAt: string;
    logUrl?: string;
    description?: string;
  },
): Schemas['deployment-status'] {
  const deploymentUrl = `${API}/repos/${fullName}/deployments/${deploymentId}`;
  return {
    url: `${deploymentUrl}/statuses/${fields.id}`,
    id: fields.id,
    node_id: `DES_${fields.id}`,
    state: fields.state,
    creator: user('github-actions[bot]', 41898282),
    description: fields.description ?? '',
    environment: 'production',
    target_url: fields.logUrl ?? '',
    log_url: fields.logUrl ?? '',
    environment_url: '',
    created_at: fields.createdAt,
    updated_at: fields.createdAt,
    deployment_url: deploymentUrl,
    repository_url: `${API}/repos/${fullName}`,
  };
}

export function environment(
  fullName: string,
  fields: {
    id: number;
    name: string;
    reviewers?: Array<{ user: string } | { team: string }>;
    waitTimerMinutes?: number;
  },
): Schemas['environment'] {
  const rules: NonNullable<Schemas['environment']['protection_rules']> = [];
  if (fields.waitTimerMinutes) {
    rules.push({
      id: fields.id * 10,
      node_id: `GA_${fields.id}_wait`,
      type: 'wait_timer',
      wait_timer: fields.waitTimerMinutes,
    });
  }
  if (fields.reviewers?.length) {
    rules.push({
      id: fields.id * 10 + 1,
      node_id: `GA_${fields.id}_reviewers`,
      type: 'required_reviewers',
      prevent_self_review: true,
      reviewers: fields.reviewers.map(r =>
        'user' in r
          ? { type: 'User' as const, reviewer: user(r.user, 100) }
          : { type: 'Team' as const, reviewer: team(r.team) },
      ),
    });
  }
  return {
    id: fields.id,
    node_id: `EN_${fields.id}`,
    name: fields.name,
    url: `${API}/repos/${fullName}/environments/${fields.name}`,
    html_url: `${WEB}/${fullName}/deployments/activity_log?environments_filter=${fields.name}`,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    protection_rules: rules,
    deployment_branch_policy: null,
  };
}

export function workflowRun(
  fullName: string,
  fields: {
    id: number;
    headSha: string;
    status?: string;
    createdAt?: string;
    actor?: string;
  },
): Schemas['workflow-run'] {
  const url = `${API}/repos/${fullName}/actions/runs/${fields.id}`;
  const at = fields.createdAt ?? '2026-11-20T10:00:00Z';
  return {
    id: fields.id,
    name: 'Deploy',
    node_id: `WFR_${fields.id}`,
    check_suite_id: fields.id + 1,
    check_suite_node_id: `CS_${fields.id}`,
    head_branch: 'main',
    head_sha: fields.headSha,
    path: '.github/workflows/deploy.yml',
    run_number: 812,
    run_attempt: 1,
    event: 'push',
    status: fields.status ?? 'waiting',
    conclusion: null,
    workflow_id: 161335,
    url,
    html_url: `${WEB}/${fullName}/actions/runs/${fields.id}`,
    pull_requests: [],
    created_at: at,
    updated_at: at,
    actor: user(fields.actor ?? 'alice', 3),
    triggering_actor: user(fields.actor ?? 'alice', 3),
    run_started_at: at,
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${API}/repos/${fullName}/check-suites/${fields.id + 1}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${API}/repos/${fullName}/actions/workflows/161335`,
    head_commit: null,
    repository: repository(fullName),
    head_repository: repository(fullName),
    display_title: 'Deploy',
  };
}

export function pendingDeployment(
  fullName: string,
  fields: {
    environmentId: number;
    environment: string;
    reviewers: Array<{ user: string } | { team: string }>;
    waitTimerMinutes?: number;
    waitTimerStartedAt?: string | null;
  },
): Schemas['pending-deployment'] {
  return {
    environment: {
      id: fields.environmentId,
      node_id: `EN_${fields.environmentId}`,
      name: fields.environment,
      url: `${API}/repos/${fullName}/environments/${fields.environment}`,
      html_url: `${WEB}/${fullName}/deployments/activity_log?environments_filter=${fields.environment}`,
    },
    wait_timer: fields.waitTimerMinutes ?? 0,
    wait_timer_started_at: fields.waitTimerStartedAt ?? null,
    current_user_can_approve: true,
    reviewers: fields.reviewers.map(r =>
      'user' in r
        ? { type: 'User' as const, reviewer: user(r.user, 100) }
        : { type: 'Team' as const, reviewer: team(r.team) },
    ),
  };
}

export function tag(
  fullName: string,
  name: string,
  commitSha: string,
): Schemas['tag'] {
  return {
    name,
    commit: {
      sha: commitSha,
      url: `${API}/repos/${fullName}/commits/${commitSha}`,
    },
    zipball_url: `${API}/repos/${fullName}/zipball/refs/tags/${name}`,
    tarball_url: `${API}/repos/${fullName}/tarball/refs/tags/${name}`,
    node_id: `REF_${name}`,
  };
}

export function commit(
  fullName: string,
  fields: { sha: string; message: string; author?: string; date?: string },
): Schemas['commit'] {
  const login = fields.author ?? 'bob';
  const date = fields.date ?? '2026-11-20T10:00:00Z';
  const signature = {
    name: login.toUpperCase(),
    email: `${login}@acme.test`,
    date,
  };
  return {
    url: `${API}/repos/${fullName}/commits/${fields.sha}`,
    sha: fields.sha,
    node_id: `C_${fields.sha}`,
    html_url: `${WEB}/${fullName}/commit/${fields.sha}`,
    comments_url: `${API}/repos/${fullName}/commits/${fields.sha}/comments`,
    commit: {
      url: `${API}/repos/${fullName}/git/commits/${fields.sha}`,
      author: signature,
      committer: signature,
      message: fields.message,
      comment_count: 0,
      tree: {
        sha: 'f'.repeat(40),
        url: `${API}/repos/${fullName}/git/trees/${'f'.repeat(40)}`,
      },
    },
    author: user(login, 5),
    committer: user(login, 5),
    parents: [],
  };
}

export function diffEntry(
  filename: string,
  additions: number,
  deletions: number,
): Schemas['diff-entry'] {
  return {
    sha: 'a'.repeat(40),
    filename,
    status: 'modified',
    additions,
    deletions,
    changes: additions + deletions,
    blob_url: `${WEB}/acme/x/blob/main/${filename}`,
    raw_url: `${WEB}/acme/x/raw/main/${filename}`,
    contents_url: `${API}/repos/acme/x/contents/${filename}`,
  };
}

export function comparison(
  fullName: string,
  fields: {
    status: Schemas['commit-comparison']['status'];
    aheadBy: number;
    behindBy: number;
    totalCommits: number;
    commits: Schemas['commit'][];
    files?: Schemas['diff-entry'][];
    base: string;
    head: string;
  },
): Schemas['commit-comparison'] {
  const base = commit(fullName, { sha: fields.base, message: 'base' });
  return {
    url: `${API}/repos/${fullName}/compare/${fields.base}...${fields.head}`,
    html_url: `${WEB}/${fullName}/compare/${fields.base}...${fields.head}`,
    permalink_url: `${WEB}/${fullName}/compare/acme:${fields.base}...acme:${fields.head}`,
    diff_url: `${WEB}/${fullName}/compare/${fields.base}...${fields.head}.diff`,
    patch_url: `${WEB}/${fullName}/compare/${fields.base}...${fields.head}.patch`,
    base_commit: base,
    merge_base_commit: base,
    status: fields.status,
    ahead_by: fields.aheadBy,
    behind_by: fields.behindBy,
    total_commits: fields.totalCommits,
    commits: fields.commits,
    ...(fields.files ? { files: fields.files } : {}),
  };
}

/** A 40-character SHA derived from a number, for readable tests. */
export function sha(n: number): string {
  return n.toString(16).padStart(40, '0');
}
