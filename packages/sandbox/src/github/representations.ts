import {
  CommitRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  EnvironmentRecord,
  JobRecord,
  PullRecord,
  RepositoryRecord,
  ReviewRecord,
  RunRecord,
  TagRecord,
  fullName,
} from '../world/model';
import { ORGANISATION, person, team as findTeam } from '../world/people';
import { Pipeline } from '../world/Pipeline';
import { World } from '../world/World';
import {
  Commit,
  CommitComparison,
  Deployment,
  DeploymentStatus,
  DiffEntry,
  Environment,
  EnvironmentApprovals,
  Job,
  MinimalRepository,
  PendingDeployment,
  PullRequestSimple,
  Repository,
  SimpleUser,
  Tag,
  Team,
  Workflow,
  WorkflowRun,
} from './schemas';

/** GitHub's timestamps: ISO 8601 in UTC, to the second. */
export function isoTime(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const LABEL_COLOURS: Record<string, string> = {
  bug: 'd73a4a',
  dependencies: '0366d6',
  hotfix: 'b60205',
};

function nodeId(type: string, id: number | string): string {
  return Buffer.from(`04:${type}${id}`).toString('base64').replace(/=+$/, '');
}

export interface Addresses {
  /** e.g. http://localhost:7100/api/v3 */
  api(): string;
  /** Where html_url links point (the sandbox answers them with a small page). */
  web(): string;
}

/**
 * Turns the world's records into GitHub's REST representations, with every
 * URL pointing back at the sandbox.
 */
export class GithubRepresentation {
  constructor(
    private readonly world: World,
    private readonly pipeline: Pipeline,
    private readonly addresses: Addresses,
  ) {}

  private api(path: string) {
    return `${this.addresses.api()}${path}`;
  }

  private web(path: string) {
    return `${this.addresses.web()}${path}`;
  }

  user(login: string): SimpleUser {
    const account =
      login === ORGANISATION.login
        ? { ...ORGANISATION, type: 'Organization' }
        : person(login);
    const url = this.api(`/users/${account.login}`);
    return {
      login: account.login,
      id: account.id,
      node_id: nodeId('User', account.id),
      avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
      gravatar_id: '',
      url,
      html_url: this.web(`/${account.login}`),
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: account.type,
      user_view_type: 'public',
      site_admin: false,
    };
  }

  team(slug: string): Team {
    const record = findTeam(slug);
    const url = this.api(`/organizations/${ORGANISATION.id}/team/${record.id}`);
    return {
      id: record.id,
      node_id: nodeId('Team', record.id),
      name: record.name,
      slug: record.slug,
      description: null,
      privacy: 'closed',
      notification_setting: 'notifications_enabled',
      permission: 'pull',
      url,
      html_url: this.web(`/orgs/${ORGANISATION.login}/teams/${record.slug}`),
      members_url: `${url}/members{/member}`,
      repositories_url: `${url}/repos`,
      type: 'organization',
      organization_id: ORGANISATION.id,
      parent: null,
    };
  }

  minimalRepository(repo: RepositoryRecord): MinimalRepository {
    const url = this.api(`/repos/${fullName(repo)}`);
    return {
      id: repo.id,
      node_id: nodeId('Repository', repo.id),
      name: repo.name,
      full_name: fullName(repo),
      owner: this.user(repo.owner),
      private: true,
      html_url: this.web(`/${fullName(repo)}`),
      description: repo.description,
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
      language: repo.language,
      default_branch: repo.defaultBranch,
      visibility: 'private',
      created_at: isoTime(repo.createdAt),
      updated_at: isoTime(this.world.headCommit(repo).date),
      pushed_at: isoTime(this.world.headCommit(repo).date),
    };
  }

  repository(repo: RepositoryRecord): Repository {
    const minimal = this.minimalRepository(repo);
    const head = this.world.headCommit(repo);
    return {
      ...minimal,
      license: null,
      forks: 0,
      permissions: {
        admin: false,
        maintain: false,
        push: true,
        triage: true,
        pull: true,
      },
      git_url: `git://github.com/${fullName(repo)}.git`,
      ssh_url: `git@github.com:${fullName(repo)}.git`,
      clone_url: `${this.web(`/${fullName(repo)}`)}.git`,
      svn_url: this.web(`/${fullName(repo)}`),
      mirror_url: null,
      homepage: null,
      language: repo.language,
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      size: repo.commits.length * 7,
      default_branch: repo.defaultBranch,
      open_issues_count: 0,
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: true,
      archived: false,
      disabled: false,
      pushed_at: isoTime(head.date),
      created_at: isoTime(repo.createdAt),
      updated_at: isoTime(head.date),
      open_issues: 0,
      watchers: 0,
    };
  }

  deployment(repo: RepositoryRecord, deployment: DeploymentRecord): Deployment {
    const url = this.api(
      `/repos/${fullName(repo)}/deployments/${deployment.id}`,
    );
    return {
      url,
      id: deployment.id,
      node_id: nodeId('Deployment', deployment.id),
      sha: deployment.sha,
      ref: deployment.ref,
      task: deployment.task,
      payload: deployment.payload,
      original_environment: deployment.environment,
      environment: deployment.environment,
      description: deployment.description,
      creator: this.user(deployment.creator),
      created_at: isoTime(deployment.createdAt),
      updated_at: isoTime(deployment.updatedAt),
      statuses_url: `${url}/statuses`,
      repository_url: this.api(`/repos/${fullName(repo)}`),
      transient_environment: deployment.transient || undefined,
      production_environment: deployment.production || undefined,
    };
  }

  deploymentStatus(
    repo: RepositoryRecord,
    deployment: DeploymentRecord,
    status: DeploymentStatusRecord,
  ): DeploymentStatus {
    const deploymentUrl = this.api(
      `/repos/${fullName(repo)}/deployments/${deployment.id}`,
    );
    const logUrl = status.logUrl ? this.web(status.logUrl) : '';
    return {
      url: `${deploymentUrl}/statuses/${status.id}`,
      id: status.id,
      node_id: nodeId('DeploymentStatus', status.id),
      state: status.state,
      creator: this.user(status.creator),
      description: status.description,
      environment: deployment.environment,
      target_url: logUrl,
      created_at: isoTime(status.createdAt),
      updated_at: isoTime(status.createdAt),
      deployment_url: deploymentUrl,
      repository_url: this.api(`/repos/${fullName(repo)}`),
      environment_url: status.environmentUrl,
      log_url: logUrl,
    };
  }

  private environmentReference(
    repo: RepositoryRecord,
    environment: EnvironmentRecord,
  ) {
    return {
      id: environment.id,
      node_id: nodeId('Environment', environment.id),
      name: environment.name,
      url: this.api(
        `/repos/${fullName(repo)}/environments/${environment.name}`,
      ),
      html_url: this.web(
        `/${fullName(repo)}/deployments/activity_log?environments_filter=${
          environment.name
        }`,
      ),
    };
  }

  private reviewers(environment: EnvironmentRecord) {
    return environment.reviewers.map(reviewer =>
      reviewer.type === 'User'
        ? { type: 'User' as const, reviewer: this.user(reviewer.login) }
        : { type: 'Team' as const, reviewer: this.team(reviewer.slug) },
    );
  }

  environment(
    repo: RepositoryRecord,
    environment: EnvironmentRecord,
  ): Environment {
    const protectionRules: NonNullable<Environment['protection_rules']> = [];
    if (environment.waitTimerMinutes > 0) {
      protectionRules.push({
        id: environment.id + 1,
        node_id: nodeId('ProtectionRule', environment.id + 1),
        type: 'wait_timer',
        wait_timer: environment.waitTimerMinutes,
      });
    }
    if (environment.reviewers.length > 0) {
      protectionRules.push({
        id: environment.id + 2,
        node_id: nodeId('ProtectionRule', environment.id + 2),
        type: 'required_reviewers',
        prevent_self_review: environment.preventSelfReview,
        reviewers: this.reviewers(environment),
      });
    }
    return {
      ...this.environmentReference(repo, environment),
      created_at: isoTime(environment.createdAt),
      updated_at: isoTime(environment.updatedAt),
      protection_rules: protectionRules,
      deployment_branch_policy: null,
    };
  }

  /** What `GET …/pending_deployments` lists for a run, as seen by `identity`. */
  pendingDeployments(
    repo: RepositoryRecord,
    run: RunRecord,
    identity: string,
  ): PendingDeployment[] {
    const gate = this.pipeline.pendingGate(run);
    if (!gate) return [];
    const environment = this.world.environment(repo, gate.environment)!;
    return [
      {
        environment: this.environmentReference(repo, environment),
        wait_timer: environment.waitTimerMinutes,
        wait_timer_started_at:
          environment.waitTimerMinutes > 0 ? isoTime(gate.since) : null,
        current_user_can_approve: this.pipeline.canReview(
          repo,
          gate.environment,
          identity,
        ),
        reviewers: this.reviewers(environment),
      },
    ];
  }

  approval(repo: RepositoryRecord, review: ReviewRecord): EnvironmentApprovals {
    return {
      environments: review.environmentIds.map(id => {
        const environment = repo.environments.find(e => e.id === id)!;
        return {
          ...this.environmentReference(repo, environment),
          created_at: isoTime(environment.createdAt),
          updated_at: isoTime(environment.updatedAt),
        };
      }),
      state: review.state,
      user: this.user(review.user),
      comment: review.comment,
    };
  }

  workflow(repo: RepositoryRecord): Workflow {
    const { workflow } = repo;
    return {
      id: workflow.id,
      node_id: nodeId('Workflow', workflow.id),
      name: workflow.name,
      path: workflow.path,
      state: 'active',
      created_at: isoTime(workflow.createdAt),
      updated_at: isoTime(workflow.createdAt),
      url: this.api(
        `/repos/${fullName(repo)}/actions/workflows/${workflow.id}`,
      ),
      html_url: this.web(`/${fullName(repo)}/blob/main/${workflow.path}`),
      badge_url: this.web(
        `/${fullName(repo)}/workflows/${workflow.name}/badge.svg`,
      ),
    };
  }

  run(repo: RepositoryRecord, run: RunRecord): WorkflowRun {
    const url = this.api(`/repos/${fullName(repo)}/actions/runs/${run.id}`);
    const head = this.world.resolveRef(repo, run.headSha)!;
    const repository = this.minimalRepository(repo);
    return {
      id: run.id,
      name: repo.workflow.name,
      node_id: nodeId('WorkflowRun', run.id),
      check_suite_id: run.id + 7,
      check_suite_node_id: nodeId('CheckSuite', run.id + 7),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: repo.workflow.path,
      run_number: run.runNumber,
      run_attempt: 1,
      referenced_workflows: [],
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: repo.workflow.id,
      url,
      html_url: this.web(`/${fullName(repo)}/actions/runs/${run.id}`),
      pull_requests: [],
      created_at: isoTime(run.createdAt),
      updated_at: isoTime(run.updatedAt),
      actor: this.user(run.actor),
      triggering_actor: this.user(run.actor),
      run_started_at: isoTime(run.runStartedAt),
      jobs_url: `${url}/jobs`,
      logs_url: `${url}/logs`,
      check_suite_url: this.api(
        `/repos/${fullName(repo)}/check-suites/${run.id + 7}`,
      ),
      artifacts_url: `${url}/artifacts`,
      cancel_url: `${url}/cancel`,
      rerun_url: `${url}/rerun`,
      previous_attempt_url: null,
      workflow_url: this.api(
        `/repos/${fullName(repo)}/actions/workflows/${repo.workflow.id}`,
      ),
      head_commit: {
        id: head.sha,
        tree_id: head.treeSha,
        message: head.message,
        timestamp: isoTime(head.date),
        author: this.gitPerson(head.author),
        committer: this.gitPerson(head.committer),
      },
      repository,
      head_repository: repository,
      display_title: run.displayTitle,
    };
  }

  job(repo: RepositoryRecord, run: RunRecord, job: JobRecord): Job {
    const url = this.api(`/repos/${fullName(repo)}/actions/jobs/${job.id}`);
    return {
      id: job.id,
      run_id: run.id,
      run_url: this.api(`/repos/${fullName(repo)}/actions/runs/${run.id}`),
      run_attempt: 1,
      node_id: nodeId('CheckRun', job.id),
      head_sha: run.headSha,
      url,
      html_url: this.web(
        `/${fullName(repo)}/actions/runs/${run.id}/job/${job.id}`,
      ),
      status: job.status,
      conclusion: job.conclusion,
      created_at: isoTime(job.createdAt),
      started_at: isoTime(job.startedAt),
      completed_at: job.completedAt === null ? null : isoTime(job.completedAt),
      name: job.name,
      steps: [],
      check_run_url: this.api(`/repos/${fullName(repo)}/check-runs/${job.id}`),
      labels: ['ubuntu-latest'],
      runner_id:
        job.status === 'completed' || job.status === 'in_progress' ? 1 : null,
      runner_name:
        job.status === 'completed' || job.status === 'in_progress'
          ? 'GitHub Actions 1'
          : null,
      runner_group_id:
        job.status === 'completed' || job.status === 'in_progress' ? 2 : null,
      runner_group_name:
        job.status === 'completed' || job.status === 'in_progress'
          ? 'GitHub Actions'
          : null,
      workflow_name: repo.workflow.name,
      head_branch: run.headBranch,
    };
  }

  private gitPerson(login: string) {
    const account = person(login);
    const email =
      account.type === 'Bot'
        ? `${account.id}+${account.login}@users.noreply.github.com`
        : `${account.login}@acme.example`;
    return { name: account.name, email };
  }

  diffEntry(
    repo: RepositoryRecord,
    commit: CommitRecord,
    file: CommitRecord['files'][number],
  ): DiffEntry {
    const blob = Buffer.from(`${commit.sha}:${file.filename}`)
      .toString('hex')
      .slice(0, 40);
    return {
      sha: blob,
      filename: file.filename,
      status: file.status,
      additions: file.additions,
      deletions: file.deletions,
      changes: file.additions + file.deletions,
      blob_url: this.web(
        `/${fullName(repo)}/blob/${commit.sha}/${file.filename}`,
      ),
      raw_url: this.web(
        `/${fullName(repo)}/raw/${commit.sha}/${file.filename}`,
      ),
      contents_url: this.api(
        `/repos/${fullName(repo)}/contents/${file.filename}?ref=${commit.sha}`,
      ),
    };
  }

  commit(
    repo: RepositoryRecord,
    commit: CommitRecord,
    options: { withFiles: boolean },
  ): Commit {
    const url = this.api(`/repos/${fullName(repo)}/commits/${commit.sha}`);
    const additions = commit.files.reduce((n, f) => n + f.additions, 0);
    const deletions = commit.files.reduce((n, f) => n + f.deletions, 0);
    const date = isoTime(commit.date);
    return {
      url,
      sha: commit.sha,
      node_id: nodeId('Commit', commit.sha),
      html_url: this.web(`/${fullName(repo)}/commit/${commit.sha}`),
      comments_url: `${url}/comments`,
      commit: {
        url: this.api(`/repos/${fullName(repo)}/git/commits/${commit.sha}`),
        author: { ...this.gitPerson(commit.author), date },
        committer: { ...this.gitPerson(commit.committer), date },
        message: commit.message,
        comment_count: 0,
        tree: {
          sha: commit.treeSha,
          url: this.api(`/repos/${fullName(repo)}/git/trees/${commit.treeSha}`),
        },
        verification: {
          verified: false,
          reason: 'unsigned',
          payload: null,
          signature: null,
          verified_at: null,
        },
      },
      author: this.user(commit.author),
      committer: this.user(commit.committer),
      parents: commit.parents.map(sha => ({
        sha,
        url: this.api(`/repos/${fullName(repo)}/commits/${sha}`),
        html_url: this.web(`/${fullName(repo)}/commit/${sha}`),
      })),
      ...(options.withFiles
        ? {
            stats: { additions, deletions, total: additions + deletions },
            files: commit.files.map(f => this.diffEntry(repo, commit, f)),
          }
        : {}),
    };
  }

  /**
   * `GET …/compare/{base}...{head}` over main's linear history. `commits` is
   * the requested page (chronological); files come with the first page only
   * and are capped at 300, as on GitHub.
   */
  comparison(
    repo: RepositoryRecord,
    base: CommitRecord,
    head: CommitRecord,
    page: { commits: CommitRecord[]; includeFiles: boolean },
    basehead: string,
  ): CommitComparison {
    const baseIndex = this.world.commitIndex(repo, base.sha);
    const headIndex = this.world.commitIndex(repo, head.sha);
    const aheadBy = Math.max(0, headIndex - baseIndex);
    const behindBy = Math.max(0, baseIndex - headIndex);
    const mergeBase = baseIndex <= headIndex ? base : head;
    let status: CommitComparison['status'] = 'identical';
    if (aheadBy > 0) status = 'ahead';
    else if (behindBy > 0) status = 'behind';
    const between = repo.commits.slice(baseIndex + 1, headIndex + 1);
    const files = new Map<string, DiffEntry>();
    if (page.includeFiles) {
      // A merge commit carries the files of its pull request; count them once.
      for (const commit of between.filter(c => c.parents.length === 1)) {
        for (const file of commit.files) {
          const entry = files.get(file.filename);
          if (entry) {
            entry.additions += file.additions;
            entry.deletions += file.deletions;
            entry.changes += file.additions + file.deletions;
          } else {
            files.set(file.filename, this.diffEntry(repo, head, file));
          }
        }
      }
    }
    const html = this.web(`/${fullName(repo)}/compare/${basehead}`);
    return {
      url: this.api(`/repos/${fullName(repo)}/compare/${basehead}`),
      html_url: html,
      permalink_url: this.web(
        `/${fullName(repo)}/compare/${repo.owner}:${base.sha.slice(0, 7)}...${
          repo.owner
        }:${head.sha.slice(0, 7)}`,
      ),
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      base_commit: this.commit(repo, base, { withFiles: false }),
      merge_base_commit: this.commit(repo, mergeBase, { withFiles: false }),
      status,
      ahead_by: aheadBy,
      behind_by: behindBy,
      total_commits: aheadBy,
      commits: page.commits.map(c =>
        this.commit(repo, c, { withFiles: false }),
      ),
      files: page.includeFiles ? [...files.values()].slice(0, 300) : [],
    };
  }

  pull(repo: RepositoryRecord, pull: PullRecord): PullRequestSimple {
    const url = this.api(`/repos/${fullName(repo)}/pulls/${pull.number}`);
    const issueUrl = this.api(`/repos/${fullName(repo)}/issues/${pull.number}`);
    const html = this.web(`/${fullName(repo)}/pull/${pull.number}`);
    const repository = this.repository(repo);
    const link = (href: string) => ({ href });
    return {
      url,
      id: pull.id,
      node_id: nodeId('PullRequest', pull.id),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issueUrl,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: this.api(
        `/repos/${fullName(repo)}/pulls/comments{/number}`,
      ),
      comments_url: `${issueUrl}/comments`,
      statuses_url: this.api(
        `/repos/${fullName(repo)}/statuses/${pull.headSha}`,
      ),
      number: pull.number,
      state: 'closed',
      locked: false,
      title: pull.title,
      user: this.user(pull.author),
      body: pull.body,
      labels: pull.labels.map((name, i) => ({
        id: pull.id * 10 + i,
        node_id: nodeId('Label', `${pull.id}-${i}`),
        url: this.api(`/repos/${fullName(repo)}/labels/${name}`),
        name,
        description: '',
        color: LABEL_COLOURS[name] ?? 'a2eeef',
        default: name === 'bug' || name === 'enhancement',
      })),
      milestone: null,
      active_lock_reason: null,
      created_at: isoTime(pull.createdAt),
      updated_at: isoTime(pull.mergedAt),
      closed_at: isoTime(pull.mergedAt),
      merged_at: isoTime(pull.mergedAt),
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: {
        label: `${repo.owner}:${pull.headRef}`,
        ref: pull.headRef,
        repo: repository,
        sha: pull.headSha,
        user: this.user(repo.owner),
      },
      base: {
        label: `${repo.owner}:${repo.defaultBranch}`,
        ref: repo.defaultBranch,
        repo: repository,
        sha: pull.baseSha,
        user: this.user(repo.owner),
      },
      _links: {
        comments: link(`${issueUrl}/comments`),
        commits: link(`${url}/commits`),
        statuses: link(
          this.api(`/repos/${fullName(repo)}/statuses/${pull.headSha}`),
        ),
        html: link(html),
        issue: link(issueUrl),
        review_comments: link(`${url}/comments`),
        review_comment: link(
          this.api(`/repos/${fullName(repo)}/pulls/comments{/number}`),
        ),
        self: link(url),
      },
      author_association: 'MEMBER',
      auto_merge: null,
      draft: false,
    };
  }

  tag(repo: RepositoryRecord, tag: TagRecord): Tag {
    return {
      name: tag.name,
      commit: {
        sha: tag.sha,
        url: this.api(`/repos/${fullName(repo)}/commits/${tag.sha}`),
      },
      zipball_url: this.api(
        `/repos/${fullName(repo)}/zipball/refs/tags/${tag.name}`,
      ),
      tarball_url: this.api(
        `/repos/${fullName(repo)}/tarball/refs/tags/${tag.name}`,
      ),
      node_id: nodeId('Ref', `${repo.id}:refs/tags/${tag.name}`),
    };
  }
}
