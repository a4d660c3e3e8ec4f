import { awsProduction } from '../../__testUtils__/lanes';
import { nextStepDueAt, strategyText, trafficLine } from './laneText';

const NOW = new Date('2026-12-01T14:00:00Z');
const canary = {
  type: 'canary' as const,
  steps: [{ percent: 10, waitMinutes: 5 }, { percent: 100 }],
  currentStep: 0,
};

describe('strategyText', () => {
  it('says when the next step of a running canary is due, counted from its start', () => {
    expect(strategyText(canary, '2026-12-01T13:58:00Z', NOW)).toBe(
      'canary, step 1 of 2 · next 100% in 3 min',
    );
  });

  it('says the next step is due now once its hold has passed', () => {
    expect(strategyText(canary, '2026-12-01T13:50:00Z', NOW)).toBe(
      'canary, step 1 of 2 · next 100% due now',
    );
  });

  it('says how long the step holds when the start is not known', () => {
    expect(strategyText(canary, undefined, NOW)).toBe(
      'canary, step 1 of 2 · next 100% after 5 min',
    );
  });

  it('adds the holds of a linear rollout’s earlier steps', () => {
    const linear = {
      type: 'linear' as const,
      steps: [
        { percent: 10, waitMinutes: 1 },
        { percent: 20, waitMinutes: 1 },
        { percent: 30, waitMinutes: 1 },
        { percent: 100 },
      ],
      currentStep: 1,
    };
    expect(nextStepDueAt(linear, '2026-12-01T13:59:30Z')?.toISOString()).toBe(
      '2026-12-01T14:01:30.000Z',
    );
    expect(strategyText(linear, '2026-12-01T13:59:30Z', NOW)).toBe(
      'linear, step 2 of 4 · next 30% in 2 min',
    );
  });
});

describe('trafficLine', () => {
  it('puts a canary’s split, strategy and due step on one line', () => {
    const environment = awsProduction({
      latest: {
        ...awsProduction().latest!,
        createdAt: '2026-12-01T13:58:00Z',
      },
    });
    expect(trafficLine(environment, NOW)).toBe(
      '10% v1.41.2 canary / 90% v1.40.0 live · canary: next 100% in 3 min',
    );
  });

  it('names the live and standby sides of a blue/green environment', () => {
    const environment = awsProduction({
      latest: undefined,
      traffic: {
        ...awsProduction().traffic!,
        shares: [
          {
            version: { sha: 'a'.repeat(40), tag: 'v2.0.0' },
            percent: 100,
            role: 'live',
          },
          {
            version: { sha: 'b'.repeat(40), tag: 'v1.9.0' },
            percent: 0,
            role: 'standby',
          },
        ],
      },
    });
    expect(trafficLine(environment, NOW)).toBe(
      '0% v1.9.0 standby / 100% v2.0.0 live',
    );
  });

  it('says nothing for a finished all-at-once deployment', () => {
    const environment = awsProduction({
      latest: { ...awsProduction().latest!, state: 'success', strategy: undefined },
      traffic: {
        ...awsProduction().traffic!,
        shares: [awsProduction().traffic!.shares[0]],
      },
    });
    expect(trafficLine(environment, NOW)).toBeUndefined();
  });
});
