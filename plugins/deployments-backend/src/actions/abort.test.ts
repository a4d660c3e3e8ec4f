import { TestDeploymentProvider } from '@stagecraft/plugin-deployments-node/testing';
import { checkAbort } from './abort';

const target = {
  key: 'acme/payments-api',
  routingKeys: [],
  environments: 'all' as const,
};
const ownedBy = (provider: TestDeploymentProvider) => ({
  source: { provider, target },
});
const rollout = {
  id: 'test:9',
  provider: 'test',
  environment: 'production',
  state: 'in_progress' as const,
};

describe('checkAbort', () => {
  it('passes a rollout in flight in its environment, reported by the owner that can abort', () => {
    for (const state of ['queued', 'in_progress', 'waiting'] as const) {
      const checks = checkAbort({
        deployment: { ...rollout, state },
        environment: 'production',
        owner: ownedBy(new TestDeploymentProvider()),
      });
      expect(checks.every(check => check.passed)).toBe(true);
    }
  });

  it.each(['success', 'failure', 'error', 'inactive'] as const)(
    'refuses a deployment that is %s as not in flight',
    state => {
      const checks = checkAbort({
        deployment: { ...rollout, state },
        environment: 'production',
        owner: ownedBy(new TestDeploymentProvider()),
      });
      expect(checks).toContainEqual({
        rule: 'in-flight',
        passed: false,
        message: `deployment test:9 is ${state}, no longer in flight, so there is nothing to abort`,
      });
    },
  );

  it('refuses a rollout of another environment', () => {
    expect(
      checkAbort({
        deployment: rollout,
        environment: 'staging',
        owner: ownedBy(new TestDeploymentProvider()),
      }),
    ).toContainEqual(
      expect.objectContaining({ rule: 'in-flight', passed: false }),
    );
  });

  it('refuses when no provider owns the environment, naming why', () => {
    expect(
      checkAbort({
        deployment: rollout,
        environment: 'production',
        owner: { problem: 'test and aws both cover production' },
      }),
    ).toContainEqual({
      rule: 'environment-owner',
      passed: false,
      message: 'test and aws both cover production',
    });
  });

  it('refuses an owner without the abort capability', () => {
    const provider = new TestDeploymentProvider({ capabilities: ['promote'] });
    expect(
      checkAbort({
        deployment: rollout,
        environment: 'production',
        owner: ownedBy(provider),
      }),
    ).toContainEqual(
      expect.objectContaining({ rule: 'provider-capability', passed: false }),
    );
  });

  it('refuses a rollout that another provider than the owner reported', () => {
    expect(
      checkAbort({
        deployment: { ...rollout, id: 'aws:d-1', provider: 'aws' },
        environment: 'production',
        owner: ownedBy(new TestDeploymentProvider()),
      }),
    ).toContainEqual(
      expect.objectContaining({
        rule: 'environment-owner',
        passed: false,
        message: expect.stringContaining(
          'reported by aws, but test owns production',
        ),
      }),
    );
  });
});
