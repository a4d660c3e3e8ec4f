import type { EnvironmentDeploymentWindow } from '@stagecraft/plugin-deployments-common';
import { DateTime } from 'luxon';
import type { ProviderWindow } from '../../database/DeploymentStore';
import type { FreezeWindow, OccurrenceSource } from './FreezeWindows';

/**
 * Deployment windows that a provider's own schedule defines (a CodePipeline
 * `DeploymentWindow` entry rule): deploys enter the environment only while
 * a Quartz-style cron expression matches. Stagecraft shows them — on the
 * lanes, in `GET /freezes` and on the timeline — and reads the time outside
 * them like a freeze window of the provider; the provider enforces them.
 *
 * The expression is `seconds minutes hours day-of-month month day-of-week
 * [year]` (day-of-week 1-7 or SUN-SAT, 1 = Sunday; `?` in one of the day
 * fields). A minute is in the window when its minute, hour, day, month and
 * year match; the seconds field is not looked at (CodePipeline takes only
 * `*` there). `L`, `W` and `#` are not read: such a window is listed as a
 * problem instead of shown wrong. The cron npm package (in node_modules for
 * Backstage's scheduler) takes neither `?` nor the year field, so the fields
 * are read here.
 */

const MONTHS = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const WEEKDAY_LABELS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_LABELS = MONTHS.map(m => m[0] + m.slice(1).toLowerCase());

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far the windows are looked for around a range: a window may open once a year. */
const NEAR_DAYS = 8;
const FAR_DAYS = 370;
/** Days one expansion walks at most (the longest range and the look-around). */
const MAX_DAYS = 400 + 2 * FAR_DAYS + 2;

/** A cron expression's fields, as sets of the values that match. */
export interface CronFields {
  /** Per minute of the day (0..1439): whether minute and hour match. */
  minuteOfDay: boolean[];
  /** Day of month 1..31; undefined: any. */
  dayOfMonth?: Set<number>;
  /** Month 1..12; undefined: any. */
  month?: Set<number>;
  /** Quartz weekday 1..7 (1 = Sunday); undefined: any. */
  dayOfWeek?: Set<number>;
  /** Year; undefined: any. */
  year?: Set<number>;
}

/** A cron expression Stagecraft cannot read; the message says why. */
export class CronExpressionError extends Error {}

function parseField(
  text: string,
  label: string,
  min: number,
  max: number,
  names?: string[],
): Set<number> | undefined {
  if (text === '*' || text === '?') {
    return undefined;
  }
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, m => (names ? '' : m)))) {
    throw new CronExpressionError(
      `${label} '${text}': L, W and # are not supported`,
    );
  }
  const valueOf = (token: string): number => {
    const upper = token.toUpperCase();
    const named = names?.indexOf(upper) ?? -1;
    if (named >= 0) return named + min;
    if (!/^\d+$/.test(token)) {
      throw new CronExpressionError(
        `${label} '${text}': '${token}' is not a value`,
      );
    }
    const value = Number(token);
    if (value < min || value > max) {
      throw new CronExpressionError(
        `${label} '${text}': ${value} is not within ${min}-${max}`,
      );
    }
    return value;
  };
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || part.split('/').length > 2) {
      throw new CronExpressionError(
        `${label} '${text}': bad step in '${part}'`,
      );
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [a, b, ...rest] = range.split('-');
      if (rest.length > 0) {
        throw new CronExpressionError(
          `${label} '${text}': bad range '${range}'`,
        );
      }
      from = valueOf(a);
      to = valueOf(b);
    } else {
      from = valueOf(range);
      to = stepText === undefined ? from : max;
    }
    // A range may wrap (FRI-MON).
    const span = to >= from ? to - from : to + (max - min + 1) - from;
    for (let i = 0; i <= span; i += step) {
      const value = from + i;
      values.add(value > max ? value - (max - min + 1) : value);
    }
  }
  return values;
}

/** Reads a Quartz-style cron expression (6 or 7 fields); throws {@link CronExpressionError}. */
export function parseQuartzCron(expression: string): CronFields {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 7) {
    throw new CronExpressionError(
      `'${expression}' has ${fields.length} fields (expected seconds minutes hours day-of-month month day-of-week [year])`,
    );
  }
  const [seconds, minutes, hours, dom, month, dow, year] = fields;
  parseField(seconds, 'seconds', 0, 59);
  const minuteSet = parseField(minutes, 'minutes', 0, 59);
  const hourSet = parseField(hours, 'hours', 0, 23);
  if (minutes === '?' || hours === '?' || month === '?') {
    throw new CronExpressionError(
      `'${expression}': '?' is for day-of-month or day-of-week only`,
    );
  }
  const minuteOfDay = Array.from({ length: 1440 }, (_, m) => {
    const hour = Math.floor(m / 60);
    return (
      (!hourSet || hourSet.has(hour)) && (!minuteSet || minuteSet.has(m % 60))
    );
  });
  return {
    minuteOfDay,
    dayOfMonth: parseField(dom, 'day-of-month', 1, 31),
    month: parseField(month, 'month', 1, 12, MONTHS),
    dayOfWeek: parseField(dow, 'day-of-week', 1, 7, WEEKDAYS),
    ...(year !== undefined
      ? { year: parseField(year, 'year', 1970, 2199) }
      : {}),
  };
}

/** The runs of matching minutes in a day, as [start, end) minutes. */
function runsOf(fields: CronFields): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start: number | undefined;
  for (let m = 0; m <= 1440; m++) {
    const on = m < 1440 && fields.minuteOfDay[m];
    if (on && start === undefined) start = m;
    if (!on && start !== undefined) {
      runs.push([start, m]);
      start = undefined;
    }
  }
  return runs;
}

function dayMatches(fields: CronFields, day: DateTime): boolean {
  if (fields.year && !fields.year.has(day.year)) return false;
  if (fields.month && !fields.month.has(day.month)) return false;
  const quartzWeekday = (day.weekday % 7) + 1;
  const { dayOfMonth, dayOfWeek } = fields;
  if (dayOfMonth && dayOfWeek) {
    // Both given (Quartz wants one '?'): either matching, as in cron.
    return dayOfMonth.has(day.day) || dayOfWeek.has(quartzWeekday);
  }
  if (dayOfMonth) return dayOfMonth.has(day.day);
  if (dayOfWeek) return dayOfWeek.has(quartzWeekday);
  return true;
}

/**
 * The times deploys may enter within [from, to) and around it (adjoining
 * minutes joined, across midnight too), in the zone.
 */
export function allowedIntervals(
  fields: CronFields,
  timeZone: string,
  from: Date,
  to: Date,
): Array<{ start: Date; end: Date }> {
  const runs = runsOf(fields);
  const found: Array<{ start: Date; end: Date }> = [];
  if (runs.length === 0) return found;
  let day = DateTime.fromJSDate(from).setZone(timeZone).startOf('day');
  const last = to.getTime() + DAY_MS;
  for (let i = 0; i < MAX_DAYS && day.toMillis() < last; i++) {
    if (dayMatches(fields, day)) {
      for (const [a, b] of runs) {
        const start = day.plus({ minutes: a }).toJSDate();
        const end =
          b === 1440
            ? day.plus({ days: 1 }).toJSDate()
            : day.plus({ minutes: b }).toJSDate();
        const previous = found[found.length - 1];
        if (previous && previous.end.getTime() >= start.getTime()) {
          previous.end = end > previous.end ? end : previous.end;
        } else {
          found.push({ start, end });
        }
      }
    }
    day = day.plus({ days: 1 });
  }
  return found;
}

/** The time outside a provider's deployment window, as freeze occurrences. */
class OutsideWindow implements OccurrenceSource {
  constructor(
    private readonly fields: CronFields,
    private readonly timeZone: string,
  ) {}

  private allowedAround(from: Date, to: Date) {
    for (const days of [NEAR_DAYS, FAR_DAYS]) {
      const lower = new Date(from.getTime() - days * DAY_MS);
      const upper = new Date(to.getTime() + days * DAY_MS);
      const allowed = allowedIntervals(
        this.fields,
        this.timeZone,
        lower,
        upper,
      );
      const before = allowed.some(a => a.end <= from || a.start <= from);
      const after = allowed.some(a => a.start >= to || a.end >= to);
      if ((before && after) || days === FAR_DAYS) {
        return { allowed, lower, upper };
      }
    }
    /* istanbul ignore next */
    throw new Error('unreachable');
  }

  between(from: Date, to: Date): Array<{ start: Date; end: Date }> {
    const { allowed, lower, upper } = this.allowedAround(from, to);
    const gaps: Array<{ start: Date; end: Date }> = [];
    let cursor = lower;
    for (const interval of allowed) {
      if (interval.start > cursor) {
        gaps.push({ start: cursor, end: interval.start });
      }
      if (interval.end > cursor) cursor = interval.end;
    }
    if (cursor < upper) gaps.push({ start: cursor, end: upper });
    return gaps.filter(g => g.start < to && g.end > from);
  }

  nextAfter(instant: Date): { start: Date; end: Date } | undefined {
    const horizon = new Date(instant.getTime() + 366 * DAY_MS);
    return this.between(instant, horizon).find(g => g.start > instant);
  }
}

function twoDigits(n: number): string {
  return n.toString().padStart(2, '0');
}

function clock(minute: number): string {
  return `${twoDigits(Math.floor(minute / 60))}:${twoDigits(minute % 60)}`;
}

/** Consecutive values as runs: [1,2,3,5] → `Mon–Wed, Fri` with labels. */
function labelRuns(values: number[], label: (v: number) => string): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    parts.push(
      j - i >= 2
        ? `${label(values[i])}–${label(values[j])}`
        : values
            .slice(i, j + 1)
            .map(label)
            .join(', '),
    );
    i = j + 1;
  }
  return parts.join(', ');
}

/** When a cron lets deploys in, for people: `Mon–Fri 09:00–17:00`. */
export function describeCron(fields: CronFields): string {
  const days: string[] = [];
  if (fields.dayOfWeek) {
    // Monday first: 2..7 then 1 (Sunday) as 8.
    const ordered = [...fields.dayOfWeek]
      .map(d => (d === 1 ? 8 : d))
      .sort((a, b) => a - b);
    days.push(labelRuns(ordered, d => WEEKDAY_LABELS[(d - 1) % 7]));
  }
  if (fields.dayOfMonth) {
    const sorted = [...fields.dayOfMonth].sort((a, b) => a - b);
    days.push(
      `${fields.dayOfWeek ? 'or ' : ''}day ${labelRuns(
        sorted,
        String,
      )} of the month`,
    );
  }
  if (fields.month) {
    const sorted = [...fields.month].sort((a, b) => a - b);
    days.push(`in ${labelRuns(sorted, m => MONTH_LABELS[m - 1])}`);
  }
  if (fields.year) {
    const sorted = [...fields.year].sort((a, b) => a - b);
    days.push(`in ${labelRuns(sorted, String)}`);
  }
  const runs = runsOf(fields);
  let times: string;
  if (runs.length === 1 && runs[0][0] === 0 && runs[0][1] === 1440) {
    times = 'all day';
  } else if (runs.length <= 3) {
    times = runs.map(([a, b]) => `${clock(a)}–${clock(b)}`).join(', ');
  } else {
    times = `${runs.length} times a day`;
  }
  return `${days.length > 0 ? days.join(' ') : 'daily'} ${times}`;
}

/** Whether luxon can place times in the zone (IANA, `UTC`, `UTC+08:00`). */
function readableZone(timeZone: string): boolean {
  return DateTime.now().setZone(timeZone).isValid;
}

/**
 * The entity's provider-defined deployment windows as freeze windows of
 * the time outside them (source: the provider; name and reason say whose
 * schedule it is), and what cannot be read of them.
 */
export function providerFreezeWindows(
  entityRef: string,
  stored: ProviderWindow[],
): { windows: FreezeWindow[]; problems: string[] } {
  const windows: FreezeWindow[] = [];
  const problems: string[] = [];
  for (const window of stored) {
    const where = window.definedAt ?? `${window.label} window ${window.id}`;
    if (!readableZone(window.timeZone)) {
      problems.push(
        `${entityRef}: ${where}: time zone '${window.timeZone}' cannot be read; the deployment window is not shown`,
      );
      continue;
    }
    let fields: CronFields;
    try {
      fields = parseQuartzCron(window.cron);
    } catch (error) {
      if (!(error instanceof CronExpressionError)) throw error;
      problems.push(
        `${entityRef}: ${where}: cron ${error.message}; the deployment window is not shown`,
      );
      continue;
    }
    const allowed = `${describeCron(fields)} ${window.timeZone}`;
    windows.push({
      id: `${window.provider}:${window.targetKey}:${window.environment}:${window.id}`,
      name: `${window.label} deployment window`,
      source: window.provider,
      definedAt: where,
      environments: [window.environment],
      scope: { kind: 'entity', refs: [entityRef.toLocaleLowerCase('en-US')] },
      timeZone: window.timeZone,
      reason: `deploys into ${window.environment} allowed only ${allowed} (${window.label})`,
      schedule: {
        kind: 'outside',
        cron: window.cron,
        description: allowed,
        times: new OutsideWindow(fields, window.timeZone),
      },
    });
  }
  return { windows, problems };
}

/**
 * What a lane shows of an environment's provider-defined windows: when
 * deploys may enter, whether they may now, and until when.
 */
export function environmentDeploymentWindows(options: {
  entityRef: string;
  stored: ProviderWindow[];
  environment: string;
  now: Date;
}): EnvironmentDeploymentWindow[] {
  const { entityRef, environment, now } = options;
  const stored = options.stored.filter(w => w.environment === environment);
  const { windows } = providerFreezeWindows(entityRef, stored);
  return windows.map(window => {
    const source = stored.find(
      w =>
        window.id === `${w.provider}:${w.targetKey}:${w.environment}:${w.id}`,
    )!;
    const schedule = window.schedule as Extract<
      FreezeWindow['schedule'],
      { kind: 'outside' }
    >;
    const closed = schedule.times
      .between(now, new Date(now.getTime() + 1))
      .find(g => g.start <= now && g.end > now);
    const until = closed ? closed.end : schedule.times.nextAfter(now)?.start;
    const horizon = now.getTime() + FAR_DAYS * DAY_MS;
    return {
      provider: source.provider,
      label: source.label,
      allowed: schedule.description,
      timeZone: window.timeZone,
      open: !closed,
      ...(until && until.getTime() < horizon
        ? { until: until.toISOString() }
        : {}),
      ...(source.url ? { url: source.url } : {}),
    };
  });
}
