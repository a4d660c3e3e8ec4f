import { screen, within } from '@testing-library/react';
import type { SkewFinding } from '@stagecraft/plugin-deployments-common';
import { fakeDeploymentsApi } from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { PromotionSkewPanel } from './PromotionSkewPanel';

const ENTITY_REF = 'component:default/payments-api';
const hoursAgo = (hours: number) =>
  new Date(Date.now() - hours * 3600_000).toISOString();

function aFinding(overrides: Partial<SkewFinding> = {}): SkewFinding {
  return {
    entityRef: ENTITY_REF,
    environment: 'production',
    previousEnvironment: 'staging',
    deploymentId: 'aws:d-42',
    provider: 'aws',
    version: {
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      tag: 'v1.42.1',
    },
    state: 'success',
    startedAt: hoursAgo(3),
    kind: 'skipped',
    minimumSoakSeconds: 1800,
    url: 'https://console.aws.amazon.com/codesuite/codedeploy/deployments/d-42',
    ...overrides,
  };
}

describe('PromotionSkewPanel', () => {
  it('lists what skipped or barely soaked in the environment before, where, when, with a link to the deployment', async () => {
    const getSkew = jest.fn(async () => ({
      findings: [
        aFinding(),
        aFinding({
          deploymentId: 'github:77',
          provider: 'github',
          version: { sha: 'ffee0011223344556677889900aabbccddeeff00' },
          kind: 'short-soak',
          previousSucceededAt: hoursAgo(26),
          soakSeconds: 600,
          startedAt: hoursAgo(25.8),
          url: 'https://github.com/acme/payments-api/deployments/77',
        }),
      ],
    }));
    await renderWithFakes(
      <PromotionSkewPanel entityRef={ENTITY_REF} />,
      fakeDeploymentsApi({ getSkew }),
    );

    const skipped = within(
      (await screen.findByRole('rowheader', { name: /v1\.42\.1/ })).closest(
        'tr',
      )!,
    );
    expect(skipped.getByText('production')).toBeInTheDocument();
    expect(skipped.getByText('Skipped staging')).toBeInTheDocument();
    expect(skipped.getByText('3 hours ago')).toBeInTheDocument();
    expect(
      skipped.getByRole('link', { name: /aws deployment \(success\)/ }),
    ).toHaveAttribute(
      'href',
      'https://console.aws.amazon.com/codesuite/codedeploy/deployments/d-42',
    );
    const soaked = within(
      screen.getByRole('rowheader', { name: /ffee001/ }).closest('tr')!,
    );
    expect(soaked.getByText('Short soak')).toBeInTheDocument();
    expect(
      soaked.getByText('10 min in staging (minimum 30 min)'),
    ).toBeInTheDocument();
    expect(getSkew).toHaveBeenCalledWith(ENTITY_REF, { limit: 50 });
  });

  it('says every deployment passed the previous environment when nothing was found', async () => {
    await renderWithFakes(
      <PromotionSkewPanel />,
      fakeDeploymentsApi({ getSkew: async () => ({ findings: [] }) }),
    );
    expect(
      await screen.findByText(
        'Every deployment passed the previous environment',
      ),
    ).toBeInTheDocument();
  });

  it('shows why the findings could not be read', async () => {
    await renderWithFakes(
      <PromotionSkewPanel />,
      fakeDeploymentsApi({
        getSkew: async () => {
          throw new Error('The deployments backend is unavailable');
        },
      }),
    );
    expect(
      (await screen.findAllByText(/The deployments backend is unavailable/))
        .length,
    ).toBeGreaterThan(0);
    expect(
      screen.queryByText('Every deployment passed the previous environment'),
    ).toBeNull();
  });
});
