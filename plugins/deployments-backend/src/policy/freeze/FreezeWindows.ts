import { ConfigReader, readDurationFromConfig } from '@backstage/config';
import type { JsonValue } from '@backstage/types';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { DateTime, Duration, IANAZone } from 'luxon';
import { Frequency, Options, RRule } from 'rrule';

/**
 * Freeze windows: times when promotions, approvals and roll backs into some
 * environments are refused. A window is one-off (a start and an end) or
 * recurring (an RFC 5545 RRULE, expanded by the `rrule` library, with a
 * duration), always with a time zone and a reason.
 *
 * Zone math: the rule is expanded in "floating" local time (wall-clock
 * fields carried in a UTC `Date`, no offsets), and luxon turns each local
 * start into an instant in the window's zone. So `BYHOUR=9` is 09:00 local
 * on both sides of a DST change. (rrule's own `tzid` support converts
 * through the process's time zone, so the same config would give other
 * instants on a server in another zone; it is not used.)
 */

/** Which entities a window covers. */
export type FreezeScope =
  | { kind: 'all' }
  | { kind: 'system' | 'owner' | 'entity'; refs: string[] };

/** When a window is on. */
export type FreezeSchedule =
  | { kind: 'once'; start: DateTime; end: DateTime }
  | {
      kind: 'recurring';
      /** The RRULE as written (without `RRULE:`). */
      rule: string;
      /** The first occurrence's local start (DTSTART). */
      start: DateTime;
      duration: Duration;
    }
  | {
      /**
       * A provider's deployment window read the other way round: the
       * window is on whenever the provider's schedule does not let
       * deploys in (a CodePipeline DeploymentWindow rule's cron).
       */
      kind: 'outside';
      /** The provider's schedule as it gives it. */
      cron: string;
      /** When deploys may enter, for people: `Mon–Fri 09:00–17:00 Europe/Berlin`. */
      description: string;
      times: OccurrenceSource;
    };

/** Where the times of a schedule that is not an RRULE come from. */
export interface OccurrenceSource {
  /** Occurrences that overlap [from, to), oldest first. */
  between(from: Date, to: Date): Array<{ start: Date; end: Date }>;
  /** The first occurrence that starts after `instant`. */
  nextAfter(instant: Date): { start: Date; end: Date } | undefined;
}

/** One freeze window, as read from config or an entity's annotation. */
export interface FreezeWindow {
  /** Unique among the windows that apply to an entity. */
  id: string;
  name: string;
  /** `config`, `annotation`, or the provider whose schedule it is. */
  source: string;
  /** Where it was defined, for messages: `deployments.freezes[2]`. */
  definedAt: string;
  /** The environments it covers; undefined: every environment. */
  environments?: string[];
  scope: FreezeScope;
  timeZone: string;
  reason: string;
  schedule: FreezeSchedule;
}

/** One time a window is on. */
export interface FreezeOccurrence {
  window: FreezeWindow;
  start: Date;
  end: Date;
}

/** The annotation by which an entity declares its own freeze windows (JSON). */
export const FREEZE_ANNOTATION = 'stagecraft.io/freeze';

const CONFIG_KEY = 'deployments.freezes';

const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const WINDOW_FIELDS = [
  'name',
  'environments',
  'rrule',
  'start',
  'end',
  'duration',
  'timeZone',
  'reason',
];
const SCOPE_FIELDS = ['system', 'owner', 'entity'] as const;

/** When a recurring window gives no `start`: the rule's fields alone place it. */
const DEFAULT_RECURRING_START = { year: 2000, month: 1, day: 1 };

/** The longest a window may last: longer is a typo, not a freeze. */
const MAX_DURATION_DAYS = 366;

/** How far `nextAfter` looks before it gives up on a rule. */
const MAX_LOOKAHEAD_YEARS = 10;

const DAY_MS = 24 * 60 * 60 * 1000;

/** A definition that cannot be used; the message names the entry. */
export class FreezeDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FreezeDefinitionError';
  }
}

function fail(where: string, message: string): never {
  throw new FreezeDefinitionError(`${where}: ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads `deployments.freezes` and validates every entry; throws a
 * {@link FreezeDefinitionError} naming the first bad entry
 * (`deployments.freezes[2].rrule: …`). Called at start-up.
 */
export function readFreezeWindows(config: {
  getOptional(key: string): unknown;
}): FreezeWindow[] {
  const raw = config.getOptional(CONFIG_KEY);
  if (raw === undefined) {
    return [];
  }
  if (!Array.isArray(raw)) {
    return fail(CONFIG_KEY, 'must be a list of freeze windows');
  }
  const windows = raw.map((entry, index) =>
    parseFreezeWindow(entry, {
      where: `${CONFIG_KEY}[${index}]`,
      source: 'config',
      allowScope: true,
    }),
  );
  rejectDuplicateNames(windows);
  return windows;
}

/**
 * The windows an entity declares in its `stagecraft.io/freeze` annotation:
 * a JSON object or array of objects with the fields of a config entry (no
 * scope: they cover the entity). A bad annotation is a `problem`, not an
 * exception: it comes from the catalog at run time.
 */
export function readEntityFreezeWindows(entity: Entity): {
  windows: FreezeWindow[];
  problem?: string;
} {
  const text = entity.metadata.annotations?.[FREEZE_ANNOTATION];
  if (text === undefined || text.trim() === '') {
    return { windows: [] };
  }
  const entityRef = stringifyEntityRef(entity);
  try {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return fail(
        FREEZE_ANNOTATION,
        `is not JSON (${(error as Error).message})`,
      );
    }
    const entries = Array.isArray(parsed) ? parsed : [parsed];
    const windows = entries.map((entry, index) =>
      parseFreezeWindow(entry, {
        where: `${FREEZE_ANNOTATION}[${index}]`,
        source: 'annotation',
        allowScope: false,
        entityRef,
      }),
    );
    rejectDuplicateNames(windows);
    return { windows };
  } catch (error) {
    if (error instanceof FreezeDefinitionError) {
      return { windows: [], problem: `${entityRef}: ${error.message}` };
    }
    throw error;
  }
}

function rejectDuplicateNames(windows: FreezeWindow[]) {
  const seen = new Map<string, FreezeWindow>();
  for (const window of windows) {
    const other = seen.get(window.id);
    if (other) {
      fail(
        window.definedAt,
        `name '${window.name}' is already used by ${other.definedAt}`,
      );
    }
    seen.set(window.id, window);
  }
}

/**
 * Parses and validates one window definition. Throws a
 * {@link FreezeDefinitionError} whose message starts with `where`.
 */
export function parseFreezeWindow(
  value: unknown,
  options: {
    where: string;
    source: string;
    allowScope: boolean;
    /** For annotation windows: the entity they cover. */
    entityRef?: string;
  },
): FreezeWindow {
  const { where, source, allowScope } = options;
  if (!isPlainObject(value)) {
    return fail(where, 'must be an object');
  }
  const allowed = allowScope
    ? [...WINDOW_FIELDS, ...SCOPE_FIELDS]
    : WINDOW_FIELDS;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      fail(
        where,
        `unknown field '${key}' (expected ${allowed
          .map(k => `'${k}'`)
          .join(', ')})`,
      );
    }
  }

  const name = optionalString(value, 'name', where);
  const reason = optionalString(value, 'reason', where);
  if (!reason) {
    fail(where, 'reason is required (say why deployments stop)');
  }
  const timeZone = optionalString(value, 'timeZone', where);
  if (!timeZone) {
    fail(where, 'timeZone is required (an IANA zone such as Europe/Berlin)');
  }
  if (!IANAZone.isValidZone(timeZone)) {
    fail(
      `${where}.timeZone`,
      `'${timeZone}' is not an IANA time zone (such as Europe/Berlin or UTC)`,
    );
  }
  const environments = readEnvironments(value.environments, where);
  const scope: FreezeScope = options.entityRef
    ? { kind: 'entity', refs: [options.entityRef] }
    : readScope(value, where);
  const schedule = readSchedule(value, where, timeZone);

  return {
    id: name ?? where,
    name: name ?? where,
    source,
    definedAt: where,
    ...(environments ? { environments } : {}),
    scope,
    timeZone,
    reason,
    schedule,
  };
}

function optionalString(
  value: Record<string, unknown>,
  key: string,
  where: string,
): string | undefined {
  const field = value[key];
  if (field === undefined || field === null) {
    return undefined;
  }
  if (typeof field !== 'string') {
    return fail(`${where}.${key}`, 'must be a string');
  }
  const trimmed = field.trim();
  return trimmed === '' ? undefined : trimmed;
}

function readEnvironments(value: unknown, where: string): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every(v => typeof v === 'string')
  ) {
    return fail(
      `${where}.environments`,
      'must be a non-empty list of environment names (leave it out to cover every environment)',
    );
  }
  for (const name of value) {
    if (!ENVIRONMENT_NAME.test(name)) {
      fail(`${where}.environments`, `'${name}' is not an environment name`);
    }
  }
  return value;
}

const SCOPE_DEFAULT_KIND = {
  system: 'system',
  owner: 'group',
  entity: 'component',
} as const;

function readScope(value: Record<string, unknown>, where: string): FreezeScope {
  const given = SCOPE_FIELDS.filter(key => value[key] !== undefined);
  if (given.length === 0) {
    return { kind: 'all' };
  }
  if (given.length > 1) {
    return fail(
      where,
      `give one of system, owner or entity, not ${given.join(' and ')}`,
    );
  }
  const kind = given[0];
  const field = value[kind];
  const list = Array.isArray(field) ? field : [field];
  if (
    list.length === 0 ||
    !list.every(v => typeof v === 'string' && v.trim() !== '')
  ) {
    return fail(
      `${where}.${kind}`,
      'must be an entity reference or a list of them',
    );
  }
  const refs = list.map(ref => {
    try {
      return normalizeRef(ref as string, SCOPE_DEFAULT_KIND[kind], 'default');
    } catch (error) {
      return fail(
        `${where}.${kind}`,
        `'${ref}' is not an entity reference (${(error as Error).message})`,
      );
    }
  });
  return { kind, refs };
}

function normalizeRef(
  ref: string,
  defaultKind: string,
  defaultNamespace: string,
): string {
  return stringifyEntityRef(
    parseEntityRef(ref.trim(), { defaultKind, defaultNamespace }),
  ).toLocaleLowerCase('en-US');
}

/** A local date-time in the zone (`2026-12-24T18:00`), or an instant with an offset. */
function readDateTime(
  value: unknown,
  where: string,
  timeZone: string,
): DateTime {
  if (typeof value !== 'string') {
    return fail(
      where,
      'must be an ISO 8601 date-time such as 2026-12-24T18:00',
    );
  }
  const parsed = DateTime.fromISO(value.trim(), { zone: timeZone });
  if (!parsed.isValid) {
    return fail(
      where,
      `'${value}' is not an ISO 8601 date-time such as 2026-12-24T18:00 (${parsed.invalidExplanation})`,
    );
  }
  return parsed;
}

function readDuration(value: unknown, where: string): Duration {
  let duration: Duration;
  try {
    const human = readDurationFromConfig(
      new ConfigReader({ duration: value as JsonValue }),
      {
        key: 'duration',
      },
    );
    duration = Duration.fromObject(human);
  } catch (error) {
    return fail(
      where,
      `must be a duration such as { hours: 64 }, 'P2DT16H' or '64h' (${
        (error as Error).message
      })`,
    );
  }
  if (!duration.isValid || duration.as('milliseconds') <= 0) {
    return fail(where, 'must be longer than zero');
  }
  if (duration.as('days') > MAX_DURATION_DAYS) {
    return fail(where, `must be at most ${MAX_DURATION_DAYS} days`);
  }
  return duration;
}

/** A luxon date-time's wall-clock fields as a floating `Date` (UTC fields). */
function toFloating(local: DateTime): Date {
  return new Date(
    Date.UTC(
      local.year,
      local.month - 1,
      local.day,
      local.hour,
      local.minute,
      local.second,
      local.millisecond,
    ),
  );
}

/** A floating `Date`'s fields as the local time in the zone. */
function fromFloating(floating: Date, timeZone: string): DateTime {
  return DateTime.fromObject(
    {
      year: floating.getUTCFullYear(),
      month: floating.getUTCMonth() + 1,
      day: floating.getUTCDate(),
      hour: floating.getUTCHours(),
      minute: floating.getUTCMinutes(),
      second: floating.getUTCSeconds(),
      millisecond: floating.getUTCMilliseconds(),
    },
    { zone: timeZone },
  );
}

/** How long one expansion of a recurring window serves short look-ups. */
const MEMO_SPAN_MS = 60 * 60 * 1000;
/** Occurrences one such expansion may hold (a rule denser than this is not memoized). */
const MEMO_LIMIT = 500;

function overlapping(
  occurrences: Array<{ start: Date; end: Date }>,
  from: Date,
  to: Date,
  limit: number,
): Array<{ start: Date; end: Date }> {
  const found: Array<{ start: Date; end: Date }> = [];
  for (const occurrence of occurrences) {
    if (found.length >= limit) break;
    if (occurrence.start < to && occurrence.end > from) {
      found.push({ start: occurrence.start, end: occurrence.end });
    }
  }
  return found;
}

/**
 * A recurring window's occurrences. rrule always iterates from DTSTART, so
 * for rules without COUNT the expansion restarts from a recent occurrence
 * (same set from there on: rrule drops results before DTSTART only after
 * BYSETPOS) to keep each look-up short however old `start` is.
 */
class RecurringSchedule {
  private readonly base: RRule;
  private anchored: RRule;
  private readonly restartable: boolean;
  private readonly spanMs: number;
  private readonly duration: Duration;
  /** The occurrences of the hour last expanded for a short look-up. */
  private memo?: {
    from: number;
    to: number;
    occurrences: Array<{ start: Date; end: Date }>;
  };

  constructor(
    schedule: Extract<FreezeSchedule, { kind: 'recurring' }>,
    private readonly timeZone: string,
  ) {
    const options = RRule.parseString(schedule.rule);
    const untilMatch = /UNTIL=(\d{8}(?:T\d{6})?)(Z?)/i.exec(schedule.rule);
    if (options.until && untilMatch?.[2]) {
      // UNTIL with Z is an instant; the expansion compares local times.
      options.until = toFloating(
        DateTime.fromJSDate(options.until).setZone(timeZone),
      );
    }
    this.base = new RRule({
      ...options,
      dtstart: toFloating(schedule.start),
    });
    this.anchored = this.base;
    this.restartable = !options.count;
    this.duration = schedule.duration;
    // Offsets move a local time by less than a day.
    this.spanMs = schedule.duration.as('milliseconds') + DAY_MS;
  }

  private ruleFrom(floatingFrom: Date): RRule {
    if (!this.restartable) {
      return this.base;
    }
    const anchor = this.anchored.options.dtstart;
    if (anchor > floatingFrom) {
      return this.base;
    }
    if (floatingFrom.getTime() - anchor.getTime() > 60 * DAY_MS) {
      const recent = this.anchored.before(
        new Date(floatingFrom.getTime() - 30 * DAY_MS),
        true,
      );
      if (recent) {
        this.anchored = new RRule({
          ...this.anchored.origOptions,
          dtstart: recent,
        });
      }
    }
    return this.anchored;
  }

  private occurrence(floatingStart: Date): { start: Date; end: Date } {
    const start = fromFloating(floatingStart, this.timeZone);
    return {
      start: start.toJSDate(),
      end: start.plus(this.duration).toJSDate(),
    };
  }

  private floatingOf(instant: Date): Date {
    return toFloating(DateTime.fromJSDate(instant).setZone(this.timeZone));
  }

  /**
   * Occurrences that overlap [from, to). A short range (every "is it on
   * now?" of a page) is answered from one expansion of the hour that starts
   * with it, kept for later look-ups inside that hour: an occurrence that
   * overlaps a range inside the hour overlaps the hour, so filtering the
   * hour's occurrences gives exactly what expanding the range would.
   */
  between(
    from: Date,
    to: Date,
    limit = 500,
  ): Array<{ start: Date; end: Date }> {
    const memo = this.memo;
    if (memo && from.getTime() >= memo.from && to.getTime() <= memo.to) {
      return overlapping(memo.occurrences, from, to, limit);
    }
    if (to.getTime() - from.getTime() <= MEMO_SPAN_MS) {
      const until = new Date(from.getTime() + MEMO_SPAN_MS);
      const occurrences = this.expand(from, until, MEMO_LIMIT);
      // A rule dense enough to reach the cap is expanded each time instead.
      if (occurrences.length < MEMO_LIMIT) {
        this.memo = { from: from.getTime(), to: until.getTime(), occurrences };
        return overlapping(occurrences, from, to, limit);
      }
    }
    return this.expand(from, to, limit);
  }

  private expand(
    from: Date,
    to: Date,
    limit: number,
  ): Array<{ start: Date; end: Date }> {
    const floatingFrom = new Date(
      this.floatingOf(from).getTime() - this.spanMs,
    );
    const floatingTo = new Date(this.floatingOf(to).getTime() + DAY_MS);
    const found: Array<{ start: Date; end: Date }> = [];
    this.ruleFrom(floatingFrom).between(
      floatingFrom,
      floatingTo,
      true,
      date => {
        const occurrence = this.occurrence(date);
        if (occurrence.start < to && occurrence.end > from) {
          found.push(occurrence);
        }
        return found.length < limit;
      },
    );
    return found;
  }

  /** The first occurrence that starts after `instant`. */
  nextAfter(instant: Date): { start: Date; end: Date } | undefined {
    let cursor = new Date(this.floatingOf(instant).getTime() - DAY_MS);
    const rule = this.ruleFrom(cursor);
    const horizon = Date.UTC(
      new Date(instant).getUTCFullYear() + MAX_LOOKAHEAD_YEARS,
      0,
      1,
    );
    for (;;) {
      const next = rule.after(cursor, false);
      if (!next || next.getTime() > horizon) {
        return undefined;
      }
      const occurrence = this.occurrence(next);
      if (occurrence.start > instant) {
        return occurrence;
      }
      cursor = next;
    }
  }
}

function readSchedule(
  value: Record<string, unknown>,
  where: string,
  timeZone: string,
): FreezeSchedule {
  if (value.rrule !== undefined) {
    if (value.end !== undefined) {
      fail(
        where,
        "a recurring window takes a duration, not an end (end a rule with UNTIL or COUNT in 'rrule')",
      );
    }
    if (value.duration === undefined) {
      fail(
        where,
        'a recurring window needs a duration (such as { hours: 64 })',
      );
    }
    const duration = readDuration(value.duration, `${where}.duration`);
    const start =
      value.start === undefined
        ? DateTime.fromObject(DEFAULT_RECURRING_START, { zone: timeZone })
        : readDateTime(value.start, `${where}.start`, timeZone);
    const rule = readRule(value.rrule, `${where}.rrule`);
    const schedule: FreezeSchedule = {
      kind: 'recurring',
      rule,
      start,
      duration,
    };
    // Expanding once here turns a rule that cannot be expanded into a
    // start-up error rather than a refusal at the first promotion.
    let first: { start: Date; end: Date } | undefined;
    try {
      first = new RecurringSchedule(schedule, timeZone).nextAfter(
        new Date(start.toMillis() - 1),
      );
    } catch (error) {
      return fail(`${where}.rrule`, (error as Error).message);
    }
    if (!first) {
      fail(
        `${where}.rrule`,
        `'${rule}' has no occurrence within ${MAX_LOOKAHEAD_YEARS} years of its start`,
      );
    }
    return schedule;
  }
  if (value.start === undefined) {
    return fail(
      where,
      "give 'rrule' and 'duration' (recurring) or 'start' with 'end' or 'duration' (one-off)",
    );
  }
  const start = readDateTime(value.start, `${where}.start`, timeZone);
  if (value.end !== undefined && value.duration !== undefined) {
    fail(where, 'give end or duration, not both');
  }
  let end: DateTime;
  if (value.end !== undefined) {
    end = readDateTime(value.end, `${where}.end`, timeZone);
  } else if (value.duration !== undefined) {
    end = start.plus(readDuration(value.duration, `${where}.duration`));
  } else {
    return fail(where, 'a one-off window needs an end or a duration');
  }
  if (end <= start) {
    fail(`${where}.end`, `must be after the start (${start.toISO()})`);
  }
  return { kind: 'once', start, end };
}

const ALLOWED_FREQUENCIES = [
  Frequency.YEARLY,
  Frequency.MONTHLY,
  Frequency.WEEKLY,
  Frequency.DAILY,
  Frequency.HOURLY,
];

const FIELD_RANGES: Array<[keyof Options, string, number, number]> = [
  ['byhour', 'BYHOUR', 0, 23],
  ['byminute', 'BYMINUTE', 0, 59],
  ['bysecond', 'BYSECOND', 0, 59],
  ['bymonth', 'BYMONTH', 1, 12],
  ['bymonthday', 'BYMONTHDAY', -31, 31],
  ['byyearday', 'BYYEARDAY', -366, 366],
  ['byweekno', 'BYWEEKNO', -53, 53],
  ['bysetpos', 'BYSETPOS', -366, 366],
];

function readRule(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    return fail(
      where,
      'must be an RRULE such as FREQ=WEEKLY;BYDAY=FR;BYHOUR=17',
    );
  }
  const rule = value.trim().replace(/^RRULE:/i, '');
  if (/[\r\n]|DTSTART|TZID/i.test(rule)) {
    fail(
      where,
      "give only the RRULE; the first start goes in 'start' and the zone in 'timeZone'",
    );
  }
  let options: Partial<Options>;
  try {
    options = RRule.parseString(rule);
  } catch (error) {
    return fail(
      where,
      `'${rule}' is not an RRULE (${(error as Error).message})`,
    );
  }
  if (options.freq === undefined || options.freq === null) {
    fail(
      where,
      `'${rule}' needs FREQ (YEARLY, MONTHLY, WEEKLY, DAILY or HOURLY)`,
    );
  }
  if (!ALLOWED_FREQUENCIES.includes(options.freq)) {
    fail(where, `'${rule}': windows recur at most hourly (FREQ=HOURLY)`);
  }
  if (
    options.interval !== undefined &&
    (!Number.isInteger(options.interval) || options.interval < 1)
  ) {
    fail(where, `'${rule}': INTERVAL must be a whole number from 1`);
  }
  for (const [key, label, min, max] of FIELD_RANGES) {
    const field = options[key];
    if (field === undefined || field === null) continue;
    const values = (Array.isArray(field) ? field : [field]) as unknown[];
    for (const v of values) {
      if (
        typeof v !== 'number' ||
        !Number.isInteger(v) ||
        v < min ||
        v > max ||
        (v === 0 && min < 0)
      ) {
        fail(where, `'${rule}': ${label} must be within ${min}..${max}`);
      }
    }
  }
  const weekdays = options.byweekday;
  if (weekdays !== undefined && weekdays !== null) {
    const list = Array.isArray(weekdays) ? weekdays : [weekdays];
    if (list.some(day => day === undefined || day === null)) {
      fail(
        where,
        `'${rule}': BYDAY takes MO, TU, WE, TH, FR, SA, SU (e.g. 1MO)`,
      );
    }
  }
  return rule;
}

const schedules = new WeakMap<FreezeWindow, RecurringSchedule>();

function recurringOf(window: FreezeWindow): RecurringSchedule | undefined {
  if (window.schedule.kind !== 'recurring') {
    return undefined;
  }
  let schedule = schedules.get(window);
  if (!schedule) {
    schedule = new RecurringSchedule(window.schedule, window.timeZone);
    schedules.set(window, schedule);
  }
  return schedule;
}

/** The times a window is on that overlap [from, to), oldest first. */
export function occurrencesBetween(
  window: FreezeWindow,
  from: Date,
  to: Date,
): FreezeOccurrence[] {
  const recurring = recurringOf(window);
  if (recurring) {
    return recurring.between(from, to).map(o => ({ window, ...o }));
  }
  if (window.schedule.kind === 'outside') {
    return window.schedule.times.between(from, to).map(o => ({ window, ...o }));
  }
  const { start, end } = window.schedule as Extract<
    FreezeSchedule,
    { kind: 'once' }
  >;
  const occurrence = { window, start: start.toJSDate(), end: end.toJSDate() };
  return occurrence.start < to && occurrence.end > from ? [occurrence] : [];
}

/** The occurrence of the window that is on at `now` (start ≤ now < end). */
export function activeAt(
  window: FreezeWindow,
  now: Date,
): FreezeOccurrence | undefined {
  const on = occurrencesBetween(window, now, new Date(now.getTime() + 1));
  // Of overlapping occurrences, the one that lasts longest.
  return on.sort((a, b) => b.end.getTime() - a.end.getTime())[0];
}

/** The window's first occurrence that starts after `now`. */
export function nextAfter(
  window: FreezeWindow,
  now: Date,
): FreezeOccurrence | undefined {
  const recurring = recurringOf(window);
  if (recurring) {
    const next = recurring.nextAfter(now);
    return next ? { window, ...next } : undefined;
  }
  if (window.schedule.kind === 'outside') {
    const next = window.schedule.times.nextAfter(now);
    return next ? { window, ...next } : undefined;
  }
  const { start, end } = window.schedule as Extract<
    FreezeSchedule,
    { kind: 'once' }
  >;
  return start.toJSDate() > now
    ? { window, start: start.toJSDate(), end: end.toJSDate() }
    : undefined;
}

/** Whether the window covers the entity (by its scope) and the environment. */
export function appliesTo(
  window: FreezeWindow,
  entity: Entity,
  environment?: string,
): boolean {
  if (
    environment !== undefined &&
    window.environments &&
    !window.environments.includes(environment)
  ) {
    return false;
  }
  const { scope } = window;
  if (scope.kind === 'all') {
    return true;
  }
  const namespace = entity.metadata.namespace ?? 'default';
  let ref: string | undefined;
  try {
    if (scope.kind === 'entity') {
      ref = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
    } else {
      const field = entity.spec?.[scope.kind];
      ref =
        typeof field === 'string' && field.trim() !== ''
          ? normalizeRef(field, SCOPE_DEFAULT_KIND[scope.kind], namespace)
          : undefined;
    }
  } catch {
    ref = undefined;
  }
  return ref !== undefined && scope.refs.includes(ref);
}
