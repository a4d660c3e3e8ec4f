import { Simulation } from '../../world/Simulation';

const START = Date.UTC(2026, 2, 2, 12);
const DAY = 86_400_000;

describe('the AWS side of the seeded world', () => {
  const simulation = Simulation.create({ seed: 42, now: () => START });
  const { cloud, pipeline } = simulation.aws;
  const python = simulation.world.findRepository('acme', 'python-service')!;
  const ledger = simulation.world.findRepository('acme', 'ledger-worker')!;

  it('grows the same account from the same seed', () => {
    const again = Simulation.create({ seed: 42, now: () => START }).aws.cloud;
    expect(
      again.deployments.map(d => [d.id, d.status, d.targetVersion]),
    ).toEqual(cloud.deployments.map(d => [d.id, d.status, d.targetVersion]));
    expect(again.stacks.map(s => s.stackId)).toEqual(
      cloud.stacks.map(s => s.stackId),
    );
    expect(again.pipelines[0].executions.map(e => e.id)).toEqual(
      pipeline.executions.map(e => e.id),
    );
  });

  it("publishes one Lambda version per python-service deploy job, at that job's commit", () => {
    for (const environment of ['dev', 'staging', 'production']) {
      const fn = cloud.findFunction(`python-service-${environment}`)!;
      const deployJobs = python.deployments.filter(
        d =>
          d.environment === environment &&
          d.statuses.some(s => s.state === 'in_progress') &&
          // A deploy CloudFormation refused (another update running) publishes nothing.
          !d.statuses.some(s => s.description.endsWith('can not be updated')),
      );
      expect(fn.versions.map(v => v.gitSha)).toEqual(
        deployJobs.map(d => d.sha),
      );
      expect(
        fn.versions.every(v => v.description === `python-service ${v.gitSha}`),
      ).toBe(true);
    }
  });

  it('rolled one production canary back on an alarm, and GitHub shows that release failed', () => {
    const tripped = cloud.deployments.filter(
      d => d.error?.code === 'ALARM_ACTIVE',
    );
    expect(tripped).toHaveLength(1);
    const [canary] = tripped;
    expect(canary.functionName).toBe('python-service-production');
    expect(canary.status).toBe('Stopped');
    const rollback = cloud.findDeployment(
      canary.rollbackInfo!.rollbackDeploymentId!,
    )!;
    expect(rollback.creator).toBe('codeDeployRollback');
    const sha = cloud
      .findFunction('python-service-production')!
      .versions.find(v => v.version === canary.targetVersion)!.gitSha;
    const release = python.deployments.find(
      d =>
        d.environment === 'production' &&
        d.sha === sha &&
        d.statuses.some(s => s.state === 'failure'),
    )!;
    expect(release.statuses[release.statuses.length - 1].description).toMatch(
      /^Canary rolled back automatically: Alarm python-service-production-NewVersionErrorsAlarm-/,
    );
    const alarm = cloud.findAlarm(canary.error!.message.match(/<(.+)>/)![1])!;
    expect(alarm.state).toBe('OK');
  });

  it('runs months of ledger-worker executions from its GitHub commits, the newest waiting for team-payments', () => {
    const first = pipeline.executions[0].startTime;
    expect(START - first).toBeGreaterThan(90 * DAY);
    expect(
      pipeline.executions.every(e =>
        ledger.commits.some(c => c.sha === e.sourceRevision.sha),
      ),
    ).toBe(true);
    const waiting = pipeline.executions.filter(e => e.status === 'InProgress');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toBe(
      pipeline.executions[pipeline.executions.length - 1],
    );
    expect(waiting[0].stageNames[waiting[0].stageIndex]).toBe('Approve');
    const statuses = new Set(pipeline.executions.map(e => e.status));
    for (const status of ['Succeeded', 'Failed', 'Superseded'])
      expect(statuses).toContain(status);
    const decided = pipeline.executions
      .flatMap(e => e.actions)
      .filter(a => a.stageName === 'Approve' && a.updatedBy);
    expect(decided.some(a => a.status === 'Failed' && a.summary)).toBe(true);
    expect(decided.some(a => a.updatedBy!.endsWith('/guest'))).toBe(true);
  });
});

describe('the AWS side as the world keeps moving', () => {
  it('keeps every settled python-service stack, its live alias and its GitSha in agreement', () => {
    let time = START;
    const simulation = Simulation.create({ seed: 7, now: () => time });
    const { cloud } = simulation.aws;
    const settled = [
      'CREATE_COMPLETE',
      'UPDATE_COMPLETE',
      'UPDATE_ROLLBACK_COMPLETE',
    ];
    let checked = 0;
    for (let i = 0; i < 400; i++) {
      time += 60_000;
      simulation.tick();
      if (i % 4 === 0) simulation.react();
      for (const environment of ['dev', 'staging', 'production']) {
        const stack = cloud.findStack(`python-service-${environment}`)!;
        const fn = cloud.findFunction(`python-service-${environment}`)!;
        if (!settled.includes(stack.status)) continue;
        const live = fn.versions.find(
          v => v.version === fn.alias.functionVersion,
        )!;
        expect(fn.alias.routing).toBeUndefined();
        expect(live.gitSha).toBe(stack.parameters.GitSha);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(600);
    // Rollouts overlapped on a stack at least once, and CloudFormation refused the second.
    const python = simulation.world.findRepository('acme', 'python-service')!;
    expect(
      python.deployments.some(d =>
        d.statuses.some(s =>
          /is in UPDATE_IN_PROGRESS state and can not be updated/.test(
            s.description,
          ),
        ),
      ),
    ).toBe(true);
  });
});
