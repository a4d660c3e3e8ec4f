import { within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  aDeployment,
  aGate,
  ENTITY_REF,
  fakeDeploymentsApi,
} from '../../__testUtils__/fixtures';
import { renderWithFakes } from '../../__testUtils__/renderWithFakes';
import { EnvironmentLane } from './EnvironmentLane';
import {
  allCapabilities,
  awsProduction,
  lane,
  permissions,
  production,
  renderLane,
  staging,
  unable,
} from '../../__testUtils__/lanes';

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

  it('says in the gate box what the provider says waits there', async () => {
    await renderLane(
      production({
        pendingGates: [
          aGate({
            type: 'manual-approval',
            summary: 'Check the posting-lag dashboard before production',
          }),
        ],
      }),
    );
    expect(
      lane().getByText('Check the posting-lag dashboard before production'),
    ).toBeInTheDocument();
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

  it('is disabled, saying why, without deployments.abort, even with deployments.rollback', async () => {
    await renderLane(awsProduction(), {
      onAbort: jest.fn(),
      permissions: {
        ...permissions,
        abort: { loading: false, allowed: false },
      },
    });
    const abort = lane().getByRole('button', { name: 'Abort rollout' });
    expect(abort).toBeDisabled();
    expect(abort).toHaveAccessibleDescription(
      'You do not have permission to abort rollouts of this service',
    );
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

  it('is not offered for a deployment held at a gate, which Reject decides', async () => {
    const environment = awsProduction();
    await renderLane(
      awsProduction({
        latest: { ...environment.latest!, state: 'queued' },
        pendingGates: [aGate({ version: environment.latest!.version })],
      }),
      { onAbort: jest.fn() },
    );
    expect(
      lane().queryByRole('button', { name: 'Abort rollout' }),
    ).not.toBeInTheDocument();
    expect(lane().getByRole('button', { name: 'Reject' })).toBeInTheDocument();
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
        'canary, step 1 of 2 · next 100% in 3 min (CodeDeployDefault.LambdaCanary10Percent5Minutes)',
      ),
    ).toBeInTheDocument();
    const checks = within(lane().getByRole('list', { name: 'Checks' }));
    const items = checks.getAllByRole('listitem');
    expect(items.map(item => item.textContent)).toEqual([
      'smoke test passing',
      'alarm payments-5xx pending',
    ]);
  });

  it('underlines a check’s link, which sits in a line of text: colour alone does not mark it as a link', async () => {
    const environment = awsProduction();
    const alarm = {
      name: 'alarm payments-5xx',
      state: 'passing' as const,
      url: 'https://console.aws.example/cloudwatch/alarms/payments-5xx',
      detail: 'Threshold Crossed: no datapoints were received for 1 period',
    };
    await renderLane({
      ...environment,
      latest: { ...environment.latest!, checks: [alarm] },
    });
    const link = within(lane().getByRole('list', { name: 'Checks' })).getByRole(
      'link',
      { name: /alarm payments-5xx/ },
    );
    expect(window.getComputedStyle(link).textDecoration).toMatch(/underline/);
  });

  it('lets the strategy line break inside a long deployment config name, so it stays within a narrow lane', async () => {
    await renderLane(awsProduction());
    const line = lane().getByText(/^canary, step 1 of 2/);
    expect(window.getComputedStyle(line).overflowWrap).toBe('anywhere');
  });

  it('separates the shares in the traffic bar, so a canary stands apart from the live version in either theme', async () => {
    await renderLane(awsProduction());
    const group = lane().getByRole('group', { name: 'Traffic' });
    const bar = group.querySelector('[aria-hidden="true"]')!;
    expect(bar.children).toHaveLength(2);
    expect(window.getComputedStyle(bar).columnGap).toBe('2px');
  });

  it('shows a blue/green environment’s live and standby sides, and the switch as its strategy', async () => {
    const environment = awsProduction();
    await renderLane({
      ...environment,
      latest: {
        ...environment.latest!,
        strategy: { type: 'blue-green', name: 'BlueGreenSwitch' },
      },
      traffic: {
        ...environment.traffic!,
        shares: [
          { ...environment.traffic!.shares[1], percent: 100, role: 'live' },
          { ...environment.traffic!.shares[0], percent: 0, role: 'standby' },
        ],
      },
    });
    expect(
      within(lane().getByRole('group', { name: 'Traffic' })).getByText(
        '0% v1.40.0 (standby) · 100% v1.41.2 (live)',
      ),
    ).toBeInTheDocument();
    expect(
      lane().getByText('blue-green (BlueGreenSwitch)'),
    ).toBeInTheDocument();
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
    // v1.80.1, which runs now, is what the rollback restored: the lane says so.
    const rollback = within(lane().getByRole('group', { name: 'Rollback' }));
    expect(
      rollback.getByText('Running v1.80.1 after a rollback'),
    ).toBeInTheDocument();
    expect(
      rollback.getByText(
        'v1.41.2: rolled back automatically — alarm payments-5xx · v1.80.1 restored',
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
