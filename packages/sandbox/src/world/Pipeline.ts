import { WorldError } from './errors';
import {
  DeploymentRecord,
  DeploymentStatusState,
  JobRecord,
  PipelineStep,
  RepositoryRecord,
  RunConclusion,
  RunRecord,
} from './model';
import { ACTIONS_BOT, findTeam } from './people';
import { PROMOTION_PATH } from './repositories';
import { World } from './World';

/**
 * How fast something in motion moves: `tick` things take one step per tick of
 * the sandbox's clock (the background life of the organisation); `prompt`
 * things were set off by a client's request and move on a short timer, so an
 * approval visibly resumes the run within seconds.
 */
export type Pace = 'tick' | 'prompt';

type Motion =
  | { type: 'run'; repository: RepositoryRecord; run: RunRecord; pace: Pace }
  | {
      type: 'deployer';
      repository: RepositoryRecord;
      deployment: DeploymentRecord;
      remaining: Array<{ state: DeploymentStatusState; description: string }>;
      pace: Pace;
    };

export interface DispatchRequest {
  ref: string;
  inputs: Record<string, unknown>;
  actor: string;
}

export interface DeploymentRequest {
  ref: string;
  task: string;
  environment: string;
  payload: Record<string, unknown> | string;
  description: string | null;
  autoMerge: boolean;
  transientEnvironment: boolean;
  productionEnvironment: boolean;
  creator: string;
}

/**
 * The system a deploy job hands its version to (e.g. `sam deploy` and the
 * CodeDeploy canary behind it). The job waits until the rollout has an
 * outcome; without a deployer an environment deploys in one step.
 */
export interface EnvironmentDeployer {
  begin(rollout: {
    repository: RepositoryRecord;
    run: RunRecord;
    deployment: DeploymentRecord;
    /** The rollout is fated to fail (the run's `failAt`). */
    fail: boolean;
  }): void;
  /** What became of the deployment's rollout; undefined while it moves. */
  outcome(
    deployment: DeploymentRecord,
  ): { succeeded: boolean; description: string } | undefined;
}

export interface ReviewRequest {
  environmentIds: number[];
  state: 'approved' | 'rejected';
  comment: string;
  user: string;
}

/**
 * The repositories' deploy workflow (`deploy.yml`): a push runs tests, builds
 * once and deploys the same version to dev, then staging, then waits for the
 * production environment's reviewers; a `workflow_dispatch` deploys a given
 * version to one environment. Also plays the external deployer that reports
 * statuses for deployments created through the REST API.
 */
export class Pipeline {
  private readonly inMotion: Motion[] = [];
  private readonly deployers = new Map<string, EnvironmentDeployer>();

  constructor(private readonly world: World) {}

  /** Deploy jobs of this repository hand their version to `deployer`. */
  useDeployer(repositoryName: string, deployer: EnvironmentDeployer) {
    this.deployers.set(repositoryName, deployer);
  }

  /** Starts deploy.yml for a push to main whose head is `sha`. */
  startPushRun(
    repository: RepositoryRecord,
    sha: string,
    actor: string,
    options: { failAt?: string; pace?: Pace } = {},
  ): RunRecord {
    const commit = repository.commits[this.world.commitIndex(repository, sha)];
    const plan: PipelineStep[] = [
      { kind: 'start' },
      { kind: 'test' },
      { kind: 'build' },
    ];
    for (const environment of PROMOTION_PATH)
      plan.push(...deploySteps(environment));
    plan.push({ kind: 'complete' });
    return this.startRun(repository, {
      event: 'push',
      headSha: sha,
      headBranch: repository.defaultBranch,
      actor,
      displayTitle: commit.message.split('\n')[0],
      plan,
      failAt: options.failAt,
      pace: options.pace ?? 'tick',
    });
  }

  /**
   * `POST …/actions/workflows/deploy.yml/dispatches`: validated like GitHub
   * validates a dispatch against the workflow's declared inputs.
   */
  dispatch(
    repository: RepositoryRecord,
    request: DispatchRequest,
    options: { pace?: Pace; failAt?: string } = {},
  ): RunRecord {
    const { workflow } = repository;
    const head = this.world.resolveRef(repository, request.ref);
    const isTag = repository.tags.some(
      t => t.name === request.ref.replace(/^(refs\/)?tags\//, ''),
    );
    if (!head || (!isTag && !this.world.isBranch(repository, request.ref)))
      throw new WorldError('invalid', `No ref found for: ${request.ref}`);
    const unexpected = Object.keys(request.inputs).filter(
      name => !(name in workflow.inputs),
    );
    if (unexpected.length > 0)
      throw new WorldError(
        'invalid',
        `Unexpected inputs provided: ${JSON.stringify(unexpected)}`,
      );
    for (const [name, declared] of Object.entries(workflow.inputs)) {
      const value = request.inputs[name];
      if (declared.required && (value === undefined || value === ''))
        throw new WorldError(
          'invalid',
          `Required input '${name}' not provided`,
        );
      if (value !== undefined && typeof value !== 'string')
        throw new WorldError(
          'invalid',
          `Provided value for input '${name}' must be a string`,
        );
      if (
        declared.options &&
        value !== undefined &&
        !declared.options.includes(value)
      )
        throw new WorldError(
          'invalid',
          `Provided value '${value}' for input '${name}' not in the list of allowed values`,
        );
    }
    const environment = request.inputs.environment as string;
    const version = request.inputs.version as string;
    const branchName = request.ref
      .replace(/^refs\//, '')
      .replace(/^(heads|tags)\//, '');
    // A version that does not resolve fails the workflow's checkout step, as
    // it would on GitHub: the dispatch itself is accepted.
    const failAt =
      options.failAt ??
      (this.world.resolveRef(repository, version) ? undefined : 'checkout');
    return this.startRun(repository, {
      event: 'workflow_dispatch',
      headSha: head.sha,
      headBranch: branchName,
      actor: request.actor,
      displayTitle: `Deploy ${version} to ${environment}`,
      inputs: { environment, version },
      plan: [
        { kind: 'start' },
        ...deploySteps(environment),
        { kind: 'complete' },
      ],
      failAt,
      pace: options.pace ?? 'prompt',
    });
  }

  /**
   * `POST …/deployments`. GitHub only records the deployment; the sandbox also
   * plays the deployment system that reacts to it, reporting queued,
   * in_progress and success statuses.
   */
  createDeployment(
    repository: RepositoryRecord,
    request: DeploymentRequest,
    options: { pace?: Pace } = {},
  ): DeploymentRecord {
    const commit = this.world.resolveRef(repository, request.ref);
    if (!commit)
      throw new WorldError('invalid', `No ref found for: ${request.ref}`);
    const head = this.world.headCommit(repository);
    if (
      request.autoMerge &&
      !this.world.isBranch(repository, request.ref) &&
      commit.sha !== head.sha
    )
      throw new WorldError(
        'conflict',
        `Conflict merging ${repository.defaultBranch} into ${request.ref}.`,
      );
    const deployment = this.world.addDeployment(repository, {
      sha: commit.sha,
      ref: request.ref,
      task: request.task,
      environment: request.environment,
      payload: request.payload,
      description: request.description,
      creator: request.creator,
      transient: request.transientEnvironment,
      production: request.productionEnvironment,
    });
    this.inMotion.push({
      type: 'deployer',
      repository,
      deployment,
      remaining: [
        { state: 'queued', description: 'Deployment queued' },
        { state: 'in_progress', description: 'Deploying' },
        { state: 'success', description: `Deployed ${commit.sha.slice(0, 7)}` },
      ],
      pace: options.pace ?? 'prompt',
    });
    return deployment;
  }

  /** The environments a run is waiting on (at most one: the production gate). */
  pendingGate(run: RunRecord) {
    return run.status === 'waiting' && run.gate && !run.gate.approvedAt
      ? run.gate
      : undefined;
  }

  canReview(
    repository: RepositoryRecord,
    environmentName: string,
    user: string,
  ) {
    const environment = this.world.environment(repository, environmentName);
    return (environment?.reviewers ?? []).some(reviewer =>
      reviewer.type === 'User'
        ? reviewer.login === user
        : findTeam(reviewer.slug)?.members.includes(user) ?? false,
    );
  }

  /** `POST …/actions/runs/{run_id}/pending_deployments`. */
  review(
    repository: RepositoryRecord,
    run: RunRecord,
    request: ReviewRequest,
  ): DeploymentRecord[] {
    const gate = this.pendingGate(run);
    if (!gate)
      throw new WorldError(
        'invalid',
        `Workflow run ${run.id} has no deployments waiting for a review`,
      );
    const environment = this.world.environment(repository, gate.environment)!;
    const foreign = request.environmentIds.filter(id => id !== environment.id);
    if (foreign.length > 0 || request.environmentIds.length === 0)
      throw new WorldError(
        'invalid',
        `Environment ids ${JSON.stringify(
          foreign.length > 0 ? foreign : request.environmentIds,
        )} are not waiting for a review in run ${run.id}`,
      );
    if (!this.canReview(repository, gate.environment, request.user))
      throw new WorldError(
        'forbidden',
        `${request.user} is not a required reviewer of the ${gate.environment} environment`,
      );
    const now = this.world.now();
    const review = {
      state: request.state,
      user: request.user,
      comment: request.comment,
      environmentIds: [environment.id],
      at: now,
    };
    run.reviews.push(review);
    const job = run.jobs.find(j => j.id === gate.jobId)!;
    const deployment = this.world.findDeployment(
      repository,
      gate.deploymentId,
    )!;
    this.world.emit({
      kind: 'deployment_review',
      action: request.state,
      repository,
      run,
      job,
      review,
      sender: request.user,
    });
    if (request.state === 'approved') {
      gate.approvedAt = now;
      const motion = this.motionOf(run);
      if (motion) motion.pace = 'prompt';
    } else {
      this.world.addStatus(
        repository,
        deployment,
        'failure',
        `Rejected by ${request.user}`,
      );
      this.completeJob(repository, run, job, 'failure');
      this.completeRun(repository, run, 'failure');
    }
    return [deployment];
  }

  /** Takes one step of everything in motion (of one pace, if given). */
  advance(pace?: Pace) {
    for (const motion of [...this.inMotion]) {
      if (pace && motion.pace !== pace) continue;
      const done =
        motion.type === 'run'
          ? this.stepRun(motion.repository, motion.run)
          : this.stepDeployer(motion);
      if (done) this.inMotion.splice(this.inMotion.indexOf(motion), 1);
    }
  }

  /** Whether anything of this pace can still move without a decision. */
  hasWork(pace?: Pace): boolean {
    return this.inMotion.some(
      m =>
        (!pace || m.pace === pace) &&
        !(m.type === 'run' && this.isBlocked(m.run)),
    );
  }

  private motionOf(run: RunRecord) {
    return this.inMotion.find(m => m.type === 'run' && m.run === run);
  }

  private isBlocked(run: RunRecord): boolean {
    const gate = run.status === 'waiting' ? run.gate : undefined;
    if (!gate) return false;
    if (!gate.approvedAt) return true;
    return this.world.now() < this.waitTimerEnds(run);
  }

  private waitTimerEnds(run: RunRecord): number {
    const gate = run.gate!;
    const repository = this.world.repositories.find(r => r.runs.includes(run))!;
    const minutes =
      this.world.environment(repository, gate.environment)?.waitTimerMinutes ??
      0;
    return gate.since + minutes * 60_000;
  }

  private startRun(
    repository: RepositoryRecord,
    fields: Pick<
      RunRecord,
      | 'event'
      | 'headSha'
      | 'headBranch'
      | 'actor'
      | 'displayTitle'
      | 'inputs'
      | 'plan'
      | 'failAt'
    > & { pace: Pace },
  ): RunRecord {
    const { pace, ...rest } = fields;
    const now = this.world.now();
    const run: RunRecord = {
      ...rest,
      id: this.world.nextId('run'),
      runNumber:
        (repository.runs[repository.runs.length - 1]?.runNumber ?? 0) + 1,
      status: 'queued',
      conclusion: null,
      createdAt: now,
      updatedAt: now,
      runStartedAt: now,
      jobs: [],
      reviews: [],
    };
    repository.runs.push(run);
    this.world.emit({
      kind: 'workflow_run',
      action: 'requested',
      repository,
      run,
      sender: run.actor,
    });
    this.inMotion.push({ type: 'run', repository, run, pace });
    return run;
  }

  /** Returns true when the run has nothing left to do. */
  private stepRun(repository: RepositoryRecord, run: RunRecord): boolean {
    if (run.status === 'completed') return true;
    if (this.isBlocked(run)) return false;
    const step = run.plan[0];
    const now = this.world.now();
    run.updatedAt = now;
    switch (step.kind) {
      case 'start': {
        run.status = 'in_progress';
        run.runStartedAt = now;
        this.world.emit({
          kind: 'workflow_run',
          action: 'in_progress',
          repository,
          run,
          sender: run.actor,
        });
        if (run.failAt === 'checkout') {
          this.completeRun(repository, run, 'failure');
          return true;
        }
        if (run.plan[1]?.kind === 'test')
          this.startJob(repository, run, 'Test');
        break;
      }
      case 'test':
      case 'build': {
        const job = run.jobs[run.jobs.length - 1];
        const failed = run.failAt === step.kind;
        this.completeJob(repository, run, job, failed ? 'failure' : 'success');
        if (failed) {
          this.completeRun(repository, run, 'failure');
          return true;
        }
        if (step.kind === 'test') this.startJob(repository, run, 'Build');
        break;
      }
      case 'queue':
        if (!this.queueDeployment(repository, run, step.environment))
          return false;
        break;
      case 'progress': {
        const deployment = this.currentDeployment(repository, run);
        this.world.addStatus(
          repository,
          deployment,
          'in_progress',
          'Deploying',
        );
        this.deployers.get(repository.name)?.begin({
          repository,
          run,
          deployment,
          fail: run.failAt === step.environment,
        });
        break;
      }
      case 'finish': {
        const deployment = this.currentDeployment(repository, run);
        const job = run.jobs[run.jobs.length - 1];
        const deployer = this.deployers.get(repository.name);
        const outcome = deployer?.outcome(deployment);
        if (deployer && !outcome) return false;
        if (outcome && !outcome.succeeded) {
          this.world.addStatus(
            repository,
            deployment,
            'failure',
            outcome.description,
          );
          this.completeJob(repository, run, job, 'failure');
          this.completeRun(repository, run, 'failure');
          return true;
        }
        if (!deployer && run.failAt === step.environment) {
          this.world.addStatus(
            repository,
            deployment,
            'failure',
            'Smoke tests failed after deploy',
          );
          this.completeJob(repository, run, job, 'failure');
          this.completeRun(repository, run, 'failure');
          return true;
        }
        const tag = repository.tags.find(t => t.sha === deployment.sha);
        this.world.addStatus(
          repository,
          deployment,
          'success',
          `Deployed ${tag?.name ?? deployment.sha.slice(0, 7)} to ${
            step.environment
          }`,
        );
        this.completeJob(repository, run, job, 'success');
        break;
      }
      case 'complete':
        this.completeRun(repository, run, 'success');
        return true;
      default:
        break;
    }
    run.plan.shift();
    return false;
  }

  /**
   * Starts the deploy job of an environment. Where the environment has
   * protection rules the job waits for them, with its deployment already
   * created (GitHub shows it as waiting); returns false while it waits.
   */
  private queueDeployment(
    repository: RepositoryRecord,
    run: RunRecord,
    environmentName: string,
  ): boolean {
    const environment = this.world.environment(repository, environmentName);
    if (run.gate?.environment === environmentName && run.status === 'waiting') {
      // Approved, and the wait timer is over: the job resumes.
      run.status = 'in_progress';
      this.world.emit({
        kind: 'workflow_run',
        action: 'in_progress',
        repository,
        run,
        sender: run.actor,
      });
      const job = run.jobs.find(j => j.id === run.gate!.jobId)!;
      const deployment = this.world.findDeployment(
        repository,
        run.gate.deploymentId,
      )!;
      job.status = 'in_progress';
      job.startedAt = this.world.now();
      this.world.emit({
        kind: 'workflow_job',
        action: 'in_progress',
        repository,
        run,
        job,
        deployment,
        sender: run.actor,
      });
      this.world.addStatus(
        repository,
        deployment,
        'queued',
        'Deployment queued',
      );
      return true;
    }
    const job = this.createJob(
      run,
      `Deploy to ${environmentName}`,
      environmentName,
    );
    const deployment = this.world.addDeployment(repository, {
      sha: run.headSha,
      ref: run.headBranch,
      task: 'deploy',
      environment: environmentName,
      payload: {},
      description: null,
      creator: ACTIONS_BOT,
      transient: false,
      production: environmentName === 'production',
      runId: run.id,
      jobId: job.id,
    });
    const gated =
      !!environment &&
      (environment.reviewers.length > 0 || environment.waitTimerMinutes > 0);
    if (gated) {
      this.cancelWaitingRuns(repository, environmentName, run);
      job.status = 'waiting';
      run.status = 'waiting';
      run.gate = {
        environment: environmentName,
        since: this.world.now(),
        deploymentId: deployment.id,
        jobId: job.id,
      };
      this.world.emit({
        kind: 'workflow_job',
        action: 'waiting',
        repository,
        run,
        job,
        deployment,
        sender: run.actor,
      });
      this.world.emit({
        kind: 'deployment_review',
        action: 'requested',
        repository,
        run,
        job,
        sender: run.actor,
      });
      return false;
    }
    this.emitJobStarted(repository, run, job, deployment);
    this.world.addStatus(repository, deployment, 'queued', 'Deployment queued');
    return true;
  }

  /**
   * deploy.yml's production job is in a concurrency group, so a newer run
   * reaching the gate cancels an older one still waiting there — as GitHub
   * cancels the pending run of a concurrency group.
   */
  private cancelWaitingRuns(
    repository: RepositoryRecord,
    environment: string,
    newer: RunRecord,
  ) {
    for (const older of repository.runs) {
      const gate = this.pendingGate(older);
      if (older === newer || !gate || gate.environment !== environment)
        continue;
      const deployment = this.world.findDeployment(
        repository,
        gate.deploymentId,
      )!;
      this.world.addStatus(
        repository,
        deployment,
        'inactive',
        `Canceled: superseded by run #${newer.runNumber}`,
      );
      const job = older.jobs.find(j => j.id === gate.jobId)!;
      this.completeJob(repository, older, job, 'cancelled');
      this.completeRun(repository, older, 'cancelled');
      const motion = this.motionOf(older);
      if (motion) this.inMotion.splice(this.inMotion.indexOf(motion), 1);
    }
  }

  private currentDeployment(repository: RepositoryRecord, run: RunRecord) {
    const job = run.jobs[run.jobs.length - 1];
    return repository.deployments.find(d => d.jobId === job.id)!;
  }

  private createJob(
    run: RunRecord,
    name: string,
    environment?: string,
  ): JobRecord {
    const now = this.world.now();
    const job: JobRecord = {
      id: this.world.nextId('job'),
      name,
      environment,
      status: 'queued',
      conclusion: null,
      createdAt: now,
      startedAt: now,
      completedAt: null,
    };
    run.jobs.push(job);
    return job;
  }

  /** A job is queued and picked up at once, as GitHub reports it: two events. */
  private emitJobStarted(
    repository: RepositoryRecord,
    run: RunRecord,
    job: JobRecord,
    deployment?: DeploymentRecord,
  ) {
    for (const action of ['queued', 'in_progress'] as const) {
      if (action === 'in_progress') job.status = 'in_progress';
      this.world.emit({
        kind: 'workflow_job',
        action,
        repository,
        run,
        job,
        deployment,
        sender: run.actor,
      });
    }
  }

  private startJob(repository: RepositoryRecord, run: RunRecord, name: string) {
    const job = this.createJob(run, name);
    this.emitJobStarted(repository, run, job);
  }

  private completeJob(
    repository: RepositoryRecord,
    run: RunRecord,
    job: JobRecord,
    conclusion: 'success' | 'failure' | 'cancelled',
  ) {
    job.status = 'completed';
    job.conclusion = conclusion;
    job.completedAt = this.world.now();
    const deployment = repository.deployments.find(d => d.jobId === job.id);
    this.world.emit({
      kind: 'workflow_job',
      action: 'completed',
      repository,
      run,
      job,
      deployment,
      sender: run.actor,
    });
  }

  private completeRun(
    repository: RepositoryRecord,
    run: RunRecord,
    conclusion: RunConclusion,
  ) {
    run.status = 'completed';
    run.conclusion = conclusion;
    run.updatedAt = this.world.now();
    this.world.emit({
      kind: 'workflow_run',
      action: 'completed',
      repository,
      run,
      sender: run.actor,
    });
  }

  private stepDeployer(motion: Extract<Motion, { type: 'deployer' }>): boolean {
    const next = motion.remaining.shift();
    if (next) {
      this.world.addStatus(
        motion.repository,
        motion.deployment,
        next.state,
        next.description,
      );
    }
    return motion.remaining.length === 0;
  }
}

function deploySteps(environment: string): PipelineStep[] {
  return [
    { kind: 'queue', environment },
    { kind: 'progress', environment },
    { kind: 'finish', environment },
  ];
}
