import type { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import type {
  AuditEntry,
  DeploymentActionType,
  PolicyCheck,
  PromotionRequest,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import type { DeploymentProvider } from '@stagecraft/plugin-deployments-node';
import type { DeploymentStore } from '../database/DeploymentStore';
import type { EvidenceDraft } from '../evidence/releaseEvidence';
import { refusedChecks } from '../policy/PromotionPolicy';
import type { ActionContext } from './ActionContext';
import { ActionStopped, permissionCheck } from './outcomes';

/** What an audit entry says about the action, beside who did it and how it ended. */
export interface AuditFields {
  action: DeploymentActionType;
  environment: string;
  version?: Version;
  comment?: string;
  requestId?: string;
}

/**
 * Writes actions to the append-only audit log, turns refusals into outcomes
 * (each refusal is audited, and is all that a refusal writes), and makes
 * provider errors fit for users: no token, no stack.
 */
export class ActionRecorder {
  private readonly store: DeploymentStore;
  private readonly logger: LoggerService;

  constructor(options: { store: DeploymentStore; logger: LoggerService }) {
    this.store = options.store;
    this.logger = options.logger;
  }

  /**
   * Appends the entry; with `evidence`, records the release evidence linked
   * to it. Evidence that cannot be written is logged, never fails the action:
   * the audit entry and the provider's work stand.
   */
  async audit(
    ctx: ActionContext,
    entry: AuditFields &
      Pick<AuditEntry, 'outcome'> &
      Partial<Pick<AuditEntry, 'providerIdentity' | 'requestId' | 'detail'>>,
    evidence?: EvidenceDraft,
  ): Promise<AuditEntry> {
    const appended = await this.store.appendAudit({
      entityRef: ctx.entityRef,
      actor: ctx.actor,
      action: entry.action,
      outcome: entry.outcome,
      environment: entry.environment,
      version: entry.version,
      comment: entry.comment,
      providerIdentity: entry.providerIdentity,
      requestId: entry.requestId,
      detail: entry.detail,
    });
    if (evidence) {
      await this.recordEvidence(ctx, appended, evidence);
    }
    return appended;
  }

  private async recordEvidence(
    ctx: ActionContext,
    entry: AuditEntry,
    evidence: EvidenceDraft,
  ): Promise<void> {
    try {
      await this.store.recordReleaseEvidence({
        ...evidence,
        auditId: entry.id,
        ...(entry.requestId ? { requestId: entry.requestId } : {}),
        entityRef: entry.entityRef,
        outcome: entry.outcome,
        actor: entry.actor,
        ...(entry.providerIdentity
          ? { providerIdentity: entry.providerIdentity }
          : {}),
        ...(entry.comment ? { comment: entry.comment } : {}),
        recordedAt: entry.at,
        idempotencyKey: ctx.idempotencyKey,
      });
    } catch (error) {
      this.logger.error(
        `Could not record the release evidence of audit entry ${entry.id} (${
          entry.action
        } of ${entry.entityRef} to ${entry.environment}): ${
          isError(error) ? error.message : String(error)
        }`,
      );
    }
  }

  /**
   * Marks a portal request failed (it never stays approved: that would block
   * its environment) and audits the failure; returns the failed request.
   */
  async failRequest(
    ctx: ActionContext,
    audited: AuditFields & { requestId: string },
    message: string,
    detail: string = message,
    evidence?: EvidenceDraft,
  ): Promise<PromotionRequest> {
    const failed = await this.store.updateRequest(audited.requestId, {
      state: 'failed',
      error: message,
    });
    await this.audit(ctx, { ...audited, outcome: 'failed', detail }, evidence);
    return failed;
  }

  /** The caller lacks the permission. */
  async refusePermission(
    ctx: ActionContext,
    permission: ResourcePermission<'catalog-entity'>,
    audited: AuditFields,
  ): Promise<ActionStopped> {
    const message = `${permission.name} is not allowed on ${ctx.entityRef}`;
    await this.audit(ctx, {
      ...audited,
      outcome: 'refused',
      detail: `permission: ${message}`,
    });
    return {
      kind: 'forbidden',
      message,
      checks: [permissionCheck(permission.name, false, message)],
    };
  }

  /** Policy rules (or a provider's missing capability) refused the action. */
  async refuse(
    ctx: ActionContext,
    audited: AuditFields,
    checks: PolicyCheck[],
  ): Promise<ActionStopped> {
    const message = refusedChecks(checks)
      .map(check => `${check.rule}: ${check.message}`)
      .join('; ');
    await this.audit(ctx, { ...audited, outcome: 'refused', detail: message });
    return {
      kind: 'refused',
      message: `Refused by policy: ${message}`,
      checks,
    };
  }

  /**
   * The action collides with another one: a second promotion of a busy
   * environment, a second decision of a gate. The refusal names its rule,
   * like a policy refusal, and is audited.
   */
  async refuseConflict(
    ctx: ActionContext,
    audited: AuditFields,
    checks: PolicyCheck[],
    rule: 'one-at-a-time' | 'decided-once',
    conflict: Error,
  ): Promise<ActionStopped> {
    await this.audit(ctx, {
      ...audited,
      outcome: 'refused',
      detail: `${rule}: ${conflict.message}`,
    });
    return {
      kind: 'conflict',
      message: conflict.message,
      checks: [...checks, { rule, passed: false, message: conflict.message }],
    };
  }

  /** A provider error as a message fit for users and the audit log: the user's token scrubbed, no stack. */
  providerMessage(
    ctx: ActionContext,
    provider: DeploymentProvider,
    error: unknown,
  ): string {
    let message = isError(error) ? error.message : String(error);
    if (ctx.userToken) {
      message = message.split(ctx.userToken).join('***');
    }
    this.logger.warn(
      `Provider ${provider.id} failed an action on ${ctx.entityRef}: ${message}`,
    );
    return `${provider.id}: ${message}`;
  }
}
