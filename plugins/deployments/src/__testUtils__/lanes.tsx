import { screen, within } from '@testing-library/react';
import type { EnvironmentSummary } from '@stagecraft/plugin-deployments-common';
import {
  aDeployment,
  anEnvironment,
  ENTITY_REF,
  fakeDeploymentsApi,
  minutesAgo,
} from './fixtures';
import { renderWithFakes } from './renderWithFakes';
import type { DeploymentPermissions } from '../hooks/useDeploymentPermissions';
import {
  EnvironmentLane,
  EnvironmentLaneProps,
} from '../components/EnvironmentLane';

/** Builders and a renderer for the lane's tests. */

export const allowed = { loading: false, allowed: true };
export const permissions: DeploymentPermissions = {
  promote: allowed,
  approve: allowed,
  rollback: allowed,
  abort: allowed,
  override: allowed,
};

export const staging = anEnvironment({
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

export const production = (overrides: Partial<EnvironmentSummary> = {}) =>
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

export function renderLane(
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

export const lane = () =>
  within(screen.getByRole('region', { name: /^Environment / }));

export const able = { available: true };
export const unable = (reason: string) => ({ available: false, reason });
export const allCapabilities = {
  promote: able,
  rollback: able,
  review: able,
  abort: able,
  compare: able,
};

/** production on AWS, with v1.41.2 rolling out as a canary beside v1.40.0. */
export const awsProduction = (overrides: Partial<EnvironmentSummary> = {}) =>
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
      createdAt: minutesAgo(2),
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
