import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { FreezeCalendar, evaluateFreeze } from './FreezeCalendar';
import { FREEZE_ANNOTATION } from './FreezeWindows';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'team-payments', system: 'payments' },
};

function calendar(freezes: unknown[], now: string) {
  return FreezeCalendar.fromConfig(
    mockServices.rootConfig({ data: { deployments: { freezes } } as any }),
    { now: () => new Date(now) },
  );
}

const weekend = {
  name: 'weekend',
  environments: ['production'],
  rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17',
  duration: { days: 2, hours: 16 },
  timeZone: 'Europe/Berlin',
  reason: 'Weekend freeze',
};

/** Saturday 5 December 2026, noon in Berlin. */
const SATURDAY = '2026-12-05T11:00:00Z';
/** Thursday 3 December 2026. */
const THURSDAY = '2026-12-03T12:00:00Z';

describe('FreezeCalendar', () => {
  it('freezes only the environments of the window', () => {
    const freezes = calendar([weekend], SATURDAY);
    expect(
      freezes.verdict(entity, 'production').state?.until.toISOString(),
    ).toBe('2026-12-07T08:00:00.000Z');
    expect(freezes.verdict(entity, 'staging').state).toBeUndefined();
  });

  it('ends a freeze when no window is on any more, over windows that follow without a gap', () => {
    const freezes = calendar(
      [
        weekend,
        {
          name: 'monday-release-train',
          environments: ['production'],
          start: '2026-12-07T09:00',
          end: '2026-12-07T12:00',
          timeZone: 'Europe/Berlin',
          reason: 'Release train',
        },
      ],
      SATURDAY,
    );
    const { state } = freezes.verdict(entity, 'production');
    expect(state?.occurrence.window.name).toBe('weekend');
    expect(state?.until.toISOString()).toBe('2026-12-07T11:00:00.000Z');
  });

  it("adds the entity's own windows to config's that cover it", () => {
    const freezes = calendar(
      [{ ...weekend, name: 'other-system', system: 'billing' }],
      THURSDAY,
    );
    const annotated: Entity = {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: {
          [FREEZE_ANNOTATION]: JSON.stringify({
            name: 'launch',
            start: '2026-12-01T00:00',
            end: '2026-12-10T00:00',
            timeZone: 'UTC',
            reason: 'Launch week',
          }),
        },
      },
    };
    expect(freezes.windowsOf(annotated).windows.map(w => w.name)).toEqual([
      'launch',
    ]);
    expect(
      freezes.verdict(annotated, 'dev').state?.occurrence.window.name,
    ).toBe('launch');
  });

  it('lists the windows on now and each next time, and those within a range', () => {
    const freezes = calendar(
      [
        weekend,
        {
          name: 'christmas',
          start: '2026-12-24T00:00',
          end: '2026-12-27T00:00',
          timeZone: 'Europe/Berlin',
          reason: 'Christmas',
        },
      ],
      SATURDAY,
    );
    const listed = freezes.list({
      entity,
      range: {
        from: new Date('2026-12-01T00:00:00Z'),
        to: new Date('2026-12-15T00:00:00Z'),
      },
    });
    expect(listed.entityRef).toBe('component:default/payments-api');
    expect(listed.active.map(w => [w.name, w.end])).toEqual([
      ['weekend', '2026-12-07T08:00:00.000Z'],
    ]);
    expect(listed.next.map(w => [w.name, w.start])).toEqual([
      ['weekend', '2026-12-11T16:00:00.000Z'],
      ['christmas', '2026-12-23T23:00:00.000Z'],
    ]);
    expect(listed.occurrences?.map(w => w.start)).toEqual([
      '2026-12-04T16:00:00.000Z',
      '2026-12-11T16:00:00.000Z',
    ]);
    expect(listed.active[0].schedule).toEqual({
      kind: 'recurring',
      rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17',
      duration: 'P2DT16H',
    });
  });
});

describe('the freeze rule', () => {
  const ALICE = 'user:default/alice';

  it('refuses during a window, saying until when and why', async () => {
    const mayOverride = jest.fn(async () => true);
    const { check, note } = await evaluateFreeze({
      calendar: calendar([weekend], SATURDAY),
      entity,
      environment: 'production',
      actor: ALICE,
      mayOverride,
    });
    expect(check).toEqual({
      rule: 'freeze',
      passed: false,
      message:
        'production is frozen until Mon 7 Dec 2026 09:00 Europe/Berlin (weekend: Weekend freeze); an incident fix can pass with deployments.override and an overrideReason',
    });
    expect(note).toBeUndefined();
    // No reason given: nobody asked to override, so nothing is asked of the permission policy.
    expect(mayOverride).not.toHaveBeenCalled();
  });

  it('lets a permitted override through, with a note for the audit log', async () => {
    const { check, note } = await evaluateFreeze({
      calendar: calendar([weekend], SATURDAY),
      entity,
      environment: 'production',
      actor: ALICE,
      overrideReason: 'INC-42 hotfix',
      mayOverride: async () => true,
    });
    expect(check.passed).toBe(true);
    expect(check.message).toMatch(
      /; overridden by user:default\/alice: INC-42 hotfix$/,
    );
    expect(note).toBe(
      'freeze overridden: INC-42 hotfix (weekend until 2026-12-07T08:00:00.000Z)',
    );
  });

  it('refuses an override without the permission, naming it', async () => {
    const { check, note } = await evaluateFreeze({
      calendar: calendar([weekend], SATURDAY),
      entity,
      environment: 'production',
      actor: ALICE,
      overrideReason: 'trust me',
      mayOverride: async () => false,
    });
    expect(check.passed).toBe(false);
    expect(check.message).toMatch(
      /; overriding it needs the deployments\.override permission$/,
    );
    expect(note).toBeUndefined();
  });

  it('passes outside a window, naming the next one, and ignores an override there', async () => {
    const mayOverride = jest.fn(async () => true);
    const { check, note } = await evaluateFreeze({
      calendar: calendar([weekend], THURSDAY),
      entity,
      environment: 'production',
      actor: ALICE,
      overrideReason: 'just in case',
      mayOverride,
    });
    expect(check).toEqual({
      rule: 'freeze',
      passed: true,
      message:
        'production is not frozen; the next window (weekend) starts Fri 4 Dec 2026 17:00 Europe/Berlin',
    });
    expect(note).toBeUndefined();
    expect(mayOverride).not.toHaveBeenCalled();
  });

  it('refuses while the entity’s freeze annotation cannot be read', async () => {
    const { check } = await evaluateFreeze({
      calendar: calendar([], THURSDAY),
      entity: {
        ...entity,
        metadata: {
          ...entity.metadata,
          annotations: { [FREEZE_ANNOTATION]: '{"name": ' },
        },
      },
      environment: 'dev',
      actor: ALICE,
      mayOverride: async () => true,
    });
    expect(check.passed).toBe(false);
    expect(check.message).toMatch(
      /^dev may be frozen: component:default\/payments-api: stagecraft\.io\/freeze: is not JSON/,
    );
  });
});
