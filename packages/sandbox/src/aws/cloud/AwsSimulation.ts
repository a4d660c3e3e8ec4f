import { SeededRandom } from '../../random';
import { Pipeline } from '../../world/Pipeline';
import { World } from '../../world/World';
import { ACCOUNT_ID } from './account';
import { AwsCloud } from './AwsCloud';
import { CodePipelineEngine } from './CodePipelineEngine';
import { PipelineExecutionRecord, PipelineRecord } from './model';
import { PIPELINE_SERVICE, ledgerWorkerPipeline } from './pipelineDefinition';
import { PipelineStacks } from './PipelineStacks';
import { SAM_SERVICE, SamService } from './SamService';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const APPROVERS = ['guest', 'alice', 'bob', 'alice', 'bob'];
const APPROVAL_SUMMARIES = [
  'Posting lag flat on staging, approved.',
  'LGTM',
  'Checked the ledger reconciliation report, go.',
  'Approved',
];
const REJECTION_SUMMARIES = [
  'Month-end close is running, not today.',
  'Staging shows duplicate postings since this build, holding it.',
];

/** An IAM identity of a person of the organisation, as CodePipeline records who decided. */
export function personArn(login: string) {
  return `arn:aws:sts::${ACCOUNT_ID}:assumed-role/team-payments/${login}`;
}

/**
 * The AWS side of the sandbox's world: python-service's SAM stacks (deployed
 * by its GitHub workflow's jobs, so their history is the same commits) and
 * ledger-worker's CodePipeline (its source is acme/ledger-worker's main).
 */
export class AwsSimulation {
  readonly cloud: AwsCloud;
  readonly engine: CodePipelineEngine;
  readonly pipeline: PipelineRecord;

  constructor(
    private readonly world: World,
    githubPipeline: Pipeline,
    seed: number,
    now: () => number,
  ) {
    // Its own generator: the AWS side never shifts the GitHub history.
    this.cloud = new AwsCloud(new SeededRandom(seed ^ 0x5a3d_1e07), now);
    githubPipeline.useDeployer(
      SAM_SERVICE.repository,
      new SamService(this.cloud),
    );
    this.engine = new CodePipelineEngine(
      this.cloud,
      world,
      new PipelineStacks(this.cloud),
    );
    this.pipeline = ledgerWorkerPipeline(now());
    this.cloud.pipelines.push(this.pipeline);
  }

  /**
   * Replays ledger-worker's pushes (the GitHub history already seeded) through
   * its pipeline on the virtual clock: most approvals decided within hours by
   * team-payments, a couple rejected, some builds failing, executions waiting
   * at the Approve stage superseded by newer ones; the newest execution is
   * left waiting for its approval.
   */
  seedPipelineHistory(end: number, clock: { time: number }) {
    const { world, engine, cloud, pipeline } = this;
    const random = cloud.random;
    const repository = world.repository('acme', PIPELINE_SERVICE.repository);
    const pushes = repository.runs.filter(r => r.event === 'push');
    if (pushes.length === 0) return;
    const decisions: Array<{
      at: number;
      execution: PipelineExecutionRecord;
    }> = [];
    let final: PipelineExecutionRecord | undefined;
    let rejections = 0;
    const rejectAfter = pushes[Math.floor(pushes.length * 0.6)].createdAt;
    engine.onApprovalWaiting = (_p, execution) => {
      if (execution === final) return;
      // Decided before the history ends, so the newest execution reaches the gate.
      const at = clock.time + random.int(15, 5 * 60) * MINUTE;
      decisions.push({
        at: Math.max(clock.time + 5 * MINUTE, Math.min(at, end - 30 * MINUTE)),
        execution,
      });
    };
    const stepTo = (time: number) => {
      while (clock.time < time) {
        clock.time = Math.min(time, clock.time + random.int(40, 150) * 1000);
        cloud.advance();
        for (const due of decisions.filter(d => d.at <= clock.time)) {
          decisions.splice(decisions.indexOf(due), 1);
          const action = engine.currentAction(due.execution);
          if (!action?.token || action.status !== 'InProgress') continue;
          // One or two rejections in the history, the first at the latest past 60 % of it.
          const reject =
            rejections < 2 &&
            (random.chance(0.05) ||
              (rejections === 0 && clock.time > rejectAfter));
          if (reject) rejections += 1;
          engine.decide(
            pipeline,
            'Approve',
            'Approve',
            action.token,
            {
              status: reject ? 'Rejected' : 'Approved',
              summary: random.pick(
                reject ? REJECTION_SUMMARIES : APPROVAL_SUMMARIES,
              ),
            },
            personArn(random.pick(APPROVERS)),
          );
        }
      }
    };
    // The pipeline was set up a few days before its first execution.
    pipeline.createdAt = pushes[0].createdAt - random.int(2, 6) * DAY;
    pipeline.updatedAt = pushes[0].createdAt - DAY;
    clock.time = pushes[0].createdAt;
    for (const [i, push] of pushes.entries()) {
      stepTo(push.createdAt + random.int(5, 40) * 1000);
      const isLast = i === pushes.length - 1;
      const roll = random.next();
      let failAt: string | undefined;
      if (!isLast && roll < 0.05) failAt = 'Build';
      else if (!isLast && roll < 0.07) failAt = 'Deploy-Dev';
      const execution = engine.start(pipeline, {
        sha: push.headSha,
        trigger: { type: 'WebhookV2', detail: pipeline.connectionArn },
        pace: 'tick',
        failAt,
      });
      if (isLast) final = execution;
    }
    stepTo(end - MINUTE);
    engine.onApprovalWaiting = undefined;
  }

  /** From now on a push to ledger-worker's main starts its pipeline (the connection's webhook trigger). */
  goLive() {
    this.world.subscribe(event => {
      if (
        event.kind === 'workflow_run' &&
        event.action === 'requested' &&
        event.run.event === 'push' &&
        event.repository.name === PIPELINE_SERVICE.repository
      ) {
        this.engine.start(this.pipeline, {
          sha: event.run.headSha,
          trigger: { type: 'WebhookV2', detail: this.pipeline.connectionArn },
          pace: 'tick',
        });
      }
    });
  }
}
