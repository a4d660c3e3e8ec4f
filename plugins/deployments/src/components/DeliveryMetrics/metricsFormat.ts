import type {
  DeliveryFigures,
  MetricsOutcome,
} from '@stagecraft/plugin-deployments-common';
import { formatDuration } from '../../format/time';

/** The periods the selector offers, in days. */
export const PERIODS = [30, 90, 180] as const;
export type PeriodDays = (typeof PERIODS)[number];

/** The four figures, in the order the tiles show them. */
export type FigureKey =
  | 'deployments'
  | 'leadTime'
  | 'changeFailureRate'
  | 'timeToRestore';

export const FIGURE_TITLES: Record<FigureKey, string> = {
  deployments: 'Deployment frequency',
  leadTime: 'Lead time for changes',
  changeFailureRate: 'Change failure rate',
  timeToRestore: 'Time to restore',
};

export const OUTCOME_LABELS: Record<MetricsOutcome, string> = {
  success: 'change, succeeded',
  failed: 'change, failed',
  rolled_back: 'change, rolled back',
  hotfixed: 'change, followed by a hotfix',
  redeploy: 'redeploy (restore)',
};

/** The figure's value as a number to compare periods by; undefined when there is none. */
export function valueOf(
  figures: DeliveryFigures,
  key: FigureKey,
): number | undefined {
  switch (key) {
    case 'deployments':
      return figures.deployments.perWeek;
    case 'leadTime':
      return figures.leadTime.medianSeconds;
    case 'changeFailureRate':
      return figures.changeFailureRate.rate;
    case 'timeToRestore':
      return figures.timeToRestore.medianSeconds;
    default:
      return undefined;
  }
}

/** The figure's value in words: "2.5 / week", "6 h", "57 %", "—". */
export function valueLabel(figures: DeliveryFigures, key: FigureKey): string {
  const value = valueOf(figures, key);
  if (value === undefined) return '—';
  switch (key) {
    case 'deployments':
      return `${value} / week`;
    case 'changeFailureRate':
      return `${Math.round(value * 1000) / 10} %`;
    default:
      return formatDuration(value);
  }
}

/** What the figure is made of, in words. */
export function detailLabel(figures: DeliveryFigures, key: FigureKey): string {
  switch (key) {
    case 'deployments':
      return `${figures.deployments.count} deployment${
        figures.deployments.count === 1 ? '' : 's'
      } · ${figures.deployments.perDay} / day`;
    case 'leadTime':
      return figures.leadTime.p90Seconds === undefined
        ? 'median · no change deployed'
        : `median · p90 ${formatDuration(figures.leadTime.p90Seconds)}`;
    case 'changeFailureRate':
      return `${figures.changeFailureRate.failures} of ${figures.changeFailureRate.changes} changes`;
    case 'timeToRestore':
      return `median · ${figures.timeToRestore.count} restored${
        figures.timeToRestore.unrestored
          ? ` · ${figures.timeToRestore.unrestored} not yet`
          : ''
      }`;
    default:
      return '';
  }
}

/** The deployments behind a figure. */
export function idsOf(figures: DeliveryFigures, key: FigureKey): string[] {
  return figures[key].deploymentIds;
}

export interface Trend {
  /** "+25 %", "−2 h", "no change", "no earlier data". */
  text: string;
  /** Whether the change is for the better, worse, or neither. */
  verdict: 'better' | 'worse' | 'same' | 'unknown';
  /** Which way the figure moved, when there is an earlier one. */
  direction?: 'up' | 'down' | 'flat';
}

/** How a figure moved from the previous period: more deployments are better, less of the rest. */
export function trendOf(
  current: DeliveryFigures,
  previous: DeliveryFigures,
  key: FigureKey,
): Trend {
  const now = valueOf(current, key);
  const before = valueOf(previous, key);
  if (now === undefined || before === undefined) {
    return { text: 'no earlier figure to compare', verdict: 'unknown' };
  }
  if (now === before) {
    return { text: 'no change', verdict: 'same', direction: 'flat' };
  }
  const higherIsBetter = key === 'deployments';
  const verdict = now > before === higherIsBetter ? 'better' : 'worse';
  let text: string;
  if (key === 'changeFailureRate') {
    const points = Math.round((now - before) * 1000) / 10;
    text = `${points > 0 ? '+' : '−'}${Math.abs(points)} points`;
  } else if (before === 0) {
    text = `up from 0`;
  } else {
    const percent = Math.round(((now - before) / before) * 100);
    text = `${percent > 0 ? '+' : '−'}${Math.abs(percent)} %`;
  }
  return { text, verdict, direction: now > before ? 'up' : 'down' };
}
