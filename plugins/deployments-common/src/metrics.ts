import { z } from 'zod';
import { isoDateSchema } from './schema';
import type { DeploymentState, Version } from './types';

/**
 * Delivery metrics (DORA) computed from the deployment ledger: deployment
 * frequency, lead time for changes, change failure rate and time to restore,
 * over the deployments into the last environment of an entity's promotion
 * path. The rules are written out in docs/metrics.md.
 */

/**
 * What a deployment into the last environment counted as:
 * `success` — a change that succeeded; `failed` — it failed or errored;
 * `rolled_back` — it was rolled back; `hotfixed` — it succeeded and the next
 * change into the environment was a hotfix within the hotfix window;
 * `redeploy` — its version had succeeded in the environment before (a roll
 * back by redeploying, a re-run): not a change, counted only as a restore.
 *
 * @public
 */
export type MetricsOutcome =
  | 'success'
  | 'failed'
  | 'rolled_back'
  | 'hotfixed'
  | 'redeploy';

/**
 * One deployment behind the figures, with what it counted as.
 *
 * @public
 */
export interface MetricsDeployment {
  /** Stagecraft id (`provider:providerDeploymentId`). */
  id: string;
  entityRef: string;
  environment: string;
  version: Version;
  /** Its latest state. */
  state: DeploymentState;
  outcome: MetricsOutcome;
  /** When it was created: it belongs to the period and the week of this time. */
  createdAt: string;
  /** When it first reached success, if it did. */
  succeededAt?: string;
  /** From the version's first deployment on the path to this success, in seconds. */
  leadTimeSeconds?: number;
  /** A change failure: seconds until the environment succeeded again; absent while unrestored. */
  restoreSeconds?: number;
  /** The deployment whose success (or this one's roll back) restored the environment. */
  restoredBy?: string;
  /** A `hotfixed` deployment: the hotfix that followed it. */
  hotfixedBy?: string;
  url?: string;
  urlLabel?: string;
}

/**
 * The four figures over one stretch of time; each names the deployments
 * that produced it (ids into the response's `deployments`).
 *
 * @public
 */
export interface DeliveryFigures {
  /** Deployment frequency: changes that reached success in the last environment. */
  deployments: {
    count: number;
    perDay: number;
    perWeek: number;
    deploymentIds: string[];
  };
  /** Lead time for changes, over the same deployments. */
  leadTime: {
    count: number;
    medianSeconds?: number;
    p90Seconds?: number;
    deploymentIds: string[];
  };
  /** Change failure rate: failed, rolled back or hotfixed changes over all changes. */
  changeFailureRate: {
    /** 0–1; absent when no change was deployed. */
    rate?: number;
    failures: number;
    changes: number;
    /** The failures. */
    deploymentIds: string[];
    /** Every change deployment, the rate's denominator. */
    changeIds: string[];
  };
  /** Time to restore, from each change failure to the next success there. */
  timeToRestore: {
    /** Failures restored. */
    count: number;
    /** Failures the environment has not recovered from yet. */
    unrestored: number;
    medianSeconds?: number;
    /** The failures (restored and not). */
    deploymentIds: string[];
  };
}

/** @public */
export interface MetricsPeriod {
  /** Inclusive. */
  from: string;
  /** Exclusive. */
  to: string;
  figures: DeliveryFigures;
}

/**
 * The figures of a period, of the period of equal length before it, and of
 * each week of the period (the last may be shorter).
 *
 * @public
 */
export interface DeliveryMetrics extends MetricsPeriod {
  previous: MetricsPeriod;
  weeks: MetricsPeriod[];
  /** Every deployment the figures count, of both periods, oldest first. */
  deployments: MetricsDeployment[];
  rules: {
    /** A success followed within this many seconds by a hotfix counts as a failure. */
    hotfixWindowSeconds: number;
    /** What marks a hotfix: a regular expression over the version's commit title and tag. */
    hotfixPattern: string;
  };
}

/**
 * `GET /entities/{kind}/{namespace}/{name}/metrics`.
 *
 * @public
 */
export interface EntityMetricsResponse extends DeliveryMetrics {
  entityRef: string;
  /** The last environment of the entity's promotion path, where the figures are taken. */
  environment: string;
}

/**
 * `GET /metrics?owner=`: the figures over every entity the owner owns that
 * the caller may see, and each entity's own.
 *
 * @public
 */
export interface OwnerMetricsResponse extends DeliveryMetrics {
  owner: string;
  entities: Array<{
    entityRef: string;
    environment: string;
    figures: DeliveryFigures;
  }>;
  /** Set when the owner owns more entities than one request reads. */
  truncated?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The longest period one request computes. */
export const MAX_METRICS_DAYS = 366;

/**
 * Query of the metrics routes: `period=90d` (the default, ending now), or
 * `from` with an optional `to` (default now). Resolved by
 * {@link resolveMetricsRange}.
 *
 * @public
 */
export const metricsQuerySchema = z
  .object({
    period: z
      .string()
      .regex(/^\d{1,3}d$/, 'must be a number of days such as 90d')
      .optional(),
    from: isoDateSchema.optional(),
    to: isoDateSchema.optional(),
  })
  .strict();

/** @public */
export type MetricsQuery = z.input<typeof metricsQuerySchema>;

/**
 * Query of `GET /metrics`: the owner (`group:default/team-a`) and the period.
 *
 * @public
 */
export const ownerMetricsQuerySchema = metricsQuerySchema
  .extend({
    owner: z
      .string()
      .min(1)
      .max(255)
      .regex(
        /^(?:[A-Za-z0-9][A-Za-z0-9._-]*:)?(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/,
        'must be an entity reference such as group:default/team-a',
      ),
  })
  .strict();

/** @public */
export type OwnerMetricsQuery = z.input<typeof ownerMetricsQuerySchema>;

/**
 * The period a metrics query asks for, or the problem with it: `period`
 * and `from` exclude each other, `from` comes before `to`, at most
 * {@link MAX_METRICS_DAYS} days.
 *
 * @public
 */
export function resolveMetricsRange(
  query: { period?: string; from?: string; to?: string },
  now: Date,
): { from: Date; to: Date } | { problem: string } {
  if (query.period && (query.from || query.to)) {
    return { problem: 'give either period or from/to, not both' };
  }
  if (query.to && !query.from) {
    return { problem: 'to needs a from' };
  }
  if (query.from) {
    const from = new Date(Date.parse(query.from));
    const to = query.to ? new Date(Date.parse(query.to)) : now;
    if (to.getTime() <= from.getTime()) {
      return { problem: 'from must come before to' };
    }
    if (to.getTime() - from.getTime() > MAX_METRICS_DAYS * DAY_MS) {
      return { problem: `a period is at most ${MAX_METRICS_DAYS} days` };
    }
    return { from, to };
  }
  const days = query.period ? Number(query.period.slice(0, -1)) : 90;
  if (days < 1 || days > MAX_METRICS_DAYS) {
    return { problem: `period must be 1d to ${MAX_METRICS_DAYS}d` };
  }
  return { from: new Date(now.getTime() - days * DAY_MS), to: now };
}
