import type {
  DeploymentStrategy,
  EnvironmentSummary,
  RollbackInfo,
} from '@stagecraft/plugin-deployments-common';
import { formatRelativeTime } from '../../format/time';
import { versionLabel } from '../../format/version';

const plural = (count: number, unit: string) =>
  `${count} ${unit}${count === 1 ? '' : 's'}`;

/**
 * How far this environment trails the previous one, in the unit that means
 * something: commits where the backend counted them, else the time since the
 * previous environment got its version, else no number at all. Never whole
 * days: two versions deployed the same day are "0 days" apart but not equal.
 */
export function behindText(
  environment: EnvironmentSummary,
  previous: EnvironmentSummary | undefined,
  now: Date = new Date(),
): string | undefined {
  const behind = environment.behindPrevious;
  if (!previous || !behind) return undefined;
  if (behind.commits === 0) return `Up to date with ${previous.name}`;
  if (behind.commits !== undefined) {
    return `${plural(behind.commits, 'commit')} behind ${previous.name}`;
  }
  const there = previous.current;
  const since = there?.finishedAt ?? there?.updatedAt;
  if (there && since) {
    return `Behind ${previous.name}: ${versionLabel(there.version)} reached ${
      previous.name
    } ${formatRelativeTime(since, now)}`;
  }
  if (behind.days) {
    return `${plural(behind.days, 'day')} behind ${previous.name}`;
  }
  return `Behind ${previous.name}`;
}

/** "canary, step 1 of 2 · next 100 % after 5 min", "canary · 10% traffic", "blue-green". */
export function strategyText(
  strategy: DeploymentStrategy | undefined,
): string | undefined {
  if (!strategy) return undefined;
  const { steps, currentStep } = strategy;
  if (steps && steps.length > 0 && currentStep !== undefined) {
    const parts = [
      `${strategy.type}, step ${currentStep + 1} of ${steps.length}`,
    ];
    const step = steps[currentStep];
    const nextStep = steps[currentStep + 1];
    if (nextStep) {
      parts.push(
        `next ${nextStep.percent}%${
          step?.waitMinutes ? ` after ${step.waitMinutes} min` : ''
        }`,
      );
    }
    return parts.join(' · ');
  }
  if (strategy.trafficPercent === undefined) return strategy.type;
  return `${strategy.type} · ${strategy.trafficPercent}% traffic`;
}

/** "Rolled back automatically · alarm payments-5xx · v1.40.0 restored". */
export function rollbackText(
  rollback: RollbackInfo | undefined,
): string | undefined {
  if (!rollback) return undefined;
  const parts = [
    rollback.automatic ? 'Rolled back automatically' : 'Rolled back',
  ];
  if (rollback.reason) parts.push(rollback.reason);
  if (rollback.restoredVersion) {
    parts.push(`${versionLabel(rollback.restoredVersion)} restored`);
  }
  return parts.join(' · ');
}
