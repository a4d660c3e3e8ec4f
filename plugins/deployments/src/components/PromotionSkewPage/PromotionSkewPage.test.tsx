import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { SkewFinding } from '@stagecraft/plugin-deployments-common';
import { fakeDeploymentsApi } from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { PromotionSkewPage } from './PromotionSkewPage';

const finding = (overrides: Partial<SkewFinding>): SkewFinding => ({
  entityRef: 'component:default/payments-api',
  environment: 'production',
  previousEnvironment: 'staging',
  deploymentId: 'github:1',
  provider: 'github',
  version: { sha: '1'.repeat(40), tag: 'v1.0.1' },
  state: 'success',
  startedAt: new Date(Date.now() - 3600_000).toISOString(),
  kind: 'skipped',
  minimumSoakSeconds: 1800,
  ...overrides,
});

describe('PromotionSkewPage', () => {
  it('lists the findings of every service with a link to each, and pages on', async () => {
    const getPortfolioSkew = jest.fn(
      async (query?: { cursor?: string; since?: string }) =>
        query?.cursor
          ? {
              findings: [
                finding({
                  entityRef: 'component:default/ledger-worker',
                  deploymentId: 'aws:7',
                  version: { sha: '2'.repeat(40), tag: 'v7.0.0' },
                }),
              ],
            }
          : {
              findings: [finding({})],
              nextCursor: 'page-2',
            },
    );
    await renderWithFakes(
      <PromotionSkewPage />,
      fakeDeploymentsApi({ getPortfolioSkew }),
    );

    const first = within(
      (await screen.findByRole('rowheader', { name: /v1\.0\.1/ })).closest(
        'tr',
      )!,
    );
    expect(first.getByRole('link', { name: /payments-api/ })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(
      await screen.findByRole('link', { name: /ledger-worker/ }),
    ).toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: /v1\.0\.1/ })).toBeVisible();
    expect(getPortfolioSkew).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: 'page-2', limit: 100 }),
    );
    const since = Date.parse(getPortfolioSkew.mock.calls[0][0]!.since!);
    expect(Date.now() - since).toBeGreaterThan(29.9 * 24 * 3600_000);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('says every deployment passed the previous environment when nothing was found', async () => {
    await renderWithFakes(
      <PromotionSkewPage />,
      fakeDeploymentsApi({ getPortfolioSkew: async () => ({ findings: [] }) }),
    );
    expect(
      await screen.findByText(
        'Every deployment passed the previous environment',
      ),
    ).toBeInTheDocument();
  });

  it('downloads the range as CSV', async () => {
    const getPortfolioSkewCsv = jest
      .fn()
      .mockResolvedValue('started_at,entity\n2026-11-01,component:default/x\n');
    const createObjectURL = jest.fn(() => 'blob:skew');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: HTMLAnchorElement[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicked.push(this);
      });
    try {
      await renderWithFakes(
        <PromotionSkewPage />,
        fakeDeploymentsApi({
          getPortfolioSkew: async () => ({ findings: [finding({})] }),
          getPortfolioSkewCsv,
        }),
      );
      await screen.findByRole('rowheader', { name: /v1\.0\.1/ });
      await userEvent.click(
        screen.getByRole('button', { name: 'Download CSV' }),
      );
      await waitFor(() => expect(clicked).toHaveLength(1));
      expect(clicked[0].download).toBe('promotion-skew-last-30-days.csv');
      expect(getPortfolioSkewCsv).toHaveBeenCalledWith({
        since: expect.any(String),
      });
      const blob = (createObjectURL.mock.calls[0] as unknown[])[0] as Blob;
      expect(await blob.text()).toContain('component:default/x');
    } finally {
      click.mockRestore();
    }
  });
});
