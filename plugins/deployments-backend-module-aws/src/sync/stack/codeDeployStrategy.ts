import type { TrafficRoutingConfig } from '@aws-sdk/client-codedeploy';
import type {
  DeploymentStrategy,
  DeploymentStrategyStep,
} from '@stagecraft/plugin-deployments-common';

/** A strategy's shape without its live progress; kept in the cursor for custom configs. */
export type StrategyShape = Pick<DeploymentStrategy, 'type' | 'name' | 'steps'>;

/**
 * The predefined Lambda configs carry their shape in their name
 * (`CodeDeployDefault.LambdaCanary10Percent5Minutes`,
 * `…LambdaLinear10PercentEvery1Minute`, `…LambdaAllAtOnce`), so they cost no
 * call; a custom config name returns undefined and is read with
 * GetDeploymentConfig.
 */
export function strategyFromConfigName(
  name: string,
): StrategyShape | undefined {
  const canary =
    /^CodeDeployDefault\.(?:Lambda|ECS)Canary(\d+)Percent(\d+)Minutes?$/.exec(
      name,
    );
  if (canary) {
    return canaryShape(name, Number(canary[1]), Number(canary[2]));
  }
  const linear =
    /^CodeDeployDefault\.(?:Lambda|ECS)Linear(\d+)PercentEvery(\d+)Minutes?$/.exec(
      name,
    );
  if (linear) {
    return linearShape(name, Number(linear[1]), Number(linear[2]));
  }
  if (/^CodeDeployDefault\.(?:Lambda|ECS)AllAtOnce$/.test(name)) {
    return { type: 'all-at-once', name, steps: [{ percent: 100 }] };
  }
  return undefined;
}

/** The shape of a config from GetDeploymentConfig's `trafficRoutingConfig`. */
export function strategyFromRoutingConfig(
  name: string,
  routing: TrafficRoutingConfig | undefined,
): StrategyShape {
  if (routing?.type === 'TimeBasedCanary' && routing.timeBasedCanary) {
    return canaryShape(
      name,
      routing.timeBasedCanary.canaryPercentage ?? 0,
      routing.timeBasedCanary.canaryInterval ?? 0,
    );
  }
  if (routing?.type === 'TimeBasedLinear' && routing.timeBasedLinear) {
    return linearShape(
      name,
      routing.timeBasedLinear.linearPercentage ?? 0,
      routing.timeBasedLinear.linearInterval ?? 0,
    );
  }
  return { type: 'all-at-once', name, steps: [{ percent: 100 }] };
}

function canaryShape(
  name: string,
  percent: number,
  minutes: number,
): StrategyShape {
  return {
    type: 'canary',
    name,
    steps: [{ percent, waitMinutes: minutes }, { percent: 100 }],
  };
}

function linearShape(
  name: string,
  percent: number,
  minutes: number,
): StrategyShape {
  const steps: DeploymentStrategyStep[] = [];
  if (percent > 0) {
    for (let p = percent; p < 100; p += percent) {
      steps.push({ percent: p, waitMinutes: minutes });
    }
  }
  steps.push({ percent: 100 });
  return { type: 'linear', name, steps };
}

/**
 * The strategy with its progress: the share on the new version and the step
 * that share falls in (the last step whose percent it has reached).
 */
export function withProgress(
  shape: StrategyShape,
  trafficPercent: number | undefined,
): DeploymentStrategy {
  if (trafficPercent === undefined) return { ...shape };
  const steps = shape.steps ?? [];
  let currentStep = 0;
  steps.forEach((step, index) => {
    if (trafficPercent + 1e-9 >= step.percent) currentStep = index;
  });
  return { ...shape, trafficPercent, currentStep };
}
