import type { Config } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
import type {
  DeploymentActionType,
  PendingGate,
  PolicyCheck,
  Version,
} from '@stagecraft/plugin-deployments-common';
import { FreezeCalendar } from './freeze/FreezeCalendar';

/**
 * The promotion and approval rules of Stagecraft. Plain functions over plain
 * inputs: the actions gather the facts (from the store, the catalog and the
 * permission framework) and these functions decide.
 */

/** Policies read from `deployments.policies`. */
export interface DeploymentPolicies {
  /** Environments whose promotions need an approval before they run. */
  approvalRequired: string[];
  /** Freeze windows (`deployments.freezes`, annotations); absent: none. */
  freezes?: FreezeCalendar;
}

export const DEFAULT_APPROVAL_REQUIRED = ['production'];

export function readDeploymentPolicies(config: Config): DeploymentPolicies {
  const policies = config.getOptionalConfig('deployments.policies');
  return {
    approvalRequired:
      policies?.getOptionalStringArray('approvalRequired') ??
      DEFAULT_APPROVAL_REQUIRED,
    // Throws at start-up naming a bad entry (deployments.freezes[2]: …).
    freezes: FreezeCalendar.fromConfig(config),
  };
}

/**
 * Whether Stagecraft holds a promotion into `environment` as its own pending
 * request. Where the provider gates the environment itself (GitHub required
 * reviewers, a CodePipeline manual approval), that gate is the approval, so
 * Stagecraft does not add a second one.
 */
export function needsPortalApproval(options: {
  environment: string;
  policies: DeploymentPolicies;
  providerGated: boolean;
}): boolean {
  return (
    !options.providerGated &&
    options.policies.approvalRequired.includes(options.environment)
  );
}

/**
 * Whether the environment's owning provider gates deployments into it
 * itself — required reviewers stored by sync (a GitHub environment, a
 * CodePipeline manual approval before the stage) or one of its gates open
 * right now. Then that gate is the approval and Stagecraft holds nothing.
 */
export function isProviderGated(options: {
  environment: string;
  /** The provider that deploys into the environment. */
  owner?: string;
  openGates: Pick<PendingGate, 'kind' | 'environment' | 'provider'>[];
  protection: Array<{
    provider: string;
    environment: string;
    requiredReviewers: unknown[];
  }>;
}): boolean {
  const { environment, owner, openGates, protection } = options;
  const ownedBy = (provider: string) => !owner || provider === owner;
  return (
    protection.some(
      p =>
        p.environment === environment &&
        ownedBy(p.provider) &&
        p.requiredReviewers.length > 0,
    ) ||
    openGates.some(
      gate =>
        gate.kind === 'provider' &&
        gate.environment === environment &&
        ownedBy(gate.provider),
    )
  );
}

/** The verdict on the approval rule, shown with every promotion. */
export function approvalCheck(options: {
  environment: string;
  policies: DeploymentPolicies;
  providerGated: boolean;
}): PolicyCheck {
  const { environment, policies, providerGated } = options;
  let message: string;
  if (providerGated) {
    message = `${environment} is gated by its provider; that gate is the approval`;
  } else if (policies.approvalRequired.includes(environment)) {
    message = `${environment} needs an approval by another person before the promotion runs`;
  } else {
    message = `${environment} needs no approval`;
  }
  return { rule: 'approval-required', passed: true, message };
}

export interface PromotionFacts {
  action: Extract<DeploymentActionType, 'promote' | 'rollback'>;
  environment: string;
  /** The entity's promotion path, in order. */
  path: string[];
  version: Version;
  /** SHA of the version running in `environment` now, if any. */
  currentSha?: string;
  /** Whether `version` succeeded in the environment before `environment` on the path. */
  succeededInPrevious: boolean;
  /** Given when the caller asks to skip the promotion order. */
  override?: { reason: string; permitted: boolean };
}

/** Checks a promotion or roll back: promotion order and nothing-to-promote. */
export function checkPromotion(facts: PromotionFacts): PolicyCheck[] {
  return [promotionOrderCheck(facts), nothingToPromoteCheck(facts)];
}

function label(version: Version): string {
  return version.tag
    ? `${version.tag} (${version.sha.slice(0, 7)})`
    : version.sha.slice(0, 7);
}

function promotionOrderCheck(facts: PromotionFacts): PolicyCheck {
  const { action, environment, path, version, override } = facts;
  const position = path.indexOf(environment);
  if (action === 'rollback') {
    return {
      rule: 'promotion-order',
      passed: true,
      message: `a roll back returns ${environment} to a version that succeeded there before`,
    };
  }
  if (position <= 0) {
    return {
      rule: 'promotion-order',
      passed: true,
      message: `${environment} is the first environment on the path`,
    };
  }
  const previous = path[position - 1];
  if (facts.succeededInPrevious) {
    return {
      rule: 'promotion-order',
      passed: true,
      message: `${label(version)} succeeded in ${previous}`,
    };
  }
  if (override?.permitted) {
    return {
      rule: 'promotion-order',
      passed: true,
      message: `${label(
        version,
      )} has not succeeded in ${previous}; overridden: ${override.reason}`,
    };
  }
  const suffix = override
    ? '; overriding it needs the deployments.override permission'
    : '';
  return {
    rule: 'promotion-order',
    passed: false,
    message: `${label(
      version,
    )} must succeed in ${previous} before it enters ${environment}${suffix}`,
  };
}

function nothingToPromoteCheck(facts: PromotionFacts): PolicyCheck {
  const { environment, version, currentSha } = facts;
  if (currentSha && currentSha === version.sha) {
    return {
      rule: 'nothing-to-promote',
      passed: false,
      message: `${label(version)} is already running in ${environment}`,
    };
  }
  return {
    rule: 'nothing-to-promote',
    passed: true,
    message: `${environment} runs ${
      currentSha ? currentSha.slice(0, 7) : 'nothing yet'
    }`,
  };
}

export interface DecisionFacts {
  decision: 'approve' | 'reject';
  /** Backstage user entity ref of who decides. */
  actor: string;
  /** Who asked for the deployment: a user entity ref, or a provider login. */
  requestedBy?: string;
  comment?: string;
}

/** Checks an approval or rejection: no self-approval, comment required. */
export function checkDecision(facts: DecisionFacts): PolicyCheck[] {
  const checks: PolicyCheck[] = [];
  if (facts.decision === 'approve') {
    const self =
      facts.requestedBy !== undefined &&
      isSamePerson(facts.actor, facts.requestedBy);
    checks.push({
      rule: 'no-self-approval',
      passed: !self,
      message: self
        ? `${facts.actor} asked for this deployment and cannot approve it`
        : `requested by ${facts.requestedBy ?? 'an unknown person'}`,
    });
  }
  const hasComment = (facts.comment ?? '').trim().length > 0;
  checks.push({
    rule: 'comment-required',
    passed: hasComment,
    message: hasComment
      ? 'a comment is given'
      : `a comment is required to ${facts.decision}`,
  });
  return checks;
}

/**
 * Whether a Backstage user and a requester are the same person. Providers
 * report logins (`alice`), Stagecraft stores entity refs (`user:default/alice`);
 * a login matches the name of the user entity, ignoring case.
 */
export function isSamePerson(
  userEntityRef: string,
  requester: string,
): boolean {
  const user = parseEntityRef(userEntityRef, {
    defaultKind: 'user',
    defaultNamespace: 'default',
  });
  if (requester.includes(':') || requester.includes('/')) {
    try {
      const other = parseEntityRef(requester, {
        defaultKind: 'user',
        defaultNamespace: 'default',
      });
      return (
        other.kind.toLocaleLowerCase('en-US') ===
          user.kind.toLocaleLowerCase('en-US') &&
        other.namespace.toLocaleLowerCase('en-US') ===
          user.namespace.toLocaleLowerCase('en-US') &&
        other.name.toLocaleLowerCase('en-US') ===
          user.name.toLocaleLowerCase('en-US')
      );
    } catch {
      return false;
    }
  }
  return (
    requester.toLocaleLowerCase('en-US') ===
    user.name.toLocaleLowerCase('en-US')
  );
}

/** The checks that failed. */
export function refusedChecks(checks: PolicyCheck[]): PolicyCheck[] {
  return checks.filter(check => !check.passed);
}
