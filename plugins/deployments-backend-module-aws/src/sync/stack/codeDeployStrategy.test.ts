import {
  strategyFromConfigName,
  strategyFromRoutingConfig,
  withProgress,
} from './codeDeployStrategy';

describe('CodeDeploy strategies', () => {
  it('reads canary, linear and all-at-once shapes from the predefined config names', () => {
    expect(
      strategyFromConfigName('CodeDeployDefault.LambdaCanary10Percent5Minutes'),
    ).toEqual({
      type: 'canary',
      name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      steps: [{ percent: 10, waitMinutes: 5 }, { percent: 100 }],
    });
    expect(
      strategyFromConfigName(
        'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      )?.steps,
    ).toEqual([
      ...[10, 20, 30, 40, 50, 60, 70, 80, 90].map(percent => ({
        percent,
        waitMinutes: 1,
      })),
      { percent: 100 },
    ]);
    expect(
      strategyFromConfigName('CodeDeployDefault.LambdaAllAtOnce'),
    ).toMatchObject({
      type: 'all-at-once',
      steps: [{ percent: 100 }],
    });
    expect(strategyFromConfigName('payments-custom-canary')).toBeUndefined();
  });

  it('reads a custom config from its traffic routing', () => {
    expect(
      strategyFromRoutingConfig('custom', {
        type: 'TimeBasedCanary',
        timeBasedCanary: { canaryPercentage: 25, canaryInterval: 15 },
      }),
    ).toEqual({
      type: 'canary',
      name: 'custom',
      steps: [{ percent: 25, waitMinutes: 15 }, { percent: 100 }],
    });
  });

  it('places the live traffic share on its step', () => {
    const linear = strategyFromConfigName(
      'CodeDeployDefault.LambdaLinear10PercentEvery2Minutes',
    )!;

    expect(withProgress(linear, 30)).toMatchObject({
      trafficPercent: 30,
      currentStep: 2,
    });
    expect(withProgress(linear, 100)).toMatchObject({ currentStep: 9 });
    expect(withProgress(linear, undefined)).not.toHaveProperty('currentStep');
  });
});
