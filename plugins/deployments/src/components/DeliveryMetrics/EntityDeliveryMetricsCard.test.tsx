import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {
  DeliveryFigures,
  MetricsDeployment,
  OwnerMetricsResponse,
} from '@stagecraft/plugin-deployments-common';
import { fakeDeploymentsApi } from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { EntityDeliveryMetricsCard } from './EntityDeliveryMetricsCard';

const PAYMENTS = 'component:default/payments-api';
const WORKER = 'component:default/ledger-worker';

const figures = (ids: string[]): DeliveryFigures => ({
  deployments: {
    count: ids.length,
    perDay: 0.1,
    perWeek: ids.length / 2,
    deploymentIds: ids,
  },
  leadTime: {
    count: ids.length,
    medianSeconds: 7200,
    p90Seconds: 7200,
    deploymentIds: ids,
  },
  changeFailureRate: {
    rate: 0,
    failures: 0,
    changes: ids.length,
    deploymentIds: [],
    changeIds: ids,
  },
  timeToRestore: { count: 0, unrestored: 0, deploymentIds: [] },
});

const deployment = (
  entityRef: string,
  id: string,
  tag: string,
): MetricsDeployment => ({
  id,
  entityRef,
  environment: 'production',
  version: { sha: 'a'.repeat(40), tag },
  state: 'success',
  outcome: 'success',
  createdAt: '2026-11-20T10:00:00.000Z',
  leadTimeSeconds: 7200,
});

function response(): OwnerMetricsResponse {
  const all = ['github:1', 'github:2', 'aws:9'];
  const period = {
    from: '2026-09-03T00:00:00.000Z',
    to: '2026-12-02T00:00:00.000Z',
  };
  return {
    owner: 'group:default/team-payments',
    ...period,
    figures: figures(all),
    previous: {
      from: '2026-06-05T00:00:00.000Z',
      to: period.from,
      figures: figures([]),
    },
    weeks: [{ ...period, figures: figures(all) }],
    deployments: [
      deployment(PAYMENTS, 'github:1', 'v1.1.0'),
      deployment(PAYMENTS, 'github:2', 'v1.2.0'),
      deployment(WORKER, 'aws:9', 'v7.0.0'),
    ],
    entities: [
      {
        entityRef: PAYMENTS,
        environment: 'production',
        figures: figures(['github:1', 'github:2']),
      },
      {
        entityRef: WORKER,
        environment: 'eu-production',
        figures: figures(['aws:9']),
      },
    ],
    rules: { hotfixWindowSeconds: 86400, hotfixPattern: 'hotfix' },
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

describe('EntityDeliveryMetricsCard', () => {
  it("asks for the figures of the page's group and lists each service's deployments behind its number", async () => {
    const getOwnerMetrics = jest.fn().mockResolvedValue(response());
    await renderWithFakes(
      <EntityDeliveryMetricsCard owner="group:default/team-payments" />,
      fakeDeploymentsApi({ getOwnerMetrics }),
    );
    expect(
      await screen.findByRole('button', {
        name: 'Deployment frequency: 1.5 / week, list the 3 deployments',
      }),
    ).toBeInTheDocument();
    expect(getOwnerMetrics).toHaveBeenCalledWith({
      owner: 'group:default/team-payments',
      period: '90d',
    });
    const table = screen.getByRole('table', {
      name: 'Delivery metrics per service',
    });
    expect(within(table).getByText('eu-production')).toBeInTheDocument();
    await userEvent.click(
      within(table).getByRole('button', {
        name: `Deployment frequency of ${WORKER}: 0.5 / week, list the deployments`,
      }),
    );
    const dialog = await screen.findByRole('dialog');
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(
      rows.map(row => within(row).getByRole('rowheader').textContent),
    ).toEqual(['v7.0.0']);
  });

  it('says so when the group owns nothing the viewer can see', async () => {
    await renderWithFakes(
      <EntityDeliveryMetricsCard owner="group:default/team-empty" />,
      fakeDeploymentsApi({
        getOwnerMetrics: async () => ({
          ...response(),
          entities: [],
          deployments: [],
        }),
      }),
    );
    expect(
      await screen.findByText('Owns no service you can see.'),
    ).toBeInTheDocument();
  });
});
