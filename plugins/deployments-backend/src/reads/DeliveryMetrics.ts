import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import type {
  DeliveryFigures,
  DeliveryMetrics,
  MetricsDeployment,
  MetricsPeriod,
} from '@stagecraft/plugin-deployments-common';
import {
  ClassifiedDeployment,
  isFailure,
  KnexDeliveryMetrics,
  MetricsRules,
} from '../database/metrics/KnexDeliveryMetrics';

/**
 * The delivery metrics (DORA) of an entity or an owner, from the
 * deployments {@link KnexDeliveryMetrics} classifies. The rules, written out
 * in docs/metrics.md:
 *
 * - a deployment belongs to the period (and week) it was created in;
 * - frequency: changes (deployments whose version had not succeeded in the
 *   environment before) that reached success, per day and per week;
 * - lead time: from the version's first deployment anywhere on the path
 *   (the ledger stores no commit times) to that success; median and p90;
 * - change failure rate: changes that failed, were rolled back, or were
 *   followed by a hotfix within the window, over all changes;
 * - time to restore: from a failed change going out (its success, else the
 *   start of its rollout) to the next success in the environment (or its
 *   own roll back); median.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;
export const DEFAULT_HOTFIX_WINDOW_MS = DAY_MS;
/** A title that starts with Hotfix or Revert, or the merge of a hotfix/ or revert- branch. */
export const DEFAULT_HOTFIX_PATTERN =
  '^\\s*(hotfix|revert)\\b|^merge pull request #\\d+ from \\S+/(hotfix|revert)';

/**
 * Reads `deployments.metrics`: `hotfixWindow` (a duration, default 24 hours)
 * and `hotfixPattern` (a regular expression, case-insensitive, default
 * {@link DEFAULT_HOTFIX_PATTERN}). A bad value stops the backend, naming the key.
 */
export function readMetricsRules(config: Config): MetricsRules {
  const section = config.getOptionalConfig('deployments.metrics');
  let hotfixWindowMs = DEFAULT_HOTFIX_WINDOW_MS;
  if (section?.has('hotfixWindow')) {
    try {
      hotfixWindowMs = durationToMilliseconds(
        readDurationFromConfig(section, { key: 'hotfixWindow' }),
      );
    } catch (error) {
      throw new InputError(
        `deployments.metrics.hotfixWindow must be a duration such as { hours: 24 } or PT24H (${
          (error as Error).message
        })`,
      );
    }
    if (!Number.isFinite(hotfixWindowMs) || hotfixWindowMs < 0) {
      throw new InputError(
        'deployments.metrics.hotfixWindow must be a duration of zero or more',
      );
    }
  }
  const source =
    section?.getOptionalString('hotfixPattern') ?? DEFAULT_HOTFIX_PATTERN;
  let hotfixPattern: RegExp;
  try {
    hotfixPattern = new RegExp(source, 'i');
  } catch (error) {
    throw new InputError(
      `deployments.metrics.hotfixPattern must be a regular expression (${
        (error as Error).message
      })`,
    );
  }
  return { hotfixWindowMs, hotfixPattern };
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[mid]
    : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/** The nearest-rank percentile: the smallest value at least `p` of the values do not exceed. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

const round = (value: number, digits: number) =>
  Math.round(value * 10 ** digits) / 10 ** digits;

/** The four figures over the deployments created within `from`…`to` (exclusive). */
export function figuresOf(
  deployments: ClassifiedDeployment[],
  from: number,
  to: number,
): DeliveryFigures {
  const inRange = deployments.filter(
    d => d.createdAtMs >= from && d.createdAtMs < to,
  );
  const changes = inRange.filter(d => d.outcome !== 'redeploy');
  const deployed = changes.filter(d => d.succeededAtMs !== undefined);
  const leads = deployed.filter(d => d.leadTimeSeconds !== undefined);
  const failures = changes.filter(d => isFailure(d.outcome));
  const restored = failures.filter(d => d.restoreSeconds !== undefined);
  const days = (to - from) / DAY_MS;
  const ids = (list: ClassifiedDeployment[]) => list.map(d => d.id);
  return {
    deployments: {
      count: deployed.length,
      perDay: round(deployed.length / days, 2),
      perWeek: round((deployed.length / days) * 7, 2),
      deploymentIds: ids(deployed),
    },
    leadTime: {
      count: leads.length,
      medianSeconds: median(leads.map(d => d.leadTimeSeconds!)),
      p90Seconds: percentile(
        leads.map(d => d.leadTimeSeconds!),
        0.9,
      ),
      deploymentIds: ids(leads),
    },
    changeFailureRate: {
      rate:
        changes.length > 0
          ? round(failures.length / changes.length, 4)
          : undefined,
      failures: failures.length,
      changes: changes.length,
      deploymentIds: ids(failures),
      changeIds: ids(changes),
    },
    timeToRestore: {
      count: restored.length,
      unrestored: failures.length - restored.length,
      medianSeconds: median(restored.map(d => d.restoreSeconds!)),
      deploymentIds: ids(failures),
    },
  };
}

/** The period before `range`, of the same length. */
export function previousOf(range: { from: Date; to: Date }): {
  from: Date;
  to: Date;
} {
  const span = range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - span), to: range.from };
}

function period(
  deployments: ClassifiedDeployment[],
  from: number,
  to: number,
): MetricsPeriod {
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    figures: figuresOf(deployments, from, to),
  };
}

/** A classified deployment as the response lists it. */
function listed(d: ClassifiedDeployment): MetricsDeployment {
  const {
    createdAtMs: _c,
    startedAtMs: _s,
    succeededAtMs: _u,
    rolledBackAtMs: _r,
    ...rest
  } = d;
  return rest;
}

/** The figures of the period, the one before, each week, and the deployments behind them. */
export function deliveryMetrics(
  deployments: ClassifiedDeployment[],
  range: { from: Date; to: Date },
  rules: MetricsRules,
): DeliveryMetrics {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const previous = previousOf(range);
  const weeks: MetricsPeriod[] = [];
  for (let start = from; start < to; start += WEEK_MS) {
    weeks.push(period(deployments, start, Math.min(start + WEEK_MS, to)));
  }
  const inEither = deployments.filter(
    d => d.createdAtMs >= previous.from.getTime() && d.createdAtMs < to,
  );
  return {
    ...period(deployments, from, to),
    previous: period(deployments, previous.from.getTime(), from),
    weeks,
    deployments: inEither
      .sort((a, b) => a.createdAtMs - b.createdAtMs)
      .map(listed),
    rules: {
      hotfixWindowSeconds: Math.round(rules.hotfixWindowMs / 1000),
      hotfixPattern: rules.hotfixPattern.source,
    },
  };
}

/** Classifies one entity's deployments into its last environment over the period and the one before. */
export async function classifyEntity(
  metrics: KnexDeliveryMetrics,
  options: {
    entityRef: string;
    environment: string;
    range: { from: Date; to: Date };
    rules: MetricsRules;
    now: Date;
  },
): Promise<ClassifiedDeployment[]> {
  return metrics.classify({
    entityRef: options.entityRef,
    environment: options.environment,
    since: previousOf(options.range).from,
    until: options.range.to,
    now: options.now,
    rules: options.rules,
  });
}
