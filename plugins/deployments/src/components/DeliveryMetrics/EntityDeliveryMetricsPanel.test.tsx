import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createTheme, getContrastRatio } from '@material-ui/core/styles';
import type {
  DeliveryFigures,
  EntityMetricsResponse,
  MetricsDeployment,
} from '@stagecraft/plugin-deployments-common';
import { ENTITY_REF, fakeDeploymentsApi } from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { EntityDeliveryMetricsPanel } from './EntityDeliveryMetricsPanel';

const HOUR = 3600;

function deployment(
  n: number,
  outcome: MetricsDeployment['outcome'],
  extra: Partial<MetricsDeployment> = {},
): MetricsDeployment {
  return {
    id: `github:${n}`,
    entityRef: ENTITY_REF,
    environment: 'production',
    version: { sha: String(n).repeat(40).slice(0, 40), tag: `v1.${n}.0` },
    state: outcome === 'failed' ? 'failure' : 'success',
    outcome,
    createdAt: `2026-11-0${Math.min(n, 9)}T10:00:00.000Z`,
    url: `https://github.com/acme/payments-api/actions/runs/${n}`,
    urlLabel: `run #${n}`,
    ...extra,
  };
}

const none: DeliveryFigures = {
  deployments: { count: 0, perDay: 0, perWeek: 0, deploymentIds: [] },
  leadTime: { count: 0, deploymentIds: [] },
  changeFailureRate: {
    failures: 0,
    changes: 0,
    deploymentIds: [],
    changeIds: [],
  },
  timeToRestore: { count: 0, unrestored: 0, deploymentIds: [] },
};

/** Five changes in the period: 2, 4 and 6 succeeded, 3 and 5 failed (3 restored in 3 h, 5 not yet); one in the period before. */
function response(): EntityMetricsResponse {
  const current: DeliveryFigures = {
    deployments: {
      count: 3,
      perDay: 0.03,
      perWeek: 0.23,
      deploymentIds: ['github:2', 'github:4', 'github:6'],
    },
    leadTime: {
      count: 3,
      medianSeconds: 6 * HOUR,
      p90Seconds: 21 * HOUR,
      deploymentIds: ['github:2', 'github:4', 'github:6'],
    },
    changeFailureRate: {
      rate: 0.4,
      failures: 2,
      changes: 5,
      deploymentIds: ['github:3', 'github:5'],
      changeIds: ['github:2', 'github:3', 'github:4', 'github:5', 'github:6'],
    },
    timeToRestore: {
      count: 1,
      unrestored: 1,
      medianSeconds: 3 * HOUR,
      deploymentIds: ['github:3', 'github:5'],
    },
  };
  return {
    entityRef: ENTITY_REF,
    environment: 'production',
    from: '2026-09-03T00:00:00.000Z',
    to: '2026-12-02T00:00:00.000Z',
    figures: current,
    previous: {
      from: '2026-06-05T00:00:00.000Z',
      to: '2026-09-03T00:00:00.000Z',
      figures: {
        ...none,
        deployments: {
          count: 1,
          perDay: 0.01,
          perWeek: 0.08,
          deploymentIds: ['github:1'],
        },
        leadTime: {
          count: 1,
          medianSeconds: 12 * HOUR,
          p90Seconds: 12 * HOUR,
          deploymentIds: ['github:1'],
        },
        changeFailureRate: {
          rate: 0,
          failures: 0,
          changes: 1,
          deploymentIds: [],
          changeIds: ['github:1'],
        },
      },
    },
    weeks: [
      {
        from: '2026-09-03T00:00:00.000Z',
        to: '2026-09-10T00:00:00.000Z',
        figures: current,
      },
    ],
    deployments: [
      deployment(1, 'success', { leadTimeSeconds: 12 * HOUR }),
      deployment(2, 'success', { leadTimeSeconds: 6 * HOUR }),
      deployment(3, 'failed', {
        restoreSeconds: 3 * HOUR,
        restoredBy: 'github:4',
      }),
      deployment(4, 'success', { leadTimeSeconds: 3 * HOUR }),
      deployment(5, 'failed'),
      deployment(6, 'success', { leadTimeSeconds: 21 * HOUR }),
    ],
    rules: {
      hotfixWindowSeconds: 24 * HOUR,
      hotfixPattern: '^\\s*(hotfix|revert)\\b',
    },
  };
}

// jsdom has no ResizeObserver, which the charts' ResponsiveContainer needs
// (it then draws at zero size: the tests read the tiles, tables and dialog).
beforeAll(() => {
  (globalThis as any).ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

describe('EntityDeliveryMetricsPanel', () => {
  it('shows the four figures of the last 90 days with their trend against the 90 before', async () => {
    const getMetrics = jest.fn().mockResolvedValue(response());
    await renderWithFakes(
      <EntityDeliveryMetricsPanel />,
      fakeDeploymentsApi({ getMetrics }),
    );
    expect(
      await screen.findByRole('button', {
        name: 'Deployment frequency: 0.23 / week, list the 3 deployments',
      }),
    ).toBeInTheDocument();
    expect(getMetrics).toHaveBeenCalledWith(ENTITY_REF, { period: '90d' });
    expect(
      screen.getByRole('button', {
        name: 'Lead time for changes: 6 h, list the 3 deployments',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: 'Change failure rate: 40 %, list the 2 deployments',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: 'Time to restore: 3 h, list the 2 deployments',
      }),
    ).toBeInTheDocument();
    // 0.08 → 0.23 a week; 12 h → 6 h; 0 % → 40 %.
    expect(screen.getByText('+188 % (better)')).toBeInTheDocument();
    expect(screen.getByText('−50 % (better)')).toBeInTheDocument();
    expect(screen.getByText('+40 points (worse)')).toBeInTheDocument();
    expect(screen.getByText('2 of 5 changes')).toBeInTheDocument();
    expect(
      screen.getByText('median · 1 restored · 1 not yet'),
    ).toBeInTheDocument();
  });

  it('says the trend in words in the text colour, with an icon in a status colour that reads on the paper', async () => {
    await renderWithFakes(
      <EntityDeliveryMetricsPanel />,
      fakeDeploymentsApi({ getMetrics: async () => response() }),
    );
    const better = await screen.findByText('+188 % (better)');
    const worse = screen.getByText('+40 points (worse)');
    const paper = createTheme().palette.background.paper;
    for (const [words, verdict] of [
      [better, 'better'],
      [worse, 'worse'],
    ] as const) {
      // The words keep the text colour: green or red text is too faint on white.
      const line = words.parentElement!;
      expect(window.getComputedStyle(line).color).not.toMatch(
        /rgb\(76, 175, 80\)|rgb\(244, 67, 54\)/,
      );
      const icon = line.querySelector('svg')!;
      expect(icon).toHaveAttribute('aria-hidden', 'true');
      expect(icon).toHaveAttribute('data-verdict', verdict);
      const colour = window.getComputedStyle(icon).color;
      expect(colour).not.toBe('');
      expect(getContrastRatio(colour, paper)).toBeGreaterThanOrEqual(3);
    }
    // Rising deployments and a rising failure rate both point up; a shorter lead time down.
    const direction = (text: string) =>
      screen
        .getByText(text)
        .parentElement!.querySelector('svg')!
        .getAttribute('data-direction');
    expect(direction('+188 % (better)')).toBe('up');
    expect(direction('+40 points (worse)')).toBe('up');
    expect(direction('−50 % (better)')).toBe('down');
  });

  it('lists the deployments behind a number, each linked to its run', async () => {
    await renderWithFakes(
      <EntityDeliveryMetricsPanel />,
      fakeDeploymentsApi({ getMetrics: async () => response() }),
    );
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Change failure rate: 40 %, list the 2 deployments',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Change failure rate, last 90 days: 40 %'),
    ).toBeInTheDocument();
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(
      rows.map(row => within(row).getByRole('rowheader').textContent),
    ).toEqual(['v1.3.0', 'v1.5.0']);
    expect(within(rows[0]).getByText('3 h')).toBeInTheDocument();
    expect(within(rows[1]).getByText('not yet')).toBeInTheDocument();
    expect(
      within(rows[0]).getByRole('link', { name: /run #3/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/actions/runs/3',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Deployment frequency, previous 90 days: 0.08 / week, list the 1 deployment',
      }),
    );
    const previous = await screen.findByRole('dialog');
    const previousRows = within(previous).getAllByRole('row').slice(1);
    expect(
      previousRows.map(row => within(row).getByRole('rowheader').textContent),
    ).toEqual(['v1.1.0']);
  });

  it('asks again for the period chosen', async () => {
    const getMetrics = jest.fn().mockResolvedValue(response());
    await renderWithFakes(
      <EntityDeliveryMetricsPanel />,
      fakeDeploymentsApi({ getMetrics }),
    );
    await screen.findByRole('button', { name: /Deployment frequency: / });
    await userEvent.click(screen.getByRole('button', { name: '30 days' }));
    await waitFor(() =>
      expect(getMetrics).toHaveBeenLastCalledWith(ENTITY_REF, {
        period: '30d',
      }),
    );
    expect(screen.getByRole('button', { name: '30 days' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });

  it('says so when nothing was deployed into the last environment', async () => {
    await renderWithFakes(
      <EntityDeliveryMetricsPanel />,
      fakeDeploymentsApi({
        getMetrics: async () => ({
          ...response(),
          figures: none,
          previous: { ...response().previous, figures: none },
          weeks: [],
          deployments: [],
        }),
      }),
    );
    expect(
      await screen.findByText(
        'No deployments into production in the last 90 days or the 90 before.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Deployment frequency/ }),
    ).toBeNull();
  });

  it('shows the error when the backend fails', async () => {
    await renderWithFakes(
      <EntityDeliveryMetricsPanel />,
      fakeDeploymentsApi({
        getMetrics: async () => {
          throw new Error('metrics unavailable');
        },
      }),
    );
    expect(
      await screen.findByText('Error: metrics unavailable', { selector: 'h6' }),
    ).toBeInTheDocument();
  });
});
