import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { EnvironmentSummary } from '@stagecraft/plugin-deployments-common';
import {
  aDeployment,
  aGate,
  anEnvironment,
  ENTITY_REF,
  fakeDeploymentsApi,
  minutesAgo,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import type { DeploymentPermissions } from '../../hooks/useDeploymentPermissions';
import { EnvironmentLane, EnvironmentLaneProps } from './EnvironmentLane';

const allowed = { loading: false, allowed: true };
const permissions: DeploymentPermissions = {
  promote: allowed,
  approve: allowed,
  rollback: allowed,
  override: allowed,
};

const staging = anEnvironment({
  name: 'staging',
  position: 1,
  current: aDeployment({
    id: 'github:1400000600',
    providerDeploymentId: '1400000600',
    environment: 'staging',
    version: {
      sha: '13edd4900000000000000000000000000000000a',
      tag: 'v1.81.0',
    },
    finishedAt: minutesAgo(135),
    updatedAt: minutesAgo(135),
  }),
});

const production = (overrides: Partial<EnvironmentSummary> = {}) =>
  anEnvironment({
    name: 'production',
    position: 2,
    requiresApproval: true,
    current: aDeployment({
      id: 'github:1400000500',
      providerDeploymentId: '1400000500',
      environment: 'production',
      version: {
        sha: '55aa00000000000000000000000000000000000b',
        tag: 'v1.80.1',
      },
      finishedAt: minutesAgo(180),
      updatedAt: minutesAgo(180),
    }),
    ...overrides,
  });

function renderLane(
  environment: EnvironmentSummary,
  options: {
    previous?: EnvironmentSummary;
    next?: EnvironmentSummary;
    onAbort?: EnvironmentLaneProps['onAbort'];
    permissions?: DeploymentPermissions;
  } = {},
) {
  return renderWithFakes(
    <EnvironmentLane
      entityRef={ENTITY_REF}
      environment={environment}
      previous={options.previous}
      next={options.next}
      permissions={options.permissions ?? permissions}
      userEntityRef="user:default/guest"
      onPromote={jest.fn()}
      onDecide={jest.fn()}
      onRollback={jest.fn()}
      onAbort={options.onAbort}
    />,
    fakeDeploymentsApi(),
  );
}

const lane = () =>
  within(screen.getByRole('region', { name: /^Environment / }));

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

const able = { available: true };
const unable = (reason: string) => ({ available: false, reason });
const allCapabilities = {
  promote: able,
  rollback: able,
  review: able,
  abort: able,
  compare: able,
};

/** production on AWS, with v1.41.2 rolling out as a canary beside v1.40.0. */
const awsProduction = (overrides: Partial<EnvironmentSummary> = {}) =>
  production({
    provider: 'aws',
    ownership: { declaredBy: 'annotation' },
    capabilities: allCapabilities,
    latest: aDeployment({
      id: 'aws:d-ABC123',
      provider: 'aws',
      providerDeploymentId: 'd-ABC123',
      environment: 'production',
      version: {
        sha: '77d01e4aaaabbbbccccddddeeeeffff000011112',
        tag: 'v1.41.2',
      },
      state: 'in_progress',
      url: 'https://console.aws.amazon.com/codesuite/codedeploy/deployments/d-ABC123',
      urlLabel: 'CodeDeploy d-ABC123',
      strategy: {
        type: 'canary',
        name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        steps: [{ percent: 10, waitMinutes: 5 }, { percent: 100 }],
        currentStep: 0,
      },
      checks: [
        { name: 'smoke test', state: 'passing' },
        { name: 'alarm payments-5xx', state: 'pending' },
      ],
    }),
    traffic: {
      provider: 'aws',
      at: minutesAgo(1),
      shares: [
        {
          version: {
            sha: '1a2b3c4ddddeeeeffff00001111222233334444',
            tag: 'v1.40.0',
          },
          percent: 90,
          role: 'live',
        },
        {
          version: {
            sha: '77d01e4aaaabbbbccccddddeeeeffff000011112',
            tag: 'v1.41.2',
          },
          percent: 10,
          role: 'canary',
        },
      ],
    },
    ...overrides,
  });

describe('EnvironmentLane: the owning provider', () => {
  it('names the provider that deploys into the environment', async () => {
    await renderLane(awsProduction());
    expect(lane().getByText('deployed by aws')).toBeInTheDocument();
  });

  it('warns in the lane when no provider, or more than one, owns the environment', async () => {
    await renderLane(
      production({
        provider: undefined,
        ownership: {
          problem:
            'github and aws both deploy to production; name one in stagecraft.io/environments',
        },
      }),
    );
    expect(lane().getByRole('note')).toHaveTextContent(
      'github and aws both deploy to production; name one in stagecraft.io/environments',
    );
  });
});

describe('EnvironmentLane: what the provider can do', () => {
  it('disables promote with the reason the next environment’s provider gives', async () => {
    await renderLane(staging, {
      next: production({
        provider: 'aws',
        capabilities: {
          ...allCapabilities,
          promote: unable(
            'The aws provider cannot start a deployment of a chosen version',
          ),
        },
      }),
    });
    const promote = lane().getByRole('button', {
      name: 'Promote to production',
    });
    expect(promote).toBeDisabled();
    expect(promote).toHaveAccessibleDescription(
      'The aws provider cannot start a deployment of a chosen version',
    );
  });

  it('puts a missing permission before the provider’s reason', async () => {
    await renderLane(staging, {
      next: production({
        capabilities: { ...allCapabilities, promote: unable('cannot') },
      }),
      permissions: {
        ...permissions,
        promote: { loading: false, allowed: false },
      },
    });
    expect(
      lane().getByRole('button', { name: 'Promote to production' }),
    ).toHaveAccessibleDescription(
      'You do not have permission to promote this service',
    );
  });

  it('disables roll back with the provider’s reason, and names the provider when it gives none', async () => {
    await renderLane(
      production({
        provider: 'aws',
        capabilities: { ...allCapabilities, rollback: { available: false } },
      }),
    );
    expect(
      lane().getByRole('button', { name: 'Roll back' }),
    ).toHaveAccessibleDescription('aws cannot roll back production');
  });

  it('disables approve and reject of a provider’s gate the provider cannot decide', async () => {
    await renderLane(
      production({
        capabilities: {
          ...allCapabilities,
          review: unable('Decide this approval in the CodePipeline console'),
        },
        pendingGates: [aGate()],
      }),
    );
    for (const name of ['Approve', 'Reject']) {
      const button = lane().getByRole('button', { name });
      expect(button).toBeDisabled();
      expect(button).toHaveAccessibleDescription(
        'Decide this approval in the CodePipeline console',
      );
    }
  });

  it('lets Stagecraft’s own requests be decided whatever the provider can review', async () => {
    await renderLane(
      production({
        capabilities: { ...allCapabilities, review: unable('no review') },
        pendingGates: [aGate({ id: 'portal:req-1', kind: 'portal' })],
      }),
    );
    expect(lane().getByRole('button', { name: 'Approve' })).toBeEnabled();
  });

  it('disables "Changes from" with the reason when no diff can be made there', async () => {
    await renderWithFakes(
      <EnvironmentLane
        entityRef={ENTITY_REF}
        environment={production({
          capabilities: {
            ...allCapabilities,
            compare: unable('No change source knows the commits of production'),
          },
        })}
        previous={staging}
        permissions={permissions}
        onPromote={jest.fn()}
        onDecide={jest.fn()}
        onRollback={jest.fn()}
        onCompare={jest.fn()}
      />,
      fakeDeploymentsApi(),
    );
    const compare = lane().getByRole('button', {
      name: 'Changes from staging',
    });
    expect(compare).toBeDisabled();
    expect(compare).toHaveAccessibleDescription(
      'No change source knows the commits of production',
    );
  });

  it('keeps the actions as they were for a backend that sends no capabilities', async () => {
    await renderLane(production({ pendingGates: [aGate()] }), {
      previous: staging,
    });
    expect(lane().getByRole('button', { name: 'Roll back' })).toBeEnabled();
    expect(lane().getByRole('button', { name: 'Approve' })).toBeEnabled();
    expect(
      lane().queryByRole('button', { name: 'Abort rollout' }),
    ).not.toBeInTheDocument();
  });
});

describe('EnvironmentLane: aborting a rollout', () => {
  it('offers to abort the rollout in flight and hands over that deployment', async () => {
    const onAbort = jest.fn();
    const environment = awsProduction();
    await renderLane(environment, { onAbort });
    const abort = lane().getByRole('button', { name: 'Abort rollout' });
    expect(abort).toBeEnabled();
    await userEvent.click(abort);
    expect(onAbort).toHaveBeenCalledWith(environment, environment.latest);
  });

  it('is reached and pressed by keyboard, skipping the disabled actions', async () => {
    const onAbort = jest.fn();
    await renderLane(awsProduction(), { onAbort });
    const abort = lane().getByRole('button', { name: 'Abort rollout' });
    const rollBack = lane().getByRole('button', { name: 'Roll back' });
    const focused: Element[] = [];
    for (let i = 0; i < 30 && document.activeElement !== abort; i++) {
      await userEvent.tab();
      if (document.activeElement) focused.push(document.activeElement);
    }
    expect(abort).toHaveFocus();
    expect(focused).not.toContain(rollBack);
    await userEvent.keyboard('{Enter}');
    expect(onAbort).toHaveBeenCalledTimes(1);
  });

  it('says so when the backend has no abort endpoint', async () => {
    await renderLane(awsProduction());
    const abort = lane().getByRole('button', { name: 'Abort rollout' });
    expect(abort).toBeDisabled();
    expect(abort).toHaveAccessibleDescription(
      'Aborting a rollout is not available in this backend',
    );
  });

  it('gives the provider’s reason when it cannot abort', async () => {
    await renderLane(
      awsProduction({
        capabilities: {
          ...allCapabilities,
          abort: unable('GitHub cannot stop a workflow run from here'),
        },
      }),
      { onAbort: jest.fn() },
    );
    expect(
      lane().getByRole('button', { name: 'Abort rollout' }),
    ).toHaveAccessibleDescription(
      'GitHub cannot stop a workflow run from here',
    );
  });

  it('is not offered when nothing is rolling out', async () => {
    await renderLane(awsProduction({ latest: undefined }), {
      onAbort: jest.fn(),
    });
    expect(
      lane().queryByRole('button', { name: 'Abort rollout' }),
    ).not.toBeInTheDocument();
  });
});

describe('EnvironmentLane: progressive delivery', () => {
  it('shows the traffic split with shares and versions, the strategy’s step and the checks', async () => {
    await renderLane(awsProduction());
    expect(
      within(lane().getByRole('group', { name: 'Traffic' })).getByText(
        '10% v1.41.2 (canary) · 90% v1.40.0 (live)',
      ),
    ).toBeInTheDocument();
    expect(
      lane().getByText(
        'canary, step 1 of 2 · next 100% after 5 min (CodeDeployDefault.LambdaCanary10Percent5Minutes)',
      ),
    ).toBeInTheDocument();
    const checks = within(lane().getByRole('list', { name: 'Checks' }));
    const items = checks.getAllByRole('listitem');
    expect(items.map(item => item.textContent)).toEqual([
      'smoke test passing',
      'alarm payments-5xx pending',
    ]);
  });

  it('shows no traffic bar when one version serves everything', async () => {
    const environment = awsProduction();
    await renderLane({
      ...environment,
      traffic: {
        ...environment.traffic!,
        shares: [environment.traffic!.shares[0]],
      },
    });
    expect(
      lane().queryByRole('group', { name: 'Traffic' }),
    ).not.toBeInTheDocument();
  });
});

describe('EnvironmentLane: versions and links from other providers', () => {
  it('names a version whose commit is unknown by its artifact, never by a made-up SHA', async () => {
    await renderLane(
      production({
        current: aDeployment({
          provider: 'aws',
          environment: 'production',
          version: {
            sha: 'artifact:lambda-version:12',
            commitUnknown: true,
            artifact: { kind: 'lambda-version', id: '12' },
          },
        }),
      }),
    );
    expect(lane().getByText('Lambda version 12')).toBeInTheDocument();
    expect(lane().queryByText('artifac')).not.toBeInTheDocument();
  });

  it('shows the artifact beside the tag when the commit is unknown', async () => {
    await renderLane(
      production({
        current: aDeployment({
          version: {
            sha: 'artifact:lambda-version:12',
            tag: 'v1.41.2',
            commitUnknown: true,
            artifact: { kind: 'lambda-version', id: '12' },
          },
        }),
      }),
    );
    expect(lane().getByText('v1.41.2')).toBeInTheDocument();
    expect(lane().getByText('Lambda version 12')).toBeInTheDocument();
  });

  it('links to other providers’ reports of the same rollout', async () => {
    await renderLane(
      production({
        current: aDeployment({
          links: [
            {
              provider: 'aws',
              providerDeploymentId: 'd-ABC123',
              label: 'CodeDeploy d-ABC123',
              url: 'https://console.aws.amazon.com/codesuite/codedeploy/deployments/d-ABC123',
            },
          ],
        }),
      }),
    );
    expect(lane().getByRole('link', { name: /^run #812/ })).toBeInTheDocument();
    expect(
      lane().getByRole('link', { name: /^aws: CodeDeploy d-ABC123/ }),
    ).toHaveAttribute(
      'href',
      'https://console.aws.amazon.com/codesuite/codedeploy/deployments/d-ABC123',
    );
  });

  it('says why and how the latest attempt was rolled back', async () => {
    await renderLane(
      production({
        latest: aDeployment({
          id: 'aws:d-XYZ789',
          provider: 'aws',
          environment: 'production',
          version: {
            sha: '77d01e4aaaabbbbccccddddeeeeffff000011112',
            tag: 'v1.41.2',
          },
          state: 'rolled_back',
          rollback: {
            automatic: true,
            reason: 'alarm payments-5xx',
            restoredVersion: {
              sha: '55aa00000000000000000000000000000000000b',
              tag: 'v1.80.1',
            },
          },
        }),
      }),
    );
    expect(lane().getByText(/Latest attempt: v1.41.2/)).toBeInTheDocument();
    expect(
      lane().getByText(
        'Rolled back automatically · alarm payments-5xx · v1.80.1 restored',
      ),
    ).toBeInTheDocument();
  });

  it('shows the rollout in flight on its own line, with its strategy, traffic and checks under it', async () => {
    await renderLane(awsProduction());
    const rollingOut = lane().getByText(/^Rolling out:/);
    expect(rollingOut).toHaveTextContent('Rolling out: v1.41.2');
    const traffic = lane().getByRole('group', { name: 'Traffic' });
    // The rollout's details follow its line, not the line of what runs now.
    expect(
      rollingOut.compareDocumentPosition(traffic) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it('shows a first deployment’s failed attempt in an empty environment', async () => {
    await renderLane(
      production({
        current: undefined,
        latest: aDeployment({ environment: 'production', state: 'failure' }),
      }),
    );
    expect(lane().getByText('Nothing deployed yet')).toBeInTheDocument();
    expect(lane().getByText(/Latest attempt: v1.42.0/)).toBeInTheDocument();
  });
});
