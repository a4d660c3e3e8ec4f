import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type {
  EnvironmentFreeze,
  FreezeWindowSummary,
  FreezesResponse,
  PolicyCheck,
} from '@stagecraft/plugin-deployments-common';
import { DateTime } from 'luxon';
import {
  FreezeOccurrence,
  FreezeWindow,
  activeAt,
  appliesTo,
  nextAfter,
  occurrencesBetween,
  readEntityFreezeWindows,
  readFreezeWindows,
} from './FreezeWindows';

/** An environment frozen right now. */
export interface FreezeState {
  /** The window on now that names the freeze (the one that lasts longest). */
  occurrence: FreezeOccurrence;
  /**
   * When promotions are allowed again: the end of the window on now, or of
   * a window that follows it without a gap.
   */
  until: Date;
}

/** Whether an environment is frozen, or why that cannot be told. */
export interface FreezeVerdict {
  state?: FreezeState;
  /** The entity's own windows cannot be read: refused until fixed. */
  problem?: string;
}

/** How many adjoining windows make one freeze, at most. */
const MAX_CHAIN = 100;

/**
 * The freeze windows of the deployment portal: those from config
 * (`deployments.freezes`), those an entity declares by annotation, and
 * those a provider's own schedule defines. Pure apart from the clock, which
 * tests fix.
 */
export class FreezeCalendar {
  readonly windows: FreezeWindow[];
  private readonly clock: () => Date;

  /** Reads and validates `deployments.freezes`; throws naming the bad entry. */
  static fromConfig(
    config: { getOptional(key: string): unknown },
    options: { now?: () => Date } = {},
  ): FreezeCalendar {
    return new FreezeCalendar({
      windows: readFreezeWindows(config),
      now: options.now,
    });
  }

  constructor(options: { windows: FreezeWindow[]; now?: () => Date }) {
    this.windows = options.windows;
    this.clock = options.now ?? (() => new Date());
  }

  now(): Date {
    return this.clock();
  }

  /** The windows that cover the entity: config's, then its own. */
  windowsOf(entity?: Entity): { windows: FreezeWindow[]; problem?: string } {
    if (!entity) {
      return { windows: this.windows };
    }
    const own = readEntityFreezeWindows(entity);
    return {
      windows: [
        ...this.windows.filter(window => appliesTo(window, entity)),
        ...own.windows,
      ],
      ...(own.problem ? { problem: own.problem } : {}),
    };
  }

  /** Whether the entity's environment is frozen at `now`. */
  verdict(
    entity: Entity,
    environment: string,
    now: Date = this.now(),
  ): FreezeVerdict {
    const { windows, problem } = this.windowsOf(entity);
    const covering = windows.filter(w => appliesTo(w, entity, environment));
    const state = freezeStateAt(covering, now);
    return {
      ...(state ? { state } : {}),
      ...(problem ? { problem } : {}),
    };
  }

  /** The entity's next window in the environment after `now`. */
  nextFreeze(
    entity: Entity,
    environment: string,
    now: Date = this.now(),
  ): FreezeOccurrence | undefined {
    const covering = this.windowsOf(entity).windows.filter(w =>
      appliesTo(w, entity, environment),
    );
    return earliest(
      covering
        .map(w => nextAfter(w, now))
        .filter((o): o is FreezeOccurrence => !!o),
    );
  }

  /**
   * What `GET /freezes` answers: the windows on now, each window's next
   * time, and (given a range) every time a window is on within it.
   */
  list(options: {
    entity?: Entity;
    now?: Date;
    range?: { from: Date; to: Date };
    /** The entity's provider-defined windows (shown, never enforced here) and what could not be read of them. */
    providerWindows?: { windows: FreezeWindow[]; problems: string[] };
  }): FreezesResponse {
    const now = options.now ?? this.now();
    const own = this.windowsOf(options.entity);
    const windows = [
      ...own.windows,
      ...(options.providerWindows?.windows ?? []),
    ];
    const problems = [
      ...(own.problem ? [own.problem] : []),
      ...(options.providerWindows?.problems ?? []),
    ];
    const active = windows
      .map(w => activeAt(w, now))
      .filter((o): o is FreezeOccurrence => !!o)
      .sort(byStart);
    const next = windows
      .map(w => nextAfter(w, now))
      .filter((o): o is FreezeOccurrence => !!o)
      .sort(byStart);
    const response: FreezesResponse = {
      ...(options.entity
        ? {
            entityRef: stringifyEntityRef(options.entity).toLocaleLowerCase(
              'en-US',
            ),
          }
        : {}),
      now: now.toISOString(),
      active: active.map(summaryOf),
      next: next.map(summaryOf),
      problems,
    };
    if (options.range) {
      const { from, to } = options.range;
      response.occurrences = windows
        .flatMap(w => occurrencesBetween(w, from, to))
        .sort(byStart)
        .map(summaryOf);
    }
    return response;
  }
}

function byStart(a: FreezeOccurrence, b: FreezeOccurrence): number {
  return a.start.getTime() - b.start.getTime();
}

function earliest(
  occurrences: FreezeOccurrence[],
): FreezeOccurrence | undefined {
  return [...occurrences].sort(byStart)[0];
}

/**
 * The freeze on at `now` among the windows, if any: named by the window
 * that lasts longest, ending when no window is on any more.
 */
export function freezeStateAt(
  windows: FreezeWindow[],
  now: Date,
): FreezeState | undefined {
  const on = windows
    .map(w => activeAt(w, now))
    .filter((o): o is FreezeOccurrence => !!o)
    .sort((a, b) => b.end.getTime() - a.end.getTime());
  if (on.length === 0) {
    return undefined;
  }
  let until = on[0].end;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const at = until;
    const adjoining = windows
      .map(w => activeAt(w, at))
      .filter((o): o is FreezeOccurrence => !!o);
    const later = Math.max(...adjoining.map(o => o.end.getTime()), 0);
    if (later <= until.getTime()) {
      break;
    }
    until = new Date(later);
  }
  return { occurrence: on[0], until };
}

/** A time in the window's zone as people read it: `Mon 7 Dec 2026 09:00 Europe/Berlin`. */
export function formatInZone(instant: Date, timeZone: string): string {
  return `${DateTime.fromJSDate(instant)
    .setZone(timeZone)
    .setLocale('en-GB')
    .toFormat('ccc d LLL yyyy HH:mm')} ${timeZone}`;
}

/** A window's occurrence as the API shows it. */
export function summaryOf(occurrence: FreezeOccurrence): FreezeWindowSummary {
  const { window } = occurrence;
  return {
    id: window.id,
    name: window.name,
    reason: window.reason,
    source: window.source,
    timeZone: window.timeZone,
    ...(window.environments ? { environments: window.environments } : {}),
    scope: window.scope,
    schedule: scheduleSummary(window.schedule),
    start: occurrence.start.toISOString(),
    end: occurrence.end.toISOString(),
  };
}

function scheduleSummary(
  schedule: FreezeWindow['schedule'],
): FreezeWindowSummary['schedule'] {
  switch (schedule.kind) {
    case 'recurring':
      return {
        kind: 'recurring',
        rrule: schedule.rule,
        duration: schedule.duration.toISO() ?? '',
      };
    case 'outside':
      return {
        kind: 'outside-window',
        cron: schedule.cron,
        allowed: schedule.description,
      };
    default:
      return { kind: 'once' };
  }
}

/** The lane's view of a freeze: what it is, since when and until when. */
export function environmentFreezeOf(state: FreezeState): EnvironmentFreeze {
  const { window } = state.occurrence;
  return {
    name: window.name,
    reason: window.reason,
    timeZone: window.timeZone,
    since: state.occurrence.start.toISOString(),
    until: state.until.toISOString(),
  };
}

/** An override of the freeze, as asked for and as permitted. */
export interface FreezeOverride {
  reason: string;
  /** Who overrides (a Backstage user entity ref). */
  actor: string;
  permitted: boolean;
}

/**
 * The `freeze` rule's verdict on a promotion, roll back or approval into an
 * environment: refused during a window (the message says until when and
 * why), unless the caller holds `deployments.override` and gives a reason.
 */
export function freezeCheck(options: {
  environment: string;
  verdict: FreezeVerdict;
  override?: FreezeOverride;
  /** The next window, named when the environment is not frozen. */
  next?: FreezeOccurrence;
}): PolicyCheck {
  const { environment, verdict, override, next } = options;
  let frozen: string;
  if (verdict.problem) {
    frozen = `${environment} may be frozen: ${verdict.problem}; promotions are refused until the annotation is fixed`;
  } else if (verdict.state) {
    const { occurrence, until } = verdict.state;
    const { window } = occurrence;
    frozen = `${environment} is frozen until ${formatInZone(
      until,
      window.timeZone,
    )} (${window.name}: ${window.reason})`;
  } else {
    return {
      rule: 'freeze',
      passed: true,
      message: next
        ? `${environment} is not frozen; the next window (${
            next.window.name
          }) starts ${formatInZone(next.start, next.window.timeZone)}`
        : `${environment} is not frozen`,
    };
  }
  if (override?.permitted) {
    return {
      rule: 'freeze',
      passed: true,
      message: `${frozen}; overridden by ${override.actor}: ${override.reason}`,
    };
  }
  return {
    rule: 'freeze',
    passed: false,
    message: override
      ? `${frozen}; overriding it needs the deployments.override permission`
      : `${frozen}; an incident fix can pass with deployments.override and an overrideReason`,
  };
}

/** The audit log's note of a permitted freeze override. */
export function freezeOverrideNote(
  verdict: FreezeVerdict,
  override: FreezeOverride | undefined,
): string | undefined {
  if (!override?.permitted || (!verdict.state && !verdict.problem)) {
    return undefined;
  }
  const what = verdict.state
    ? `${
        verdict.state.occurrence.window.name
      } until ${verdict.state.until.toISOString()}`
    : 'unreadable freeze annotation';
  return `freeze overridden: ${override.reason} (${what})`;
}

/**
 * The freeze rule for one action, gathering what it needs: the verdict at
 * the calendar's now and, only when the environment is frozen and the
 * caller gives a reason, whether the caller may override.
 */
export async function evaluateFreeze(options: {
  calendar?: FreezeCalendar;
  entity: Entity;
  environment: string;
  actor: string;
  overrideReason?: string;
  mayOverride: () => Promise<boolean>;
}): Promise<{ check: PolicyCheck; note?: string }> {
  const { calendar, entity, environment, actor, overrideReason } = options;
  if (!calendar) {
    return {
      check: {
        rule: 'freeze',
        passed: true,
        message: `${environment} is not frozen`,
      },
    };
  }
  const now = calendar.now();
  const verdict = calendar.verdict(entity, environment, now);
  const frozen = !!verdict.state || !!verdict.problem;
  const override =
    frozen && overrideReason
      ? {
          reason: overrideReason,
          actor,
          permitted: await options.mayOverride(),
        }
      : undefined;
  const next = frozen
    ? undefined
    : calendar.nextFreeze(entity, environment, now);
  return {
    check: freezeCheck({ environment, verdict, override, next }),
    note: freezeOverrideNote(verdict, override),
  };
}
