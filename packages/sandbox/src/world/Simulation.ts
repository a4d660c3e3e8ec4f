import { SeededRandom } from '../random';
import { planChange } from './changes';
import { landChange } from './development';
import { RepositoryRecord, RunRecord } from './model';
import { Pipeline } from './Pipeline';
import {
  ORGANISATION_LOGIN,
  PROMOTION_PATH,
  REPOSITORIES,
  RepositoryDefinition,
} from './repositories';
import { World } from './World';
import { AwsSimulation } from '../aws/cloud/AwsSimulation';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const APPROVAL_COMMENTS = [
  'LGTM',
  'Ship it',
  'Staging dashboards look healthy, approving.',
  'Checked the diff with the team, go ahead.',
  '',
];
const REJECTION_COMMENTS = [
  'Blocking: the database migration has to go out first.',
  'Not during the payment freeze, please retry on Monday.',
  'Error rate on staging is up since this build, holding it.',
];

export interface SimulationOptions {
  seed: number;
  /** The sandbox's start time; the history ends here. */
  now: () => number;
  /**
   * Days of history of every repository (at least 7). By default each one
   * has 95 to 175 days, drawn from the seed.
   */
  historyDays?: number;
}

/**
 * The living organisation: repositories seeded with months of history on the
 * seed pipeline, then moved forward tick by tick.
 */
export class Simulation {
  readonly world: World;
  readonly pipeline: Pipeline;
  /** The AWS account beside the GitHub organisation (src/aws/). */
  readonly aws: AwsSimulation;

  static create(options: SimulationOptions): Simulation {
    return new Simulation(options);
  }

  private readonly historyDays?: number;

  private constructor(options: SimulationOptions) {
    const start = options.now();
    if (options.historyDays !== undefined) {
      if (!Number.isInteger(options.historyDays) || options.historyDays < 7) {
        throw new RangeError(
          `historyDays must be a whole number of days, at least 7; got ${options.historyDays}`,
        );
      }
      this.historyDays = options.historyDays;
    }
    // The history is replayed on a virtual clock that seedHistory moves.
    const clock = { time: start };
    this.world = new World(new SeededRandom(options.seed), () => clock.time);
    this.pipeline = new Pipeline(this.world);
    this.aws = new AwsSimulation(
      this.world,
      this.pipeline,
      options.seed,
      () => clock.time,
    );
    for (const definition of REPOSITORIES) {
      this.seedHistory(definition, start, clock);
    }
    this.aws.seedPipelineHistory(start, clock);
    this.world.now = options.now;
    this.aws.cloud.now = options.now;
    this.world.continueIdsFrom(start);
    this.aws.goLive();
  }

  /**
   * One tick of the organisation's life: a change may land on one repository
   * (starting its deploy run), and every tick-paced run takes one step.
   */
  tick() {
    const { random } = this.world;
    if (random.chance(0.5)) {
      const repository = random.pick(this.world.repositories);
      const definition = this.world.definitionOf(repository);
      const change = planChange(random, definition);
      const landed = landChange(this.world, repository, change);
      this.pipeline.startPushRun(repository, landed.head.sha, change.merger, {
        failAt: this.randomFailure(),
      });
    }
    this.pipeline.advance('tick');
    this.aws.cloud.advance('tick');
  }

  /** One step of what clients' requests set off (approvals, dispatches, deployments). */
  react() {
    this.pipeline.advance('prompt');
    this.aws.cloud.advance('prompt');
  }

  private randomFailure(): string | undefined {
    const roll = this.world.random.next();
    if (roll < 0.04) return 'test';
    if (roll < 0.07) return 'dev';
    if (roll < 0.1) return 'staging';
    return undefined;
  }

  private createRepository(
    definition: RepositoryDefinition,
    historyStart: number,
  ): RepositoryRecord {
    const { random } = this.world;
    const createdAt = historyStart - random.int(30, 400) * DAY;
    const index = REPOSITORIES.indexOf(definition);
    const environmentIds = PROMOTION_PATH.map(() =>
      this.world.nextId('environment'),
    );
    return {
      id: 700_000_000 + index * 1_117 + random.int(0, 999),
      owner: ORGANISATION_LOGIN,
      name: definition.name,
      description: definition.description,
      language: definition.language,
      team: definition.team,
      createdAt,
      defaultBranch: 'main',
      workflow: {
        id: 90_000_000 + index * 31 + random.int(0, 30),
        name: 'Deploy',
        path: '.github/workflows/deploy.yml',
        createdAt,
        inputs: {
          environment: { required: true, options: [...PROMOTION_PATH] },
          version: { required: true },
        },
      },
      environments: PROMOTION_PATH.map((name, i) => ({
        id: environmentIds[i],
        name,
        createdAt: createdAt + DAY,
        updatedAt: createdAt + DAY,
        reviewers: name === 'production' ? definition.productionReviewers : [],
        waitTimerMinutes:
          name === 'production' ? definition.productionWaitTimerMinutes : 0,
        preventSelfReview: false,
        url:
          name === 'production'
            ? `https://${definition.name}.acme.example`
            : `https://${definition.name}.${name}.acme.example`,
      })),
      commits: [],
      pulls: [],
      tags: [],
      runs: [],
      deployments: [],
    };
  }

  /**
   * Replays three to six months of the repository's life on a virtual clock,
   * through the same pipeline that later moves it live: pushes reach dev and
   * staging, some are approved into production and the rest superseded; one
   * production deployment fails and is rolled back, then fixed by a hotfix;
   * one promotion is rejected; and the newest run is left waiting for review.
   */
  private seedHistory(
    definition: RepositoryDefinition,
    end: number,
    clock: { time: number },
  ) {
    const { world, pipeline } = this;
    const { random } = world;
    // Drawn even when historyDays is given, so the rest of the seed's
    // sequence is the same.
    const drawn = random.int(95, 175);
    const days = this.historyDays ?? drawn;
    const historyStart = Math.floor((end - days * DAY) / HOUR) * HOUR;
    const repository = this.createRepository(definition, historyStart);
    world.addRepository(repository, definition);

    const at = (t: number) => {
      clock.time = t;
    };
    at(historyStart - DAY);
    const founder = definition.developers[0];
    world.appendCommit(repository, {
      sha: random.sha(),
      treeSha: random.sha(),
      message: 'Initial commit',
      author: founder,
      committer: founder,
      date: clock.time,
      parents: [],
      files: definition.files.map(filename => ({
        filename,
        status: 'added',
        additions: random.int(10, 200),
        deletions: 0,
      })),
    });
    repository.tags.push({
      name: `v${random.int(1, 2)}.${random.int(0, 20)}.0`,
      sha: repository.commits[0].sha,
      createdAt: clock.time,
    });

    const pushTimes = this.planPushTimes(historyStart, end);
    const reviewers = ['alice', 'bob', 'carol', 'dave'].filter(login =>
      pipeline.canReview(repository, 'production', login),
    );
    const failedReleaseIndex =
      Math.floor(pushTimes.length * 0.35) + random.int(0, 4);
    const rejectedIndex =
      Math.floor(pushTimes.length * 0.65) + random.int(0, 4);
    let hotfixIndex = -1;

    const advanceUntil = (run: RunRecord, done: (r: RunRecord) => boolean) => {
      while (!done(run)) {
        at(clock.time + random.int(40, 150) * 1000);
        pipeline.advance();
        this.aws.cloud.advance();
      }
    };
    const settled = (r: RunRecord) =>
      r.status === 'completed' || r.status === 'waiting';
    const completed = (r: RunRecord) => r.status === 'completed';

    for (let i = 0; i < pushTimes.length; i++) {
      const isLast = i === pushTimes.length - 1;
      at(Math.max(pushTimes[i], clock.time + 5 * MINUTE));
      const change = planChange(random, definition, {
        hotfix: i === hotfixIndex,
      });
      const landed = landChange(world, repository, change);
      at(clock.time + random.int(5, 30) * 1000);
      let failAt: string | undefined;
      if (i === failedReleaseIndex) failAt = 'production';
      else if (!isLast && i !== hotfixIndex && i !== rejectedIndex)
        failAt = this.randomFailure();
      const run = pipeline.startPushRun(
        repository,
        landed.head.sha,
        change.merger,
        {
          failAt,
        },
      );
      advanceUntil(run, settled);
      if (run.status !== 'waiting' || isLast) continue;

      const nextPush = pushTimes[i + 1];
      const others = reviewers.filter(r => r !== change.merger);
      const approver = random.pick(others.length > 0 ? others : reviewers);
      const review = (
        state: 'approved' | 'rejected',
        comment: string,
        reviewTime: number,
      ) => {
        at(reviewTime);
        pipeline.review(repository, run, {
          environmentIds: [world.environment(repository, 'production')!.id],
          state,
          comment,
          user: approver,
        });
      };
      if (i === rejectedIndex) {
        review(
          'rejected',
          random.pick(REJECTION_COMMENTS),
          clock.time + random.int(20, 90) * MINUTE,
        );
        continue;
      }
      const window = nextPush - clock.time - 30 * MINUTE;
      const mustShip = i === failedReleaseIndex || i === hotfixIndex;
      if (!mustShip && (window < 20 * MINUTE || !random.chance(0.55))) continue;
      const delay =
        i === hotfixIndex
          ? random.int(6, 15) * MINUTE
          : random.int(15, Math.max(16, Math.min(window, 6 * HOUR) / MINUTE)) *
            MINUTE;
      review('approved', random.pick(APPROVAL_COMMENTS), clock.time + delay);
      advanceUntil(run, completed);

      if (i === failedReleaseIndex) {
        this.rollBack(repository, reviewers, clock, advanceUntil);
        hotfixIndex = i + 1;
        // The hotfix follows within hours of the incident.
        pushTimes[i + 1] = Math.min(
          pushTimes[i + 1],
          clock.time + random.int(60, 150) * MINUTE,
        );
        if (pushTimes[i + 1] <= clock.time)
          pushTimes[i + 1] = clock.time + 60 * MINUTE;
      }
    }
  }

  /** Redeploys the last version that succeeded in production, through deploy.yml. */
  private rollBack(
    repository: RepositoryRecord,
    reviewers: string[],
    clock: { time: number },
    advanceUntil: (run: RunRecord, done: (r: RunRecord) => boolean) => void,
  ) {
    const { world, pipeline } = this;
    const { random } = world;
    const lastGood = [...repository.deployments]
      .reverse()
      .find(
        d =>
          d.environment === 'production' &&
          d.statuses.some(s => s.state === 'success'),
      );
    const version =
      repository.tags.find(t => t.sha === lastGood?.sha)?.name ??
      repository.tags[0].name;
    const [requester, approver] = random.chance(0.5)
      ? reviewers
      : [...reviewers].reverse();
    clock.time += random.int(8, 20) * MINUTE;
    const run = pipeline.dispatch(
      repository,
      {
        ref: version,
        inputs: { environment: 'production', version },
        actor: requester,
      },
      { pace: 'tick' },
    );
    advanceUntil(run, r => r.status === 'completed' || r.status === 'waiting');
    clock.time += random.int(6, 12) * MINUTE;
    pipeline.review(repository, run, {
      environmentIds: [world.environment(repository, 'production')!.id],
      state: 'approved',
      comment: `Rolling back to ${version} after the failed release.`,
      user: approver ?? requester,
    });
    advanceUntil(run, r => r.status === 'completed');
  }

  /** Office-hours pushes: one to four a working day, rarely one at a weekend. */
  private planPushTimes(start: number, end: number): number[] {
    const { random } = this.world;
    const times: number[] = [];
    for (let day = start; day < end - DAY; day += DAY) {
      const weekday = new Date(day).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      let count = random.int(1, 4);
      if (weekend) count = random.chance(0.15) ? 1 : 0;
      const todays: number[] = [];
      for (let k = 0; k < count; k++) {
        todays.push(day + Math.floor((8 + random.next() * 10) * HOUR));
      }
      todays.sort((a, b) => a - b);
      for (const t of todays) {
        if (times.length === 0 || t - times[times.length - 1] >= 50 * MINUTE)
          times.push(t);
      }
    }
    // The newest push has reached the production gate shortly before the start.
    times.push(end - random.int(50, 110) * MINUTE);
    return times;
  }
}
