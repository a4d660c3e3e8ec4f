import { mockServices } from '@backstage/backend-test-utils';
import {
  approvalCheck,
  checkDecision,
  checkPromotion,
  isProviderGated,
  isSamePerson,
  needsPortalApproval,
  PromotionFacts,
  readDeploymentPolicies,
  refusedChecks,
} from './PromotionPolicy';

const path = ['dev', 'staging', 'production'];
const version = { sha: 'a'.repeat(40), tag: 'v1.2.0' };

function promotion(overrides: Partial<PromotionFacts> = {}): PromotionFacts {
  return {
    action: 'promote',
    environment: 'production',
    path,
    version,
    currentSha: 'b'.repeat(40),
    succeededInPrevious: true,
    ...overrides,
  };
}

function verdict(checks: ReturnType<typeof checkPromotion>, rule: string) {
  return checks.find(check => check.rule === rule);
}

describe('readDeploymentPolicies', () => {
  it('requires approval for production when nothing is configured', () => {
    const config = mockServices.rootConfig({ data: {} });
    expect(readDeploymentPolicies(config).approvalRequired).toEqual([
      'production',
    ]);
  });

  it('reads the environments that need approval from config', () => {
    const config = mockServices.rootConfig({
      data: {
        deployments: { policies: { approvalRequired: ['staging', 'prod'] } },
      },
    });
    expect(readDeploymentPolicies(config).approvalRequired).toEqual([
      'staging',
      'prod',
    ]);
  });

  it('allows turning approvals off with an empty list', () => {
    const config = mockServices.rootConfig({
      data: { deployments: { policies: { approvalRequired: [] } } },
    });
    expect(readDeploymentPolicies(config).approvalRequired).toEqual([]);
  });
});

describe('needsPortalApproval', () => {
  const policies = { approvalRequired: ['production'] };

  it('holds promotions into an environment that needs approval', () => {
    expect(
      needsPortalApproval({
        environment: 'production',
        policies,
        providerGated: false,
      }),
    ).toBe(true);
  });

  it('lets the provider gate be the approval where the provider has one', () => {
    expect(
      needsPortalApproval({
        environment: 'production',
        policies,
        providerGated: true,
      }),
    ).toBe(false);
  });

  it('runs promotions into other environments at once', () => {
    expect(
      needsPortalApproval({
        environment: 'staging',
        policies,
        providerGated: false,
      }),
    ).toBe(false);
  });

  it('explains which approval applies', () => {
    expect(
      approvalCheck({
        environment: 'production',
        policies,
        providerGated: true,
      }).message,
    ).toMatch(/gated by its provider/);
    expect(
      approvalCheck({
        environment: 'production',
        policies,
        providerGated: false,
      }).message,
    ).toMatch(/needs an approval by another person/);
  });
});

describe('isProviderGated', () => {
  const reviewers = [{ type: 'team', name: 'sre' }];

  it('sees a provider gate in an open provider gate for the environment', () => {
    expect(
      isProviderGated({
        environment: 'production',
        openGates: [
          { kind: 'provider', environment: 'production', provider: 'github' },
        ],
        protection: [],
      }),
    ).toBe(true);
  });

  it('sees a provider gate in the stored protection of the environment (required reviewers)', () => {
    expect(
      isProviderGated({
        environment: 'production',
        owner: 'github',
        openGates: [],
        protection: [
          {
            provider: 'github',
            environment: 'production',
            requiredReviewers: reviewers,
          },
        ],
      }),
    ).toBe(true);
  });

  it('does not infer a gate from history: an unprotected environment is not gated', () => {
    expect(
      isProviderGated({
        environment: 'production',
        owner: 'github',
        openGates: [],
        protection: [
          {
            provider: 'github',
            environment: 'production',
            requiredReviewers: [],
          },
        ],
      }),
    ).toBe(false);
  });

  it("ignores portal gates, gates of other environments and another provider's protection", () => {
    expect(
      isProviderGated({
        environment: 'production',
        owner: 'aws',
        openGates: [
          { kind: 'portal', environment: 'production', provider: 'stagecraft' },
          { kind: 'provider', environment: 'staging', provider: 'aws' },
          { kind: 'provider', environment: 'production', provider: 'github' },
        ],
        protection: [
          {
            provider: 'github',
            environment: 'production',
            requiredReviewers: reviewers,
          },
        ],
      }),
    ).toBe(false);
  });
});

describe('checkPromotion', () => {
  it('passes a version that succeeded in the previous environment', () => {
    expect(refusedChecks(checkPromotion(promotion()))).toEqual([]);
  });

  it('refuses a version that has not succeeded in the previous environment', () => {
    const check = verdict(
      checkPromotion(promotion({ succeededInPrevious: false })),
      'promotion-order',
    );
    expect(check).toEqual({
      rule: 'promotion-order',
      passed: false,
      message:
        'v1.2.0 (aaaaaaa) must succeed in staging before it enters production',
    });
  });

  it('lets a permitted override with a reason skip the promotion order', () => {
    const check = verdict(
      checkPromotion(
        promotion({
          succeededInPrevious: false,
          override: { reason: 'hotfix for incident 42', permitted: true },
        }),
      ),
      'promotion-order',
    );
    expect(check?.passed).toBe(true);
    expect(check?.message).toContain('overridden: hotfix for incident 42');
  });

  it('refuses an override without the override permission and says so', () => {
    const check = verdict(
      checkPromotion(
        promotion({
          succeededInPrevious: false,
          override: { reason: 'please', permitted: false },
        }),
      ),
      'promotion-order',
    );
    expect(check?.passed).toBe(false);
    expect(check?.message).toContain('deployments.override');
  });

  it('has no order rule for the first environment on the path', () => {
    const checks = checkPromotion(
      promotion({ environment: 'dev', succeededInPrevious: false }),
    );
    expect(verdict(checks, 'promotion-order')?.passed).toBe(true);
  });

  it('has no order rule for a roll back', () => {
    const checks = checkPromotion(
      promotion({ action: 'rollback', succeededInPrevious: false }),
    );
    expect(verdict(checks, 'promotion-order')?.passed).toBe(true);
  });

  it('refuses to promote the version that already runs there', () => {
    const check = verdict(
      checkPromotion(promotion({ currentSha: version.sha })),
      'nothing-to-promote',
    );
    expect(check).toEqual({
      rule: 'nothing-to-promote',
      passed: false,
      message: 'v1.2.0 (aaaaaaa) is already running in production',
    });
  });

  it('passes nothing-to-promote for an empty environment', () => {
    const checks = checkPromotion(promotion({ currentSha: undefined }));
    expect(verdict(checks, 'nothing-to-promote')?.passed).toBe(true);
  });
});

describe('checkDecision', () => {
  it('refuses an approval by the person who requested it', () => {
    const checks = checkDecision({
      decision: 'approve',
      actor: 'user:default/alice',
      requestedBy: 'user:default/alice',
      comment: 'looks good',
    });
    expect(refusedChecks(checks).map(check => check.rule)).toEqual([
      'no-self-approval',
    ]);
  });

  it('refuses a self-approval of a provider gate requested by the same login', () => {
    const checks = checkDecision({
      decision: 'approve',
      actor: 'user:default/alice',
      requestedBy: 'Alice',
      comment: 'looks good',
    });
    expect(refusedChecks(checks).map(check => check.rule)).toEqual([
      'no-self-approval',
    ]);
  });

  it('passes an approval by another person with a comment', () => {
    const checks = checkDecision({
      decision: 'approve',
      actor: 'user:default/bob',
      requestedBy: 'user:default/alice',
      comment: 'looks good',
    });
    expect(refusedChecks(checks)).toEqual([]);
  });

  it('requires a comment to approve and to reject', () => {
    for (const decision of ['approve', 'reject'] as const) {
      const checks = checkDecision({
        decision,
        actor: 'user:default/bob',
        requestedBy: 'user:default/alice',
        comment: '   ',
      });
      expect(refusedChecks(checks)).toEqual([
        {
          rule: 'comment-required',
          passed: false,
          message: `a comment is required to ${decision}`,
        },
      ]);
    }
  });

  it('lets the requester reject their own request', () => {
    const checks = checkDecision({
      decision: 'reject',
      actor: 'user:default/alice',
      requestedBy: 'user:default/alice',
      comment: 'wrong version',
    });
    expect(refusedChecks(checks)).toEqual([]);
  });
});

describe('isSamePerson', () => {
  it('matches entity refs regardless of case and defaults', () => {
    expect(isSamePerson('user:default/alice', 'User:Default/Alice')).toBe(true);
    expect(isSamePerson('user:default/alice', 'default/alice')).toBe(true);
    expect(isSamePerson('user:default/alice', 'user:other/alice')).toBe(false);
  });

  it('matches a provider login against the user name', () => {
    expect(isSamePerson('user:default/bob', 'bob')).toBe(true);
    expect(isSamePerson('user:default/bob', 'bobby')).toBe(false);
  });
});
