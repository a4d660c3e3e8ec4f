import { screen, within } from '@testing-library/react';
import type {
  FreezeWindowSummary,
  TimelineResponse,
} from '@stagecraft/plugin-deployments-common';
import {
  aTimelineRow,
  ENTITY_REF,
  fakeDeploymentsApi,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { PromotionTimeline } from './PromotionTimeline';
import { freezeMarkerText } from './FreezeMarkers';

const ENVIRONMENTS = ['dev', 'staging', 'production'];
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) =>
  new Date(Date.now() - days * DAY).toISOString();

const row = (sha: string, tag: string, firstSeenDaysAgo: number) => ({
  ...aTimelineRow(sha, tag, {
    production: {
      deploymentId: `github:${tag}`,
      state: 'success' as const,
      startedAt: daysAgo(firstSeenDaysAgo),
      attempts: 1,
    },
  }),
  firstSeenAt: daysAgo(firstSeenDaysAgo),
});

const page: TimelineResponse = {
  entityRef: ENTITY_REF,
  environments: ENVIRONMENTS,
  rows: [row('a1', 'v3', 1), row('b2', 'v2', 5), row('c3', 'v1', 10)],
};

const weekend: FreezeWindowSummary = {
  id: 'weekend',
  name: 'weekend',
  reason: 'Weekend freeze',
  source: 'config',
  timeZone: 'UTC',
  environments: ['production'],
  scope: { kind: 'all' },
  schedule: { kind: 'recurring', rrule: 'FREQ=WEEKLY', duration: 'PT64H' },
  start: '2026-11-27T17:00:00.000Z',
  end: '2026-11-30T09:00:00.000Z',
};

function freezesAround(
  occurrences: FreezeWindowSummary[],
  asked: Array<Record<string, string | undefined>>,
) {
  return async (query: Record<string, string | undefined>) => {
    asked.push(query);
    return {
      now: new Date().toISOString(),
      active: [],
      next: [],
      problems: [],
      occurrences,
    };
  };
}

describe('PromotionTimeline freeze markers', () => {
  it('marks a freeze window between the versions deployed before and after it, naming why and when', async () => {
    const asked: Array<Record<string, string | undefined>> = [];
    const between = { ...weekend, start: daysAgo(4), end: daysAgo(3) };
    const api = fakeDeploymentsApi({
      getTimeline: async () => page,
      getFreezes: freezesAround([between], asked),
    });
    await renderWithFakes(
      <PromotionTimeline entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
      api,
    );

    expect(
      await screen.findByText('v3', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    const marker = await screen.findByRole(
      'row',
      { name: 'Freeze window' },
      { timeout: 5000 },
    );
    expect(marker).toHaveTextContent(
      /^Frozen: Weekend freeze \(.+ – .+ UTC\) · production$/,
    );
    // Between v3 (after the window) and v2 (before it).
    const rows = screen.getAllByRole('row').slice(1);
    expect(
      rows.map(
        r =>
          r.getAttribute('aria-label') ??
          within(r).getAllByRole('rowheader')[0].textContent,
      ),
    ).toEqual([
      expect.stringContaining('v3'),
      'Freeze window',
      expect.stringContaining('v2'),
      expect.stringContaining('v1'),
    ]);
    // Asked for the rows' span: from the oldest version's first deployment until now.
    expect(asked).toEqual([
      {
        entity: ENTITY_REF,
        from: page.rows[2].firstSeenAt,
        to: expect.any(String),
      },
    ]);
  });

  it("marks the time outside a provider's deployment window as the provider holding deploys", async () => {
    const held: FreezeWindowSummary = {
      ...weekend,
      id: 'aws:pipeline:production:Deploy-Prod/ProdWindow',
      name: 'CodePipeline deployment window',
      reason:
        'deploys into production allowed only Mon–Fri 09:00–17:00 Europe/Berlin (CodePipeline)',
      source: 'aws',
      timeZone: 'Europe/Berlin',
      schedule: {
        kind: 'outside-window',
        cron: '* * 9-16 ? * MON-FRI',
        allowed: 'Mon–Fri 09:00–17:00 Europe/Berlin',
      },
      start: daysAgo(8),
      end: daysAgo(7),
    };
    const api = fakeDeploymentsApi({
      getTimeline: async () => page,
      getFreezes: freezesAround([held], []),
    });
    await renderWithFakes(
      <PromotionTimeline entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
      api,
    );
    expect(
      await screen.findByText('v3', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    const marker = await screen.findByRole(
      'row',
      { name: 'Freeze window' },
      { timeout: 5000 },
    );
    expect(marker).toHaveTextContent(
      /^Deploys held outside the CodePipeline deployment window \(Mon–Fri 09:00–17:00 Europe\/Berlin\): .+ – .+ Europe\/Berlin · production$/,
    );
  });

  it('names the times of a window in the time zone it is defined in', () => {
    // 17:00 UTC is 18:00 in Berlin in winter; a browser elsewhere reads the same.
    expect(
      freezeMarkerText({
        ...weekend,
        timeZone: 'Europe/Berlin',
        start: '2026-11-27T17:00:00.000Z',
        end: '2026-11-30T08:00:00.000Z',
      }),
    ).toBe(
      'Frozen: Weekend freeze (Fri 27 Nov, 18:00 – Mon 30 Nov, 09:00 Europe/Berlin) · production',
    );
    expect(
      freezeMarkerText({
        ...weekend,
        name: 'CodePipeline deployment window',
        source: 'aws',
        timeZone: 'Europe/Berlin',
        environments: undefined,
        schedule: {
          kind: 'outside-window',
          cron: '* * 8-17 ? * MON-FRI',
          allowed: 'Mon–Fri 08:00–18:00 Europe/Berlin',
        },
        start: '2026-12-01T17:00:00.000Z',
        end: '2026-12-02T07:00:00.000Z',
      }),
    ).toBe(
      'Deploys held outside the CodePipeline deployment window (Mon–Fri 08:00–18:00 Europe/Berlin): Tue 1 Dec, 18:00 – Wed 2 Dec, 08:00 Europe/Berlin',
    );
  });

  it('shows no marker for a window older than the oldest version, or when freezes cannot be listed', async () => {
    const older = { ...weekend, start: daysAgo(30), end: daysAgo(29) };
    const api = fakeDeploymentsApi({
      getTimeline: async () => page,
      getFreezes: freezesAround([older], []),
    });
    await renderWithFakes(
      <PromotionTimeline entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
      api,
    );
    expect(
      await screen.findByText('v3', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('row', { name: 'Freeze window' })).toBeNull();

    const failing = fakeDeploymentsApi({
      getTimeline: async () => page,
      getFreezes: async () => {
        throw new Error('503');
      },
    });
    await renderWithFakes(
      <PromotionTimeline entityRef={ENTITY_REF} environments={ENVIRONMENTS} />,
      failing,
    );
    expect(
      (await screen.findAllByText('v3', undefined, { timeout: 5000 })).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('row', { name: 'Freeze window' })).toBeNull();
  });
});
