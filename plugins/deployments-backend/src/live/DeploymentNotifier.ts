import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { stringifyError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationPayload } from '@backstage/plugin-notifications-common';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type {
  AuditEntry,
  Deployment,
  DeploymentState,
  GateReviewer,
  PendingGate,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type { DeploymentStore } from '../database/DeploymentStore';
import { requestAsGate } from '../reads/EnvironmentLanes';
import type { LedgerChange, LedgerChanges } from './LedgerChanges';
import type {
  KnexSentNotifications,
  NotificationKind,
} from './KnexSentNotifications';

/** Which notifications are sent; each kind can be turned off in config. */
export type NotificationKinds = Record<NotificationKind, boolean>;

/** A failure older than this when it reaches the store is history, not news (a first sync of old data). */
export const FAILURE_NEWS_MS = 24 * 60 * 60 * 1000;

const FAILED_STATES: ReadonlySet<DeploymentState> = new Set([
  'failure',
  'error',
  'rolled_back',
]);

function isFailed(state: DeploymentState | undefined): boolean {
  return state !== undefined && FAILED_STATES.has(state);
}

/** The notifications topic of each kind, as the notifications page groups them. */
export const NOTIFICATION_TOPICS: Record<NotificationKind, string> = {
  approvalNeeded: 'Deployments: approval needed',
  decided: 'Deployments: decided',
  failed: 'Deployments: failed',
};

/**
 * Turns ledger changes into Backstage notifications:
 *
 * - **approval needed** when a gate opens (a provider's gate or the portal's
 *   own pending request), to the gate's reviewers that are Backstage users or
 *   groups, and to the entity's owners when reviewers are provider principals
 *   (GitHub users and teams, IAM roles) or when anyone allowed may approve;
 * - **decided** when a gate is approved or rejected in the portal, to whoever
 *   asked for the deployment in the portal;
 * - **failed / rolled back in** the last environment of the promotion path, to
 *   the entity's owners.
 *
 * Each links to the entity's Deployments tab, is sent once per gate, decision
 * or deployment state (remembered in the database, so restarts and replicas
 * do not repeat it) and carries a scope, so a later state of the same
 * deployment updates the notification instead of adding one.
 */
export class DeploymentNotifier implements LedgerChanges {
  private readonly notifications: NotificationService;
  private readonly sent: KnexSentNotifications;
  private readonly store: DeploymentStore;
  private readonly catalog: CatalogService;
  private readonly auth: AuthService;
  private readonly logger: LoggerService;
  private readonly kinds: NotificationKinds;
  private readonly promotionPathOf: (entity: Entity) => string[];
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  private lastFailureLog = 0;

  constructor(options: {
    notifications: NotificationService;
    sent: KnexSentNotifications;
    store: DeploymentStore;
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    kinds: NotificationKinds;
    promotionPathOf: (entity: Entity) => string[];
    now?: () => number;
  }) {
    this.notifications = options.notifications;
    this.sent = options.sent;
    this.store = options.store;
    this.catalog = options.catalog;
    this.auth = options.auth;
    this.logger = options.logger;
    this.kinds = options.kinds;
    this.promotionPathOf = options.promotionPathOf;
    this.now = options.now ?? Date.now;
  }

  onLedgerChanged(entityRefs: string[], change: LedgerChange): void {
    for (const entityRef of entityRefs) {
      const work = this.handle(entityRef, change)
        .catch(error => this.failed(entityRef, error))
        .finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }
  }

  /** Resolves when the notifications of every change so far were sent or skipped. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.all(this.inFlight);
    }
  }

  private async handle(entityRef: string, change: LedgerChange) {
    switch (change.part) {
      case 'gates':
        for (const gate of change.opened) {
          await this.approvalNeeded(entityRef, gate);
        }
        return;
      case 'requests':
        if (change.created && change.request.state === 'pending') {
          await this.approvalNeeded(entityRef, requestAsGate(change.request));
        }
        return;
      case 'audit':
        await this.decided(entityRef, change.entry);
        return;
      case 'deployments':
        await this.failedInLastEnvironment(
          entityRef,
          change.provider,
          change.reported
            .filter(d => isFailed(d.statuses[d.statuses.length - 1]?.state))
            .map(d => ({
              environment: d.environment,
              providerDeploymentId: d.providerDeploymentId,
            })),
        );
        return;
      default:
        return;
    }
  }

  private async approvalNeeded(entityRef: string, gate: PendingGate) {
    if (!this.kinds.approvalNeeded) return;
    await this.send('approvalNeeded', `approval-needed:${gate.id}`, entityRef, {
      recipients: async entity => {
        const direct = gate.reviewers.flatMap(backstageRecipient);
        const viaOwners =
          gate.reviewers.length === 0 || direct.length < gate.reviewers.length;
        return [...direct, ...(viaOwners ? ownersOf(entity) : [])];
      },
      // Who asked may not approve; a provider login names no Backstage user.
      exclude:
        gate.requestedBy && isUserRef(gate.requestedBy)
          ? [gate.requestedBy]
          : [],
      payload: entity => ({
        title: `Approval needed: ${entity.metadata.name} ${versionLabel(
          gate.version,
        )} to ${gate.environment}`,
        description: [
          `${versionLabel(gate.version)} waits for approval to enter ${
            gate.environment
          }`,
          gate.requestedBy ? ` (asked by ${gate.requestedBy})` : '',
          '.',
          gate.reviewers.length
            ? ` Reviewers: ${gate.reviewers.map(reviewerLabel).join(', ')}.`
            : ' Anyone allowed to approve may decide, except who asked.',
          gate.summary ? ` ${gate.summary}` : '',
        ].join(''),
        severity: 'high',
        topic: NOTIFICATION_TOPICS.approvalNeeded,
        scope: `deployments:gate:${gate.id}`,
      }),
    });
  }

  private async decided(entityRef: string, entry: AuditEntry) {
    if (!this.kinds.decided) return;
    if (entry.action !== 'approve' && entry.action !== 'reject') return;
    if (entry.outcome !== 'approved' && entry.outcome !== 'rejected') return;
    const requester = await this.requesterOf(entityRef, entry);
    if (!requester || !isUserRef(requester)) return;
    const verb = entry.outcome === 'approved' ? 'Approved' : 'Rejected';
    const version = entry.version ? versionLabel(entry.version) : 'the version';
    await this.send('decided', `decided:${entry.id}`, entityRef, {
      recipients: async () => [requester],
      exclude: [entry.actor],
      payload: entity => ({
        title: `${verb}: ${entity.metadata.name} ${version} to ${entry.environment}`,
        description: `${entry.actor} ${verb.toLowerCase()} ${version} for ${
          entry.environment
        }${entry.comment ? `: “${entry.comment}”` : '.'}`,
        severity: entry.outcome === 'approved' ? 'normal' : 'high',
        topic: NOTIFICATION_TOPICS.decided,
        scope: entry.requestId
          ? `deployments:gate:stagecraft:${entry.requestId}`
          : `deployments:decided:${entry.id}`,
      }),
    });
  }

  /**
   * Who asked for the decided deployment in the portal: the requester of the
   * portal's own request, or, for a provider's gate, whoever last promoted
   * (or rolled back) that version into that environment through the portal.
   * A deployment started outside the portal has no Backstage requester; the
   * provider tells its own.
   */
  private async requesterOf(
    entityRef: string,
    entry: AuditEntry,
  ): Promise<string | undefined> {
    if (entry.requestId) {
      return (await this.store.getRequest(entry.requestId))?.requestedBy;
    }
    if (!entry.version) return undefined;
    const { entries } = await this.store.listAudit(
      entityRef,
      { environment: [entry.environment], action: ['promote', 'rollback'] },
      { limit: 50 },
    );
    return entries.find(
      e =>
        e.version?.sha === entry.version?.sha &&
        (e.outcome === 'executed' || e.outcome === 'requested'),
    )?.actor;
  }

  private async failedInLastEnvironment(
    entityRef: string,
    provider: string,
    reported: Array<{ environment: string; providerDeploymentId: string }>,
  ) {
    // Most writes report no failure at all: nothing to ask the catalog.
    if (!this.kinds.failed || reported.length === 0) return;
    const entity = await this.entityOf(entityRef);
    if (!entity) return;
    const path = this.promotionPathOf(entity);
    const last = path[path.length - 1];
    const ids = new Set(
      reported
        .filter(d => d.environment === last)
        .map(d => `${provider}:${d.providerDeploymentId}`),
    );
    if (ids.size === 0) return;
    const latest = (await this.store.getEnvironmentStates(entityRef, [last]))[
      last
    ]?.latest;
    if (!latest || !ids.has(latest.id) || !FAILED_STATES.has(latest.state)) {
      return;
    }
    if (this.now() - endedAt(latest) > FAILURE_NEWS_MS) return;
    const what = latest.state === 'rolled_back' ? 'rolled back' : 'failed';
    await this.send(
      'failed',
      `failed:${latest.id}:${latest.state}`,
      entityRef,
      {
        entity,
        recipients: async () => ownersOf(entity),
        exclude: [],
        payload: () => ({
          title: `${entity.metadata.name} ${versionLabel(
            latest.version,
          )} ${what} in ${last}`,
          description: [
            `The deployment of ${versionLabel(latest.version)} to ${last}`,
            latest.state === 'rolled_back'
              ? ' was rolled back'
              : ` ended in ${latest.state}`,
            latest.rollback?.reason ? `: ${latest.rollback.reason}` : '',
            '.',
            latest.triggeredBy ? ` Triggered by ${latest.triggeredBy}.` : '',
          ].join(''),
          severity: latest.state === 'rolled_back' ? 'high' : 'critical',
          topic: NOTIFICATION_TOPICS.failed,
          scope: `deployments:deployment:${latest.id}`,
        }),
      },
    );
  }

  /** Sends once per key, when the notifications plugin is there and there is someone to tell. */
  private async send(
    kind: NotificationKind,
    key: string,
    entityRef: string,
    what: {
      entity?: Entity;
      recipients: (entity: Entity) => Promise<string[]>;
      exclude: string[];
      payload: (entity: Entity) => Omit<NotificationPayload, 'link'>;
    },
  ) {
    const entity = what.entity ?? (await this.entityOf(entityRef));
    if (!entity) return;
    const recipients = [...new Set(await what.recipients(entity))];
    if (recipients.length === 0) return;
    if (!(await this.sent.claim(key, kind, entityRef))) return;
    try {
      await this.notifications.send({
        recipients: {
          type: 'entity',
          entityRef: recipients,
          ...(what.exclude.length ? { excludeEntityRef: what.exclude } : {}),
        },
        payload: { ...what.payload(entity), link: tabLinkOf(entity) },
      });
    } catch (error) {
      await this.sent.release(key);
      throw error;
    }
  }

  private async entityOf(entityRef: string): Promise<Entity | undefined> {
    const credentials = await this.auth.getOwnServiceCredentials();
    return this.catalog.getEntityByRef(entityRef, { credentials });
  }

  /** One warning in ten minutes at most: a notifications backend that is down must not flood the log. */
  private failed(entityRef: string, error: unknown) {
    const now = this.now();
    if (now - this.lastFailureLog < 10 * 60_000) return;
    this.lastFailureLog = now;
    this.logger.warn(
      `Could not send a deployments notification about ${entityRef}: ${stringifyError(
        error,
      )}`,
    );
  }
}

/** The entity's Deployments tab, relative to the app (the notifications page resolves it). */
export function tabLinkOf(entity: Entity): string {
  const namespace = entity.metadata.namespace ?? 'default';
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    entity.kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(entity.metadata.name)}/deployments`;
}

/** The entity's owners: its ownedBy relations, or `spec.owner` before the catalog has processed it. */
export function ownersOf(entity: Entity): string[] {
  const related = (entity.relations ?? [])
    .filter(relation => relation.type === RELATION_OWNED_BY)
    .map(relation => relation.targetRef);
  if (related.length > 0) return related;
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return [];
  try {
    return [
      stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ),
    ];
  } catch {
    return [];
  }
}

/** A reviewer that names a Backstage user or group (`user:…`, `group:…`); provider principals name none. */
function backstageRecipient(reviewer: GateReviewer): string[] {
  if (!/^(user|group):/i.test(reviewer.name)) return [];
  try {
    return [stringifyEntityRef(parseEntityRef(reviewer.name))];
  } catch {
    return [];
  }
}

function isUserRef(ref: string): boolean {
  try {
    return parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'user';
  } catch {
    return false;
  }
}

function reviewerLabel(reviewer: GateReviewer): string {
  return reviewer.type === 'team' ? `@${reviewer.name}` : reviewer.name;
}

function versionLabel(version: Version): string {
  return version.tag ?? version.sha.slice(0, 7);
}

function endedAt(deployment: Deployment): number {
  const last = deployment.statuses[deployment.statuses.length - 1];
  return Date.parse(deployment.finishedAt ?? last?.at ?? deployment.updatedAt);
}
