import { SeededRandom } from '../random';
import { WorldError } from './errors';
import { WorldEvent, WorldListener } from './events';
import {
  CommitRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  DeploymentStatusState,
  EnvironmentRecord,
  RepositoryRecord,
  RunRecord,
} from './model';
import { RepositoryDefinition } from './repositories';

type IdKind = 'run' | 'job' | 'deployment' | 'status' | 'pull' | 'environment';

/**
 * Where the first id of each kind starts, in the range GitHub's ids are in
 * today. Ids that GraphQL exposes as `databaseId` (deployments, environments)
 * stay below 2^31: GraphQL's Int is 32-bit.
 */
const ID_BASES: Record<IdKind, number> = {
  run: 11_000_000_000,
  job: 30_000_000_000,
  deployment: 1_400_000_000,
  status: 5_200_000_000,
  pull: 1_500_000_000,
  environment: 400_000_000,
};

/**
 * The state of the simulated organisation: repositories with their commits,
 * runs, deployments and statuses, plus the clock and id sequences every change
 * uses. Changes are announced to listeners (the webhook sender) as events.
 */
export class World {
  readonly repositories: RepositoryRecord[] = [];
  readonly definitions = new Map<RepositoryRecord, RepositoryDefinition>();
  private readonly nextIds: Record<IdKind, number> = { ...ID_BASES };
  private readonly listeners = new Set<WorldListener>();
  private readonly shaIndex = new Map<RepositoryRecord, Map<string, number>>();

  constructor(readonly random: SeededRandom, public now: () => number) {}

  nextId(kind: IdKind): number {
    return this.nextIds[kind]++;
  }

  /**
   * From now on ids continue from a base that grows with wall-clock time, so
   * objects created after a restart never reuse the ids of objects a client
   * stored during an earlier run of the sandbox (history ids do repeat: the
   * history is the same for the same seed).
   */
  continueIdsFrom(time: number) {
    const secondsSince2025 = Math.max(
      0,
      Math.floor((time - Date.UTC(2025, 0, 1)) / 1000),
    );
    for (const kind of Object.keys(ID_BASES) as IdKind[]) {
      this.nextIds[kind] = Math.max(
        this.nextIds[kind],
        ID_BASES[kind] + 100_000_000 + secondsSince2025,
      );
    }
  }

  subscribe(listener: WorldListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: WorldEvent) {
    for (const listener of this.listeners) listener(event);
  }

  addRepository(
    repository: RepositoryRecord,
    definition: RepositoryDefinition,
  ) {
    this.repositories.push(repository);
    this.definitions.set(repository, definition);
    this.shaIndex.set(repository, new Map());
  }

  definitionOf(repository: RepositoryRecord): RepositoryDefinition {
    return this.definitions.get(repository)!;
  }

  findRepository(owner: string, name: string): RepositoryRecord | undefined {
    return this.repositories.find(
      r =>
        r.owner.toLowerCase() === owner.toLowerCase() &&
        r.name.toLowerCase() === name.toLowerCase(),
    );
  }

  repository(owner: string, name: string): RepositoryRecord {
    const repository = this.findRepository(owner, name);
    if (!repository)
      throw new WorldError('not-found', `No repository ${owner}/${name}`);
    return repository;
  }

  appendCommit(repository: RepositoryRecord, commit: CommitRecord) {
    this.shaIndex.get(repository)!.set(commit.sha, repository.commits.length);
    repository.commits.push(commit);
  }

  /** Position of a commit in main's history, or -1. */
  commitIndex(repository: RepositoryRecord, sha: string): number {
    return this.shaIndex.get(repository)!.get(sha) ?? -1;
  }

  headCommit(repository: RepositoryRecord): CommitRecord {
    return repository.commits[repository.commits.length - 1];
  }

  /**
   * Resolves what git would: a full or abbreviated SHA (7+ digits), a branch
   * name, a tag name, or `heads/…` / `tags/…` / `refs/heads/…` / `refs/tags/…`.
   */
  resolveRef(
    repository: RepositoryRecord,
    ref: string,
  ): CommitRecord | undefined {
    const name = ref.replace(/^refs\//, '');
    if (
      name === repository.defaultBranch ||
      name === `heads/${repository.defaultBranch}`
    )
      return this.headCommit(repository);
    const tagName = name.replace(/^tags\//, '');
    const tag = repository.tags.find(t => t.name === tagName);
    if (tag) return repository.commits[this.commitIndex(repository, tag.sha)];
    if (/^[0-9a-f]{7,40}$/i.test(name)) {
      const lower = name.toLowerCase();
      const exact = this.commitIndex(repository, lower);
      if (exact >= 0) return repository.commits[exact];
      if (lower.length < 40) {
        const matches = repository.commits.filter(c => c.sha.startsWith(lower));
        if (matches.length === 1) return matches[0];
      }
    }
    return undefined;
  }

  isBranch(repository: RepositoryRecord, ref: string): boolean {
    const name = ref.replace(/^refs\//, '').replace(/^heads\//, '');
    return name === repository.defaultBranch;
  }

  environment(
    repository: RepositoryRecord,
    name: string,
  ): EnvironmentRecord | undefined {
    return repository.environments.find(e => e.name === name);
  }

  findRun(repository: RepositoryRecord, runId: number): RunRecord | undefined {
    return repository.runs.find(r => r.id === runId);
  }

  run(repository: RepositoryRecord, runId: number): RunRecord {
    const run = this.findRun(repository, runId);
    if (!run) throw new WorldError('not-found', `No workflow run ${runId}`);
    return run;
  }

  findDeployment(
    repository: RepositoryRecord,
    id: number,
  ): DeploymentRecord | undefined {
    return repository.deployments.find(d => d.id === id);
  }

  /** Records a deployment (without statuses) and announces it. */
  addDeployment(
    repository: RepositoryRecord,
    fields: Omit<
      DeploymentRecord,
      'id' | 'createdAt' | 'updatedAt' | 'statuses'
    >,
  ): DeploymentRecord {
    const now = this.now();
    const deployment: DeploymentRecord = {
      ...fields,
      id: this.nextId('deployment'),
      createdAt: now,
      updatedAt: now,
      statuses: [],
    };
    repository.deployments.push(deployment);
    const run =
      deployment.runId !== undefined
        ? this.findRun(repository, deployment.runId)
        : undefined;
    this.emit({
      kind: 'deployment',
      repository,
      deployment,
      run,
      sender: deployment.creator,
    });
    return deployment;
  }

  /**
   * Adds a status to a deployment. Like GitHub, a success marks the earlier
   * successful deployments of the same environment inactive, except in
   * production and for transient environments (`auto_inactive`).
   */
  addStatus(
    repository: RepositoryRecord,
    deployment: DeploymentRecord,
    state: DeploymentStatusState,
    description: string,
    creator = deployment.creator,
  ): DeploymentStatusRecord {
    const now = this.now();
    const run =
      deployment.runId !== undefined
        ? this.findRun(repository, deployment.runId)
        : undefined;
    const status: DeploymentStatusRecord = {
      id: this.nextId('status'),
      state,
      description,
      creator,
      createdAt: now,
      logUrl: run
        ? `/${repository.owner}/${repository.name}/actions/runs/${run.id}/job/${deployment.jobId}`
        : '',
      environmentUrl:
        state === 'success'
          ? this.environment(repository, deployment.environment)?.url ?? ''
          : '',
    };
    deployment.statuses.push(status);
    deployment.updatedAt = now;
    this.emit({
      kind: 'deployment_status',
      repository,
      deployment,
      status,
      run,
      sender: creator,
    });
    if (
      state === 'success' &&
      !deployment.production &&
      !deployment.transient
    ) {
      for (const earlier of repository.deployments) {
        if (
          earlier !== deployment &&
          earlier.environment === deployment.environment &&
          earlier.id < deployment.id &&
          latestState(earlier) === 'success'
        ) {
          this.addStatus(
            repository,
            earlier,
            'inactive',
            `Superseded by deployment ${deployment.id}`,
            creator,
          );
        }
      }
    }
    return status;
  }
}

export function latestState(
  deployment: DeploymentRecord,
): DeploymentStatusState | undefined {
  return deployment.statuses[deployment.statuses.length - 1]?.state;
}
