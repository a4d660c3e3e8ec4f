import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  FREEZE_ANNOTATION,
  FreezeWindow,
  activeAt,
  appliesTo,
  nextAfter,
  occurrencesBetween,
  parseFreezeWindow,
  readEntityFreezeWindows,
  readFreezeWindows,
} from './FreezeWindows';

function windowOf(definition: Record<string, unknown>): FreezeWindow {
  return parseFreezeWindow(definition, {
    where: 'deployments.freezes[0]',
    source: 'config',
    allowScope: true,
  });
}

function read(freezes: unknown) {
  return readFreezeWindows(
    mockServices.rootConfig({ data: { deployments: { freezes } } as any }),
  );
}

const at = (iso: string) => new Date(iso);
const iso = (date: Date | undefined) => date?.toISOString();

/** Fri 17:00 to Mon 09:00 in Berlin, every week. */
const weekend = windowOf({
  name: 'weekend',
  environments: ['production'],
  rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17',
  duration: { days: 2, hours: 16 },
  timeZone: 'Europe/Berlin',
  reason: 'Weekend freeze',
});

describe('recurring windows', () => {
  it('is on from Friday 17:00 to Monday 09:00 local time, across the spring DST change', () => {
    // Europe/Berlin moves to summer time on Sunday 29 March 2026.
    const saturday = activeAt(weekend, at('2026-03-28T12:00:00Z'));
    expect(iso(saturday?.start)).toBe('2026-03-27T16:00:00.000Z'); // 17:00 CET
    expect(iso(saturday?.end)).toBe('2026-03-30T07:00:00.000Z'); // 09:00 CEST
    expect(activeAt(weekend, at('2026-03-30T06:59:59Z'))).toBeDefined();
    expect(activeAt(weekend, at('2026-03-30T07:00:00Z'))).toBeUndefined();
  });

  it('keeps the local times across the autumn DST change', () => {
    // Back to winter time on Sunday 25 October 2026.
    const sunday = activeAt(weekend, at('2026-10-25T12:00:00Z'));
    expect(iso(sunday?.start)).toBe('2026-10-23T15:00:00.000Z'); // 17:00 CEST
    expect(iso(sunday?.end)).toBe('2026-10-26T08:00:00.000Z'); // 09:00 CET
  });

  it('is off during the week and names the next start', () => {
    const thursday = at('2026-12-03T12:00:00Z');
    expect(activeAt(weekend, thursday)).toBeUndefined();
    const next = nextAfter(weekend, thursday);
    expect(iso(next?.start)).toBe('2026-12-04T16:00:00.000Z');
    expect(iso(next?.end)).toBe('2026-12-07T08:00:00.000Z');
    // During a window, the next one is the following week's.
    expect(iso(nextAfter(weekend, at('2026-12-05T12:00:00Z'))?.start)).toBe(
      '2026-12-11T16:00:00.000Z',
    );
  });

  it('expands a daily rule at the same local hour on both sides of a DST change', () => {
    const standup = windowOf({
      rrule: 'FREQ=DAILY;BYHOUR=9',
      duration: 'PT30M',
      timeZone: 'America/New_York',
      reason: 'stand-up',
    });
    // New York moves to daylight time on Sunday 8 March 2026.
    const starts = occurrencesBetween(
      standup,
      at('2026-03-07T00:00:00Z'),
      at('2026-03-10T00:00:00Z'),
    ).map(o => iso(o.start));
    expect(starts).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('counts a duration in hours as elapsed time, so it ends an hour later on the clock after spring forward', () => {
    const sixtyFour = windowOf({
      rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17',
      duration: { hours: 64 },
      timeZone: 'Europe/Berlin',
      reason: 'weekend',
    });
    const on = activeAt(sixtyFour, at('2026-03-28T12:00:00Z'));
    // 64 h after 17:00 CET is 10:00 CEST.
    expect(iso(on?.end)).toBe('2026-03-30T08:00:00.000Z');
  });

  it('reads UNTIL in UTC and has no occurrence after it', () => {
    const window = windowOf({
      rrule: 'FREQ=DAILY;BYHOUR=22;UNTIL=20261203T210000Z',
      start: '2026-12-01T22:00',
      duration: { hours: 1 },
      timeZone: 'Europe/Berlin',
      reason: 'maintenance',
    });
    const starts = occurrencesBetween(
      window,
      at('2026-11-30T00:00:00Z'),
      at('2026-12-10T00:00:00Z'),
    ).map(o => iso(o.start));
    expect(starts).toEqual([
      '2026-12-01T21:00:00.000Z',
      '2026-12-02T21:00:00.000Z',
      '2026-12-03T21:00:00.000Z',
    ]);
    expect(nextAfter(window, at('2026-12-03T21:30:00Z'))).toBeUndefined();
  });

  it('counts COUNT from its start', () => {
    const window = windowOf({
      rrule: 'FREQ=WEEKLY;COUNT=2',
      start: '2026-12-01T10:00',
      duration: { hours: 2 },
      timeZone: 'UTC',
      reason: 'two releases',
    });
    expect(iso(nextAfter(window, at('2026-12-02T00:00:00Z'))?.start)).toBe(
      '2026-12-08T10:00:00.000Z',
    );
    expect(nextAfter(window, at('2026-12-09T00:00:00Z'))).toBeUndefined();
  });

  it('keeps an every-other-week rule on its weeks years after its start, asked in any order', () => {
    const window = windowOf({
      rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=8',
      start: '2020-01-06T08:00',
      duration: { hours: 4 },
      timeZone: 'UTC',
      reason: 'fortnightly patching',
    });
    // 2027-01-04 is 365 weeks after 2020-01-06 (odd: off), 2027-01-11 366 (on).
    expect(activeAt(window, at('2027-01-04T09:00:00Z'))).toBeUndefined();
    expect(activeAt(window, at('2027-01-11T09:00:00Z'))).toBeDefined();
    expect(iso(nextAfter(window, at('2027-01-12T00:00:00Z'))?.start)).toBe(
      '2027-01-25T08:00:00.000Z',
    );
    // Asking about the past after the future still answers from the start.
    expect(activeAt(window, at('2020-01-20T09:00:00Z'))).toBeDefined();
    expect(activeAt(window, at('2020-01-13T09:00:00Z'))).toBeUndefined();
  });

  it('answers repeated look-ups within an hour as expanding each one would, at the edges of occurrences too', () => {
    const definitions = [
      // Starts and ends inside the hours asked.
      {
        rrule: 'FREQ=DAILY;BYHOUR=10;BYMINUTE=20',
        start: '2028-02-20T00:00',
        duration: { minutes: 25 },
        timeZone: 'Europe/Berlin',
      },
      // Several occurrences an hour, overlapping each other.
      {
        rrule: 'FREQ=HOURLY;BYMINUTE=0,7,14,21,28,35,42,49,56',
        start: '2028-02-27T00:00',
        duration: { minutes: 10 },
        timeZone: 'UTC',
      },
      // Rare: the demo's leap day.
      {
        rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29',
        duration: { days: 1 },
        timeZone: 'Europe/Berlin',
      },
    ];
    const times: Date[] = [];
    const base = Date.parse('2028-02-28T22:30:00Z');
    // Minutes around a day and a leap day, forwards then back.
    for (let minute = 0; minute < 36 * 60; minute += 53) {
      times.push(new Date(base + minute * 60_000));
    }
    for (let minute = 36 * 60; minute > 0; minute -= 97) {
      times.push(new Date(base + minute * 60_000 + 1_000));
    }
    // Exactly at a start and an end, and a millisecond either side.
    const start = Date.parse('2028-03-01T09:20:00Z');
    for (const edge of [start, start + 25 * 60_000]) {
      times.push(new Date(edge - 1), new Date(edge), new Date(edge + 1));
    }
    const dense = {
      // Denser than one expansion keeps (720 an hour): expanded each time.
      rrule: `FREQ=HOURLY;BYMINUTE=${Array.from(
        { length: 60 },
        (_, m) => m,
      )};BYSECOND=0,5,10,15,20,25,30,35,40,45,50,55`,
      start: '2028-02-28T22:00',
      duration: { seconds: 2 },
      timeZone: 'UTC',
    };
    for (const definition of [...definitions, dense]) {
      const kept = windowOf({ ...definition, reason: 'memo' });
      const asking = definition === dense ? times.slice(0, 1) : times;
      for (const time of asking) {
        const fresh = windowOf({ ...definition, reason: 'memo' });
        const asked = activeAt(kept, time);
        const expected = activeAt(fresh, time);
        expect([definition.rrule, iso(asked?.start), iso(asked?.end)]).toEqual([
          definition.rrule,
          iso(expected?.start),
          iso(expected?.end),
        ]);
        const range = occurrencesBetween(
          kept,
          time,
          new Date(time.getTime() + 20 * 60_000),
        );
        expect(range.map(o => iso(o.start))).toEqual(
          occurrencesBetween(
            fresh,
            time,
            new Date(time.getTime() + 20 * 60_000),
          ).map(o => iso(o.start)),
        );
      }
    }
    // The leap day is on on 29 February 2028 and found from a kept expansion.
    const leap = windowOf({ ...definitions[2], reason: 'memo' });
    expect(activeAt(leap, at('2028-02-29T12:00:00Z'))).toBeDefined();
    expect(activeAt(leap, at('2028-02-29T12:30:00Z'))).toBeDefined();
    expect(activeAt(leap, at('2028-03-01T12:00:00Z'))).toBeUndefined();
    // A timeout of its own: every fresh window expands from scratch (seconds in all).
  }, 30_000);
});

describe('one-off windows', () => {
  const christmas = windowOf({
    name: 'christmas',
    start: '2026-12-24T00:00',
    end: '2026-12-27T00:00',
    timeZone: 'Europe/Berlin',
    reason: 'Christmas',
  });

  it('is on between its local start and end', () => {
    expect(activeAt(christmas, at('2026-12-23T22:59:59Z'))).toBeUndefined();
    const on = activeAt(christmas, at('2026-12-23T23:00:00Z'));
    expect(iso(on?.end)).toBe('2026-12-26T23:00:00.000Z');
    expect(activeAt(christmas, at('2026-12-26T23:00:00Z'))).toBeUndefined();
  });

  it('is next until it starts', () => {
    expect(iso(nextAfter(christmas, at('2026-12-01T00:00:00Z'))?.start)).toBe(
      '2026-12-23T23:00:00.000Z',
    );
    expect(nextAfter(christmas, at('2026-12-24T12:00:00Z'))).toBeUndefined();
  });

  it('takes a duration instead of an end, and an offset instead of local time', () => {
    const window = windowOf({
      start: '2026-12-10T08:00:00Z',
      duration: '2h',
      timeZone: 'Asia/Tokyo',
      reason: 'launch',
    });
    const on = activeAt(window, at('2026-12-10T09:00:00Z'));
    expect(iso(on?.start)).toBe('2026-12-10T08:00:00.000Z');
    expect(iso(on?.end)).toBe('2026-12-10T10:00:00.000Z');
  });
});

describe('which entities and environments a window covers', () => {
  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'finance' },
    spec: { owner: 'team-payments', system: 'payments' },
  };
  const base = {
    start: '2026-12-24T00:00',
    end: '2026-12-27T00:00',
    timeZone: 'UTC',
    reason: 'r',
  };

  it('covers every entity and environment without scope', () => {
    expect(appliesTo(windowOf(base), entity, 'dev')).toBe(true);
  });

  it('covers only its environments', () => {
    const window = windowOf({ ...base, environments: ['production'] });
    expect(appliesTo(window, entity, 'production')).toBe(true);
    expect(appliesTo(window, entity, 'staging')).toBe(false);
  });

  it("matches the entity's system and owner in the entity's namespace", () => {
    expect(
      appliesTo(
        windowOf({ ...base, system: 'system:finance/payments' }),
        entity,
        'dev',
      ),
    ).toBe(true);
    expect(
      appliesTo(windowOf({ ...base, system: 'payments' }), entity, 'dev'),
    ).toBe(false); // system:default/payments is another system
    expect(
      appliesTo(
        windowOf({ ...base, owner: ['group:finance/team-payments'] }),
        entity,
        'dev',
      ),
    ).toBe(true);
    expect(
      appliesTo(
        windowOf({ ...base, owner: 'group:finance/team-docs' }),
        entity,
        'dev',
      ),
    ).toBe(false);
  });

  it('matches an entity by its reference, ignoring case', () => {
    expect(
      appliesTo(
        windowOf({ ...base, entity: 'Component:Finance/Payments-API' }),
        entity,
        'dev',
      ),
    ).toBe(true);
    expect(
      appliesTo(
        windowOf({ ...base, entity: 'component:default/payments-api' }),
        entity,
        'dev',
      ),
    ).toBe(false);
  });
});

describe('config validation', () => {
  const good = {
    name: 'weekend',
    rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17',
    duration: { hours: 64 },
    timeZone: 'Europe/Berlin',
    reason: 'Weekend freeze',
  };

  it('reads no windows when none are configured', () => {
    expect(readFreezeWindows(mockServices.rootConfig({ data: {} }))).toEqual(
      [],
    );
  });

  it.each([
    [
      { ...good, reason: undefined },
      'deployments.freezes[1]: reason is required',
    ],
    [
      { ...good, timeZone: undefined },
      'deployments.freezes[1]: timeZone is required',
    ],
    [
      { ...good, timeZone: 'Europe/Berlinn' },
      "deployments.freezes[1].timeZone: 'Europe/Berlinn' is not an IANA time zone",
    ],
    [
      { ...good, timezone: 'UTC' },
      "deployments.freezes[1]: unknown field 'timezone'",
    ],
    [
      { ...good, rrule: 'FREQ=FORTNIGHTLY' },
      "deployments.freezes[1].rrule: 'FREQ=FORTNIGHTLY' needs FREQ (YEARLY, MONTHLY, WEEKLY, DAILY or HOURLY)",
    ],
    [
      { ...good, rrule: 'FREQ=DAILY;BYHOUR=25' },
      "deployments.freezes[1].rrule: 'FREQ=DAILY;BYHOUR=25': BYHOUR must be within 0..23",
    ],
    [
      { ...good, rrule: 'FREQ=MINUTELY' },
      "deployments.freezes[1].rrule: 'FREQ=MINUTELY': windows recur at most hourly",
    ],
    [
      { ...good, rrule: 'BYDAY=XX;FREQ=WEEKLY' },
      "deployments.freezes[1].rrule: 'BYDAY=XX;FREQ=WEEKLY': BYDAY takes MO",
    ],
    [
      { ...good, rrule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY' },
      "deployments.freezes[1].rrule: give only the RRULE; the first start goes in 'start'",
    ],
    [
      { ...good, rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' },
      "deployments.freezes[1].rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' has no occurrence",
    ],
    [
      { ...good, duration: undefined },
      'deployments.freezes[1]: a recurring window needs a duration',
    ],
    [
      { ...good, duration: { hours: 0 } },
      'deployments.freezes[1].duration: must be longer than zero',
    ],
    [
      { ...good, duration: 'soon' },
      'deployments.freezes[1].duration: must be a duration',
    ],
    [
      { ...good, system: 'payments', owner: 'team-payments' },
      'deployments.freezes[1]: give one of system, owner or entity, not system and owner',
    ],
    [
      { ...good, environments: [] },
      'deployments.freezes[1].environments: must be a non-empty list',
    ],
    [
      {
        ...good,
        rrule: undefined,
        duration: undefined,
        start: '2026-12-24T00:00',
      },
      'deployments.freezes[1]: a one-off window needs an end or a duration',
    ],
    [
      {
        ...good,
        rrule: undefined,
        duration: undefined,
        start: '2026-12-24T00:00',
        end: '2026-12-23T00:00',
      },
      'deployments.freezes[1].end: must be after the start',
    ],
    [
      {
        ...good,
        rrule: undefined,
        duration: undefined,
        start: '24.12.2026',
        end: '2026-12-27T00:00',
      },
      "deployments.freezes[1].start: '24.12.2026' is not an ISO 8601 date-time",
    ],
    [
      { ...good, rrule: undefined, duration: undefined },
      "deployments.freezes[1]: give 'rrule' and 'duration' (recurring) or 'start'",
    ],
    [
      { ...good, name: 'christmas' },
      "deployments.freezes[1]: name 'christmas' is already used by deployments.freezes[0]",
    ],
  ])('fails naming the entry: %j', (entry, message) => {
    const first = {
      name: 'christmas',
      start: '2026-12-24T00:00',
      end: '2026-12-27T00:00',
      timeZone: 'Europe/Berlin',
      reason: 'Christmas',
    };
    expect(() => read([first, entry])).toThrow(message);
  });

  it('refuses a freezes value that is not a list', () => {
    expect(() => read({ weekend: good })).toThrow(
      'deployments.freezes: must be a list of freeze windows',
    );
  });
});

describe('the stagecraft.io/freeze annotation', () => {
  const entityWith = (value: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'x', annotations: { [FREEZE_ANNOTATION]: value } },
  });

  it('declares windows that cover the entity', () => {
    const { windows, problem } = readEntityFreezeWindows(
      entityWith(
        JSON.stringify({
          name: 'launch',
          environments: ['production'],
          start: '2026-12-10T00:00',
          end: '2026-12-12T00:00',
          timeZone: 'Europe/Berlin',
          reason: 'Launch week',
        }),
      ),
    );
    expect(problem).toBeUndefined();
    expect(windows).toEqual([
      expect.objectContaining({
        id: 'launch',
        source: 'annotation',
        scope: { kind: 'entity', refs: ['component:default/x'] },
      }),
    ]);
  });

  it('reports an annotation that is not JSON, naming the entity', () => {
    expect(readEntityFreezeWindows(entityWith('weekends please'))).toEqual({
      windows: [],
      problem: expect.stringMatching(
        /^component:default\/x: stagecraft\.io\/freeze: is not JSON/,
      ),
    });
  });

  it('reports a scope field, which only config takes', () => {
    const { problem } = readEntityFreezeWindows(
      entityWith(
        JSON.stringify([
          {
            system: 'payments',
            start: '2026-12-10T00:00',
            end: '2026-12-12T00:00',
            timeZone: 'UTC',
            reason: 'r',
          },
        ]),
      ),
    );
    expect(problem).toContain(
      "stagecraft.io/freeze[0]: unknown field 'system'",
    );
  });
});
