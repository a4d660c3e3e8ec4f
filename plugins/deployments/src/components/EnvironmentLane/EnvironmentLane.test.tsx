import { screen, within } from '@testing-library/react';
import { aDeployment, aGate, minutesAgo } from '../../__testUtils__/fixtures';
import {
  lane,
  production,
  renderLane,
  staging,
} from '../../__testUtils__/lanes';

describe('EnvironmentLane: how far behind the previous environment', () => {
  it('says how many commits behind, never "0 days", when both were deployed the same day', async () => {
    await renderLane(production({ behindPrevious: { commits: 2, days: 0 } }), {
      previous: staging,
    });
    expect(lane().getByText('2 commits behind staging')).toBeInTheDocument();
    expect(lane().queryByText(/0 days/)).not.toBeInTheDocument();
  });

  it('says how long the previous environment has run its version when the commit count is unknown', async () => {
    await renderLane(production({ behindPrevious: { days: 0 } }), {
      previous: staging,
    });
    expect(
      lane().getByText('Behind staging: v1.81.0 reached staging 2 hours ago'),
    ).toBeInTheDocument();
    expect(lane().queryByText(/0 days/)).not.toBeInTheDocument();
  });

  it('says only "behind" when the backend gives no measure and the previous version has no time', async () => {
    const undated = {
      ...staging,
      current: undefined,
    };
    await renderLane(production({ behindPrevious: {} }), {
      previous: undated,
    });
    expect(lane().getByText('Behind staging')).toBeInTheDocument();
  });

  it('says it is up to date when no commit separates the two', async () => {
    await renderLane(production({ behindPrevious: { commits: 0, days: 0 } }), {
      previous: staging,
    });
    expect(lane().getByText('Up to date with staging')).toBeInTheDocument();
  });
});

describe('EnvironmentLane: run links', () => {
  it('labels the link with what it opens when the backend says', async () => {
    await renderLane(
      production({
        current: aDeployment({
          providerDeploymentId: '1400000617',
          urlLabel: 'run #812',
        }),
      }),
    );
    expect(lane().getByRole('link', { name: /^run #812/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/actions/runs/812',
    );
  });

  it('calls it a deployment, never a run named by the deployment id, when the backend does not say', async () => {
    await renderLane(
      production({
        current: aDeployment({
          providerDeploymentId: '1400000617',
          urlLabel: undefined,
        }),
      }),
    );
    expect(lane().getByRole('link', { name: /^deployment/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/payments-api/actions/runs/812',
    );
    expect(lane().queryByText(/1400000617/)).not.toBeInTheDocument();
    expect(lane().queryByText(/\brun\b/)).not.toBeInTheDocument();
  });
});

describe('EnvironmentLane: an open gate', () => {
  it('says once what waits, in the gate box, not again as a latest attempt', async () => {
    const waiting = {
      sha: '13edd4900000000000000000000000000000000a',
      tag: 'v1.81.0',
    };
    await renderLane(
      production({
        latest: aDeployment({
          id: 'github:1400000617',
          providerDeploymentId: '1400000617',
          environment: 'production',
          version: waiting,
          state: 'queued',
          updatedAt: minutesAgo(60),
        }),
        pendingGates: [aGate({ version: waiting })],
      }),
      { previous: staging },
    );
    expect(lane().queryByText(/Latest attempt/)).not.toBeInTheDocument();
    expect(lane().getAllByText('v1.81.0')).toHaveLength(1);
    expect(
      within(
        screen.getByRole('group', { name: 'Pending gate for v1.81.0' }),
      ).getByText('v1.81.0'),
    ).toBeInTheDocument();
  });

  it('says when a provider’s gate stops accepting a decision, and names principals as they are', async () => {
    await renderLane(
      production({
        pendingGates: [
          aGate({
            provider: 'aws',
            type: 'manual-approval',
            reviewers: [{ type: 'principal', name: 'role/release-approvers' }],
            expiresAt: new Date(
              Date.now() + 6 * 86400_000 + 60_000,
            ).toISOString(),
          }),
        ],
      }),
    );
    const gate = within(
      screen.getByRole('group', { name: 'Pending gate for v1.41.2' }),
    );
    expect(
      gate.getByText('Reviewers: role/release-approvers'),
    ).toBeInTheDocument();
    expect(gate.getByText(/waiting since/)).toHaveTextContent(
      /· expires in 6 days/,
    );
  });

  it('still shows a failed latest attempt of another version beside the gate', async () => {
    await renderLane(
      production({
        latest: aDeployment({
          id: 'github:1400000700',
          environment: 'production',
          version: {
            sha: 'ffff000000000000000000000000000000000001',
            tag: 'v1.82.0',
          },
          state: 'failure',
        }),
        pendingGates: [aGate()],
      }),
    );
    expect(lane().getByText(/Latest attempt: v1.82.0/)).toBeInTheDocument();
  });
});

describe('EnvironmentLane: freeze windows', () => {
  it('says the environment is frozen, until when and why', async () => {
    const until = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
    await renderLane(
      production({
        freeze: {
          name: 'weekend',
          reason: 'Weekend freeze',
          timeZone: 'Europe/Berlin',
          since: new Date(Date.now() - 60 * 60 * 1000).toISOString(),
          until,
        },
      }),
    );
    expect(lane().getByRole('status')).toHaveTextContent(
      /^Frozen until \w{3} \d{2}:\d{2} \(Weekend freeze\)$/,
    );
  });

  it('says nothing of freezes when none covers the environment', async () => {
    await renderLane(production());
    expect(lane().queryByText(/Frozen until/)).not.toBeInTheDocument();
  });
});
