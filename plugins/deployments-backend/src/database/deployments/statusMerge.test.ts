import { InputError } from '@backstage/errors';
import {
  compareStatuses,
  earliestFinal,
  isNewerStatus,
  latestStatus,
  mergeDuplicateReports,
  validateReport,
} from './statusMerge';
import { at, report, status } from '../__testUtils__/storeTestKit';

describe('status merge rules', () => {
  it('orders statuses by time, and equal times by the lifecycle', () => {
    expect(
      compareStatuses(status('success', 2), status('queued', 1)),
    ).toBeGreaterThan(0);
    expect(
      compareStatuses(status('success', 2), status('in_progress', 2)),
    ).toBeGreaterThan(0);
    expect(compareStatuses(status('queued', 1), status('queued', 1))).toBe(0);
  });

  it('treats any status as newer than none', () => {
    expect(
      isNewerStatus({ state: 'queued', at: 0 }, { state: 'queued', at: null }),
    ).toBe(true);
  });

  it('takes the status with the newest time as the latest, whatever the order', () => {
    const statuses = [
      status('failure', 9),
      status('queued', 0),
      status('in_progress', 1),
    ];
    expect(latestStatus(statuses)).toEqual({
      state: 'failure',
      at: Date.parse(at(9)),
    });
    expect(latestStatus([])).toBeUndefined();
  });

  it('finds the earliest final status, or none', () => {
    expect(
      earliestFinal([
        status('queued', 0),
        status('success', 5),
        status('failure', 3),
      ]),
    ).toBe(Date.parse(at(3)));
    expect(earliestFinal([status('in_progress', 1)])).toBeNull();
  });

  it('merges two reports of one deployment in a call, later fields winning', () => {
    const merged = mergeDuplicateReports(
      [
        report('1', { statuses: [status('queued', 0)], triggeredBy: 'alice' }),
        report('2'),
        report('1', {
          statuses: [status('success', 2)],
          triggeredBy: undefined,
          url: 'https://example.com/other',
        }),
      ],
      'github',
    );
    expect(merged).toHaveLength(2);
    expect(merged[0]).toEqual(
      expect.objectContaining({
        providerDeploymentId: '1',
        triggeredBy: 'alice',
        url: 'https://example.com/other',
        statuses: [status('queued', 0), status('success', 2)],
      }),
    );
  });

  it('refuses a report with an unknown state, a bad time or a bad SHA, naming it', () => {
    expect(() =>
      validateReport(
        report('7', { statuses: [{ state: 'exploded' as any, at: at(1) }] }),
        'github',
      ),
    ).toThrow(
      "Provider 'github' reported unknown state 'exploded' for deployment '7'",
    );
    expect(() =>
      validateReport(report('7', { createdAt: 'yesterday' }), 'github'),
    ).toThrow("Invalid time 'yesterday' for createdAt of deployment '7'");
    expect(() =>
      validateReport(
        report('7', { updatedAt: '-010000-01-01T00:00:00Z' }),
        'github',
      ),
    ).toThrow(InputError);
    expect(() =>
      validateReport(report('7', { version: { sha: 'main' } }), 'github'),
    ).toThrow("invalid commit SHA 'main'");
  });
});
