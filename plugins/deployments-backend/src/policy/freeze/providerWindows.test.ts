import { FreezeCalendar } from './FreezeCalendar';
import {
  CronExpressionError,
  describeCron,
  environmentDeploymentWindows,
  parseQuartzCron,
  providerFreezeWindows,
} from './providerWindows';
import type { ProviderWindow } from '../../database/DeploymentStore';

const ENTITY = 'component:default/payments-api';

const stored = (cron: string, timeZone = 'Europe/Berlin'): ProviderWindow => ({
  provider: 'aws',
  targetKey: 'pipeline',
  environment: 'production',
  id: 'Deploy-Prod/ProdWindow',
  kind: 'allow',
  cron,
  timeZone,
  label: 'CodePipeline',
});

describe('provider deployment windows', () => {
  it.each([
    ['* * 9-16 ? * MON-FRI', 'Mon–Fri 09:00–17:00'],
    ['* 0-29 9 ? * 2,4,6', 'Mon, Wed, Fri 09:00–09:30'],
    ['* * 22-23,0-5 ? * FRI-MON', 'Mon, Fri–Sun 00:00–06:00, 22:00–24:00'],
    ['* * * 1,15 * ?', 'day 1, 15 of the month all day'],
    ['* * 8-17 ? DEC MON-FRI 2027', 'Mon–Fri in Dec in 2027 08:00–18:00'],
    ['0 */15 * * * ?', 'daily 96 times a day'],
  ])('reads %s as %s', (cron, description) => {
    expect(describeCron(parseQuartzCron(cron))).toBe(description);
  });

  it.each([
    ['* * 9-17 ? *', /has 5 fields/],
    ['* * 9-17 L * ?', /L, W and # are not supported/],
    ['* * 9-17 ? * 6#3', /L, W and # are not supported/],
    ['* * 25 ? * MON', /25 is not within 0-23/],
    ['* ? 9 ? * MON', /'\?' is for day-of-month or day-of-week only/],
    ['* * 9 ? * FUNDAY', /'FUNDAY' is not a value/],
  ])('refuses %s', (cron, message) => {
    expect(() => parseQuartzCron(cron)).toThrow(CronExpressionError);
    expect(() => parseQuartzCron(cron)).toThrow(message);
  });

  it('is frozen from the window’s close until it opens again, in the window’s zone and across a DST change', () => {
    // 27 March 2026 is a Friday; Berlin moves to summer time on Sunday the 29th.
    const { windows } = providerFreezeWindows(ENTITY, [
      stored('* * 9-16 ? * MON-FRI'),
    ]);
    const calendar = new FreezeCalendar({ windows: [] });
    const listed = calendar.list({
      now: new Date('2026-03-28T12:00:00Z'),
      providerWindows: { windows, problems: [] },
      range: {
        from: new Date('2026-03-27T12:00:00Z'),
        to: new Date('2026-03-31T00:00:00Z'),
      },
    });
    // Friday 17:00 CET (16:00Z) to Monday 09:00 CEST (07:00Z).
    expect(listed.active.map(o => [o.start, o.end])).toEqual([
      ['2026-03-27T16:00:00.000Z', '2026-03-30T07:00:00.000Z'],
    ]);
    expect(listed.next.map(o => o.start)).toEqual(['2026-03-30T15:00:00.000Z']);
    expect(listed.occurrences?.map(o => o.end)).toEqual([
      '2026-03-30T07:00:00.000Z',
      '2026-03-31T07:00:00.000Z',
    ]);
  });

  it('tells the lane whether deploys may enter and until when', () => {
    const lane = (now: string) =>
      environmentDeploymentWindows({
        entityRef: ENTITY,
        stored: [stored('* * 9-16 ? * MON-FRI')],
        environment: 'production',
        now: new Date(now),
      });
    expect(lane('2026-03-28T12:00:00Z')).toEqual([
      {
        provider: 'aws',
        label: 'CodePipeline',
        allowed: 'Mon–Fri 09:00–17:00 Europe/Berlin',
        timeZone: 'Europe/Berlin',
        open: false,
        until: '2026-03-30T07:00:00.000Z',
      },
    ]);
    expect(lane('2026-03-30T10:00:00Z')[0]).toMatchObject({
      open: true,
      until: '2026-03-30T15:00:00.000Z',
    });
    expect(
      environmentDeploymentWindows({
        entityRef: ENTITY,
        stored: [stored('* * 9-16 ? * MON-FRI')],
        environment: 'staging',
        now: new Date('2026-03-30T10:00:00Z'),
      }),
    ).toEqual([]);
  });
});
