import type {
  Deployment,
  DeploymentStrategy,
  EnvironmentSummary,
  VerificationCheck,
} from '@stagecraft/plugin-deployments-common';
import {
  formatDuration,
  formatRelativeTime,
  secondsSince,
} from '../../format/time';
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

/**
 * When the next step of a rollout is due: the rollout's start plus the holds
 * of the steps up to the current one. Undefined when a hold is not known.
 */
export function nextStepDueAt(
  strategy: DeploymentStrategy,
  startedAt: string | undefined,
): Date | undefined {
  const { steps, currentStep } = strategy;
  if (!steps || currentStep === undefined || !startedAt) return undefined;
  if (!steps[currentStep + 1]) return undefined;
  let minutes = 0;
  for (const step of steps.slice(0, currentStep + 1)) {
    if (step.waitMinutes === undefined) return undefined;
    minutes += step.waitMinutes;
  }
  return new Date(Date.parse(startedAt) + minutes * 60_000);
}

/** "in 3 min", "in 45 s", "due now". */
function dueText(at: Date, now: Date): string {
  const seconds = (at.getTime() - now.getTime()) / 1000;
  if (seconds <= 0) return 'due now';
  return `in ${formatDuration(seconds >= 60 ? Math.ceil(seconds / 60) * 60 : seconds)}`;
}

/**
 * "canary, step 1 of 2 · next 100% in 3 min", "canary · 10% traffic",
 * "blue-green". With the rollout's start, the next step says when it is due;
 * without it, how long the current step holds.
 */
export function strategyText(
  strategy: DeploymentStrategy | undefined,
  startedAt?: string,
  now: Date = new Date(),
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
      const due = nextStepDueAt(strategy, startedAt);
      let when = '';
      if (due) when = ` ${dueText(due, now)}`;
      else if (step?.waitMinutes) when = ` after ${step.waitMinutes} min`;
      parts.push(`next ${nextStep.percent}%${when}`);
    }
    return parts.join(' · ');
  }
  if (strategy.trafficPercent === undefined) return strategy.type;
  return `${strategy.type} · ${strategy.trafficPercent}% traffic`;
}

/**
 * The traffic of an environment in one line, for the overview card: which
 * versions serve it with their shares and, while a rollout runs, its
 * strategy and when the next step is due. Undefined when one version serves
 * everything and nothing rolls out.
 */
export function trafficLine(
  environment: EnvironmentSummary,
  now: Date = new Date(),
): string | undefined {
  const shares = environment.traffic?.shares ?? [];
  const rolling =
    environment.latest &&
    ['queued', 'in_progress'].includes(environment.latest.state)
      ? environment.latest
      : undefined;
  const split = shares.length > 1;
  if (!split && !rolling?.strategy) return undefined;
  const parts: string[] = [];
  if (split) {
    parts.push(
      [...shares]
        .sort((a, b) => a.percent - b.percent)
        .map(
          share =>
            `${share.percent}% ${versionLabel(share.version)}${
              share.role ? ` ${share.role}` : ''
            }`,
        )
        .join(' / '),
    );
  }
  const strategy = rolling?.strategy;
  if (strategy && strategy.type !== 'all-at-once') {
    const due = nextStepDueAt(strategy, rolling.createdAt);
    const next =
      strategy.steps && strategy.currentStep !== undefined
        ? strategy.steps[strategy.currentStep + 1]
        : undefined;
    parts.push(
      next
        ? `${strategy.type}: next ${next.percent}%${
            due ? ` ${dueText(due, now)}` : ''
          }`
        : strategy.type,
    );
  }
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/**
 * Since when the version running now has been healthy, or nothing when it
 * cannot be called healthy: it did not succeed, has no finish time, or one of
 * its checks is failing or still pending. The clock starts when the
 * deployment finished; a check that turned passing later (its `at`) moves the
 * start to then, since the version was not known healthy before.
 */
export function healthySince(
  current: Deployment | undefined,
): string | undefined {
  if (!current || current.state !== 'success' || !current.finishedAt) {
    return undefined;
  }
  const checks = current.checks ?? [];
  if (checks.some(check => check.state !== 'passing')) return undefined;
  let since = Date.parse(current.finishedAt);
  if (Number.isNaN(since)) return undefined;
  for (const check of checks) {
    const at = check.at ? Date.parse(check.at) : NaN;
    if (!Number.isNaN(at) && at > since) since = at;
  }
  return new Date(since).toISOString();
}

/** "healthy for 3 h", the soak time of the version running now. */
export function soakText(
  current: Deployment | undefined,
  now: Date = new Date(),
): string | undefined {
  const since = healthySince(current);
  if (!since) return undefined;
  return `healthy for ${formatDuration(secondsSince(since, now))}`;
}

/** The failing checks worth a line on the lane: of what runs now, then of the rollout in flight. */
export function failingChecks(
  deployments: Array<Deployment | undefined>,
): Array<{ deployment: Deployment; check: VerificationCheck }> {
  const seen = new Set<string>();
  const failing: Array<{ deployment: Deployment; check: VerificationCheck }> =
    [];
  for (const deployment of deployments) {
    if (!deployment || seen.has(deployment.id)) continue;
    seen.add(deployment.id);
    for (const check of deployment.checks ?? []) {
      if (check.state === 'failing') failing.push({ deployment, check });
    }
  }
  return failing;
}
