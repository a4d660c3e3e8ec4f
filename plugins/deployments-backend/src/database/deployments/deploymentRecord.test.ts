import { differences, mergeReport, recordFromReport } from './deploymentRecord';
import { ENTITY, at, report, sha, status } from '../__testUtils__/storeTestKit';

const millis = (minute: number) => Date.parse(at(minute));

describe('deployment records', () => {
  it('describes a report on its own: latest state, earliest final time, lower-case SHA', () => {
    const record = recordFromReport(
      report('1', {
        version: { sha: sha(10).toUpperCase() },
        statuses: [status('failure', 3), status('queued', 0)],
        strategy: { type: 'canary', trafficPercent: 10 },
      }),
      ENTITY,
      'github',
    );
    expect(record).toEqual(
      expect.objectContaining({
        sha: sha(10),
        state: 'failure',
        state_at: millis(3),
        finished_at: millis(3),
        strategy: 'canary',
        traffic_percent: 10,
      }),
    );
  });

  it('records a report without statuses as queued and unfinished', () => {
    const record = recordFromReport(
      report('1', { statuses: [] }),
      ENTITY,
      'github',
    );
    expect(record.state).toBe('queued');
    expect(record.state_at).toBeNull();
    expect(record.finished_at).toBeNull();
  });

  it('gives one result whatever order reports are merged in', () => {
    const early = report('1', {
      statuses: [status('queued', 0), status('in_progress', 1)],
      updatedAt: at(1),
    });
    const late = report('1', {
      statuses: [status('success', 4)],
      updatedAt: at(4),
      triggeredBy: undefined,
    });
    const base = (r: typeof early) => recordFromReport(r, ENTITY, 'github');
    const oneWay = mergeReport(base(early), late);
    const otherWay = mergeReport(base(late), early);
    expect(oneWay).toEqual(otherWay);
    expect(oneWay.state).toBe('success');
    expect(oneWay.created_at).toBe(millis(0));
    expect(oneWay.updated_at).toBe(millis(4));
    expect(oneWay.triggered_by).toBe('alice');
  });

  it('keeps the link to the run whichever report comes first: a report without a log never replaces it', () => {
    // GitHub's `deployment` event: no status yet, so a link to the
    // environment's deployments page; its `deployment_status` event names the job.
    const created = report('1', {
      statuses: [status('queued', 0)],
      url: 'https://github.com/acme/payments/deployments/dev',
      urlLabel: 'deployments',
    });
    const job = 'https://github.com/acme/payments/actions/runs/7/job/9';
    const withStatus = report('1', {
      statuses: [{ state: 'success', at: at(2), logUrl: job }],
      url: job,
      urlLabel: 'workflow job',
      logUrl: job,
    });
    const base = (r: typeof created) => recordFromReport(r, ENTITY, 'github');
    const inOrder = mergeReport(base(created), withStatus);
    const reordered = mergeReport(base(withStatus), created);
    expect(reordered).toEqual(inOrder);
    expect(inOrder).toMatchObject({
      url: job,
      url_label: 'workflow job',
      log_url: job,
    });
  });

  it('finds no differences when the same report is merged again', () => {
    const first = recordFromReport(report('1'), ENTITY, 'github');
    expect(differences(first, mergeReport(first, report('1')))).toBeUndefined();
  });

  it('lists only the columns that changed', () => {
    const first = recordFromReport(report('1'), ENTITY, 'github');
    const merged = mergeReport(
      first,
      report('1', { description: 'canary passed' }),
    );
    expect(differences(first, merged)).toEqual({
      description: 'canary passed',
    });
  });

  it('moves traffic, step and checks only with a report at least as new', () => {
    const at10 = recordFromReport(
      report('1', {
        updatedAt: at(10),
        strategy: { type: 'canary', trafficPercent: 100, currentStep: 1 },
        checks: [{ name: 'smoke', state: 'passing' }],
      }),
      ENTITY,
      'aws',
    );
    const late = report('1', {
      updatedAt: at(5),
      strategy: {
        type: 'canary',
        trafficPercent: 10,
        currentStep: 0,
        name: 'Canary10',
      },
      checks: [{ name: 'smoke', state: 'pending' }],
    });
    const merged = mergeReport(at10, late);
    expect(merged.traffic_percent).toBe(100);
    expect(merged.strategy_current_step).toBe(1);
    expect(merged.checks).toBe(at10.checks);
    // What the stored record lacked still fills in.
    expect(merged.strategy_name).toBe('Canary10');
    expect(merged.updated_at).toBe(millis(10));
  });
});
