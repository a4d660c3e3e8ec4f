import type {
  Deployment,
  EnvironmentSummary,
  PendingGate,
} from '@stagecraft/plugin-deployments-common';
import {
  approveAvailability,
  promoteAvailability,
  rollbackAvailability,
  withPermission,
} from './laneActions';

const deployment = (
  environment: string,
  sha: string,
  tag?: string,
  state: Deployment['state'] = 'success',
): Deployment => ({
  id: `github:${environment}-${sha}`,
  provider: 'github',
  providerDeploymentId: `${environment}-${sha}`,
  entityRef: 'component:default/payments-api',
  environment,
  version: { sha, tag },
  state,
  statuses: [],
  createdAt: '2026-11-01T10:00:00Z',
  updatedAt: '2026-11-01T10:05:00Z',
});

const lane = (
  name: string,
  overrides: Partial<EnvironmentSummary> = {},
): EnvironmentSummary => ({
  name,
  position: 0,
  pendingGates: [],
  requiresApproval: false,
  ...overrides,
});

const gate = (overrides: Partial<PendingGate> = {}): PendingGate => ({
  id: 'github:77',
  kind: 'provider',
  provider: 'github',
  entityRef: 'component:default/payments-api',
  environment: 'production',
  version: { sha: 'bbbbbbb000', tag: 'v1.41.2' },
  reviewers: [],
  since: '2026-11-01T10:00:00Z',
  ...overrides,
});

describe('promoteAvailability', () => {
  it('allows promoting a version the next environment does not run', () => {
    const dev = lane('dev', { current: deployment('dev', 'aaaaaaa000') });
    const staging = lane('staging', {
      current: deployment('staging', 'bbbbbbb000'),
    });
    expect(promoteAvailability(dev, staging)).toEqual({ enabled: true });
  });

  it('says there is nothing to promote when the next environment runs the same version', () => {
    const dev = lane('dev', {
      current: deployment('dev', 'aaaaaaa000', 'v1.42.0'),
    });
    const staging = lane('staging', {
      current: deployment('staging', 'aaaaaaa000', 'v1.42.0'),
    });
    expect(promoteAvailability(dev, staging)).toEqual({
      enabled: false,
      reason: 'Nothing to promote: staging already runs v1.42.0',
    });
  });

  it('says there is nothing to promote when the source never succeeded', () => {
    expect(promoteAvailability(lane('dev'), lane('staging')).reason).toBe(
      'Nothing to promote: dev has no successful deployment',
    );
  });

  it('refuses to ask twice for a version already waiting at the gate', () => {
    const staging = lane('staging', {
      current: deployment('staging', 'bbbbbbb000', 'v1.41.2'),
    });
    const production = lane('production', { pendingGates: [gate()] });
    expect(promoteAvailability(staging, production).reason).toBe(
      'v1.41.2 is already waiting for approval in production',
    );
  });

  it('waits for a running deployment of the target to finish', () => {
    const dev = lane('dev', { current: deployment('dev', 'aaaaaaa000') });
    const staging = lane('staging', {
      latest: deployment('staging', 'ccccccc000', undefined, 'in_progress'),
    });
    expect(promoteAvailability(dev, staging).reason).toBe(
      'A deployment to staging is in progress',
    );
  });
});

describe('approveAvailability', () => {
  it('does not let the requester approve their own promotion', () => {
    expect(
      approveAvailability(gate({ requestedBy: 'guest' }), 'user:default/guest'),
    ).toEqual({
      enabled: false,
      reason: 'You requested this promotion; another person has to approve it',
    });
  });

  it('lets someone else approve', () => {
    expect(
      approveAvailability(gate({ requestedBy: 'alice' }), 'user:default/guest')
        .enabled,
    ).toBe(true);
  });
});

describe('rollbackAvailability', () => {
  it('has nothing to roll back in an empty environment', () => {
    expect(rollbackAvailability(lane('production')).reason).toBe(
      'Nothing to roll back: production has no successful deployment',
    );
  });
});

describe('rollbackAvailability while a gate holds a deployment', () => {
  it('says the version waits for approval, not that a deployment is in progress', () => {
    const production = lane('production', {
      current: deployment('production', 'aaaaaaa000', 'v1.40.0'),
      latest: deployment('production', 'bbbbbbb000', 'v1.41.2', 'queued'),
      pendingGates: [gate()],
    });
    expect(rollbackAvailability(production).reason).toBe(
      'v1.41.2 is waiting for approval in production',
    );
  });

  it('says a deployment is in progress when no gate holds it', () => {
    const production = lane('production', {
      current: deployment('production', 'aaaaaaa000', 'v1.40.0'),
      latest: deployment('production', 'bbbbbbb000', 'v1.41.2', 'in_progress'),
    });
    expect(rollbackAvailability(production).reason).toBe(
      'A deployment to production is in progress',
    );
  });
});

describe('withPermission', () => {
  it('puts a missing permission before the policy reason', () => {
    expect(
      withPermission({ loading: false, allowed: false }, 'promote', {
        enabled: false,
        reason: 'Nothing to promote',
      }),
    ).toEqual({
      enabled: false,
      reason: 'You do not have permission to promote this service',
    });
  });

  it('passes the policy answer through when permitted', () => {
    expect(
      withPermission({ loading: false, allowed: true }, 'promote', {
        enabled: true,
      }),
    ).toEqual({ enabled: true });
  });
});
