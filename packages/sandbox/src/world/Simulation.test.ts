import { Simulation } from './Simulation';
import { latestState } from './World';

const START = Date.UTC(2026, 2, 2, 12);
const DAY = 86_400_000;

function snapshot(simulation: Simulation) {
  return JSON.stringify(simulation.world.repositories);
}

describe('Simulation', () => {
  const simulation = Simulation.create({ seed: 42, now: () => START });
  const { world } = simulation;

  it('grows the same world from the same seed and start time', () => {
    const again = Simulation.create({ seed: 42, now: () => START });
    expect(snapshot(again)).toEqual(snapshot(simulation));
  });

  it('grows a different world from a different seed', () => {
    const other = Simulation.create({ seed: 43, now: () => START });
    expect(snapshot(other)).not.toEqual(snapshot(simulation));
  });

  it('holds the six demo repositories with three to six months of history ending before the start', () => {
    expect(world.repositories.map(r => `${r.owner}/${r.name}`)).toEqual([
      'acme/payments-api',
      'acme/ledger-worker',
      'acme/storefront-web',
      'acme/catalog-search',
      'acme/checkout-bff',
      'acme/python-service',
    ]);
    for (const repository of world.repositories) {
      const first = repository.commits[0].date;
      const last = repository.commits[repository.commits.length - 1].date;
      expect(START - first).toBeGreaterThan(90 * DAY);
      expect(START - first).toBeLessThan(185 * DAY);
      expect(last).toBeLessThan(START);
      expect(repository.commits.length).toBeGreaterThan(200);
      expect(repository.deployments.every(d => d.createdAt <= START)).toBe(
        true,
      );
    }
  });

  it('writes commits the way teams do: merged pull requests, squash titles, dependabot, tags', () => {
    const messages = world.repositories.flatMap(r =>
      r.commits.map(c => c.message),
    );
    expect(
      messages.some(m => /^Merge pull request #\d+ from acme\//.test(m)),
    ).toBe(true);
    expect(messages.some(m => /^[A-Z].* \(#\d+\)/.test(m))).toBe(true);
    expect(messages.some(m => /^Bump .* from .* to /.test(m))).toBe(true);
    const authors = new Set(
      world.repositories.flatMap(r => r.commits.map(c => c.author)),
    );
    expect([...authors]).toEqual(
      expect.arrayContaining([
        'alice',
        'bob',
        'carol',
        'dave',
        'dependabot[bot]',
      ]),
    );
    for (const repository of world.repositories) {
      expect(repository.tags.every(t => /^v\d+\.\d+\.\d+$/.test(t.name))).toBe(
        true,
      );
    }
  });

  it('tells each repository the seed pipeline story: failures, a rollback, a hotfix, approvals and a rejection', () => {
    for (const repository of world.repositories) {
      const states = (environment: string) =>
        repository.deployments
          .filter(d => d.environment === environment)
          .map(d => latestState(d));
      for (const environment of ['dev', 'staging', 'production']) {
        expect(states(environment)).toContain('success');
      }
      expect(
        repository.deployments.some(
          d =>
            d.environment === 'production' &&
            d.statuses.some(
              s =>
                s.state === 'failure' &&
                // python-service's production canary trips an alarm instead (src/aws).
                /^(Smoke tests failed after deploy|Canary rolled back automatically)/.test(
                  s.description,
                ),
            ),
        ),
      ).toBe(true);
      const rollback = repository.runs.find(
        r =>
          r.event === 'workflow_dispatch' &&
          r.inputs?.environment === 'production',
      );
      expect(rollback?.conclusion).toBe('success');
      expect(
        repository.commits.some(c => c.message.startsWith('Hotfix: ')),
      ).toBe(true);
      const reviews = repository.runs.flatMap(r => r.reviews);
      expect(reviews.some(r => r.state === 'approved')).toBe(true);
      expect(
        reviews.some(r => r.state === 'rejected' && r.comment.length > 0),
      ).toBe(true);
      expect(repository.runs.filter(r => r.status === 'waiting')).toHaveLength(
        1,
      );
    }
  });

  it("gives acme/payments-api's production the required reviewers and a five-minute wait timer", () => {
    const production = world
      .findRepository('acme', 'payments-api')!
      .environments.find(e => e.name === 'production');
    expect(production?.reviewers).toEqual([
      { type: 'Team', slug: 'team-payments' },
      { type: 'User', login: 'alice' },
    ]);
    expect(production?.waitTimerMinutes).toBe(5);
  });

  it('moves new commits through dev and staging to the production gate as it ticks', () => {
    const living = Simulation.create({ seed: 7, now: () => START });
    const before = new Map(
      living.world.repositories.map(r => [r, r.commits.length]),
    );
    for (let i = 0; i < 40; i++) living.tick();
    const changed = living.world.repositories.filter(
      r => r.commits.length > before.get(r)!,
    );
    expect(changed.length).toBeGreaterThan(0);
    const liveRuns = changed.flatMap(r =>
      r.runs.filter(run => run.createdAt === START && run.event === 'push'),
    );
    expect(liveRuns.length).toBeGreaterThan(0);
    const reachedDev = changed.some(r =>
      r.deployments.some(
        d =>
          d.environment === 'dev' &&
          d.createdAt === START &&
          latestState(d) !== undefined,
      ),
    );
    expect(reachedDev).toBe(true);
    expect(
      liveRuns.some(
        r => r.status === 'waiting' && r.gate?.environment === 'production',
      ),
    ).toBe(true);
  });

  it('grows a shorter history when asked for, leaving the default one as it was', () => {
    const short = Simulation.create({
      seed: 42,
      now: () => START,
      historyDays: 14,
    });
    for (const repository of short.world.repositories) {
      const first = repository.commits[0].date;
      // The first commit is a day before the first push; the start is rounded down to the hour.
      expect(START - first).toBeGreaterThan(14 * DAY);
      expect(START - first).toBeLessThan(16 * DAY);
      const full = world.repositories.find(r => r.name === repository.name)!;
      expect(repository.deployments.length).toBeGreaterThan(0);
      expect(repository.deployments.length).toBeLessThan(
        full.deployments.length / 4,
      );
    }
    // The default history of seed 42, as it was before the option existed.
    expect(
      world.repositories.map(r => [
        r.name,
        r.deployments.length,
        r.commits.length,
      ]),
    ).toEqual([
      ['payments-api', 612, 456],
      ['ledger-worker', 670, 487],
      ['storefront-web', 488, 361],
      ['catalog-search', 717, 490],
      ['checkout-bff', 510, 367],
      ['python-service', 772, 574],
    ]);
    expect(() =>
      Simulation.create({ seed: 42, now: () => START, historyDays: 3 }),
    ).toThrow(/at least 7/);
  });
});
