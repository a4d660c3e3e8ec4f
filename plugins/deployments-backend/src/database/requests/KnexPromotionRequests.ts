import { randomUUID } from 'node:crypto';
import { isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  PromotionRequest,
  PromotionRequestState,
} from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type { NewPromotionRequest } from '../DeploymentStore';
import { DbTime, isoOrUndefined, parseTime, toIso } from '../dbTime';
import { MAX_ERROR_LENGTH, compact } from '../rowValues';
import { VersionColumns, toVersion, versionColumns } from '../versionColumns';

const ACTIVE_REQUEST_STATES: readonly PromotionRequestState[] = [
  'pending',
  'approved',
];

export interface RequestRow extends VersionColumns {
  id: string;
  entity_ref: string;
  action: string;
  environment: string;
  state: string;
  requested_by: string;
  requested_at: DbTime;
  comment: string | null;
  decided_by: string | null;
  decided_at: DbTime | null;
  decision_comment: string | null;
  provider_reference: string | null;
  error: string | null;
  active_slot: string | null;
}

export type RequestPatch = Partial<
  Pick<
    PromotionRequest,
    | 'state'
    | 'decidedBy'
    | 'decidedAt'
    | 'decisionComment'
    | 'providerReference'
    | 'error'
  >
>;

/**
 * Promotions, approvals and roll backs asked for in the portal. One request
 * per entity and environment may be active (pending or approved) at a time;
 * the unique `active_slot` enforces it on both databases, also under races.
 */
export class KnexPromotionRequests {
  constructor(private readonly db: Knex) {}

  async createRequest(request: NewPromotionRequest): Promise<PromotionRequest> {
    const row: RequestRow = {
      id: randomUUID(),
      entity_ref: request.entityRef,
      action: request.action,
      environment: request.environment,
      ...versionColumns(request.version),
      state: request.state,
      requested_by: request.requestedBy,
      requested_at: new Date(),
      comment: request.comment ?? null,
      decided_by: null,
      decided_at: null,
      decision_comment: null,
      provider_reference: null,
      error: null,
      active_slot: activeSlot(request.entityRef, request.environment),
    };
    try {
      await this.db('promotion_requests').insert(row);
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        throw await this.activeSlotConflict(
          request.entityRef,
          request.environment,
        );
      }
      throw error;
    }
    return toRequest(row);
  }

  private async activeSlotConflict(entityRef: string, environment: string) {
    const holder: RequestRow | undefined = await this.db('promotion_requests')
      .where('active_slot', activeSlot(entityRef, environment))
      .first();
    return new ConflictError(
      `A ${
        holder?.action ?? 'promotion'
      } request for ${entityRef} in '${environment}' is already ${
        holder?.state ?? 'in progress'
      }${holder ? ` (request ${holder.id})` : ''}`,
    );
  }

  async updateRequest(
    id: string,
    patch: RequestPatch,
  ): Promise<PromotionRequest> {
    const existing: RequestRow | undefined = await this.db('promotion_requests')
      .where({ id })
      .first();
    if (!existing) {
      throw new NotFoundError(`No promotion request '${id}'`);
    }
    const changes: Partial<RequestRow> = {};
    if (patch.state !== undefined) {
      changes.state = patch.state;
      changes.active_slot = ACTIVE_REQUEST_STATES.includes(patch.state)
        ? activeSlot(existing.entity_ref, existing.environment)
        : null;
    }
    if (patch.decidedBy !== undefined) changes.decided_by = patch.decidedBy;
    if (patch.decidedAt !== undefined) {
      changes.decided_at = parseTime(patch.decidedAt, 'decidedAt');
    }
    if (patch.decisionComment !== undefined) {
      changes.decision_comment = patch.decisionComment;
    }
    if (patch.providerReference !== undefined) {
      changes.provider_reference = patch.providerReference;
    }
    if (patch.error !== undefined) {
      changes.error = patch.error.slice(0, MAX_ERROR_LENGTH);
    }
    if (Object.keys(changes).length > 0) {
      try {
        await this.db('promotion_requests').where({ id }).update(changes);
      } catch (error) {
        if (isDatabaseConflictError(error)) {
          throw await this.activeSlotConflict(
            existing.entity_ref,
            existing.environment,
          );
        }
        throw error;
      }
    }
    return toRequest({ ...existing, ...changes });
  }

  async getRequest(id: string): Promise<PromotionRequest | undefined> {
    const row: RequestRow | undefined = await this.db('promotion_requests')
      .where({ id })
      .first();
    return row && toRequest(row);
  }

  async listPendingRequests(entityRef?: string): Promise<PromotionRequest[]> {
    const query = this.db<RequestRow>('promotion_requests')
      .where('state', 'pending')
      .orderBy([
        { column: 'requested_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    if (entityRef !== undefined) query.where('entity_ref', entityRef);
    return (await query).map(toRequest);
  }
}

/** `entity_ref|environment` while pending or running, NULL afterwards (NULLs never collide). */
function activeSlot(entityRef: string, environment: string) {
  return `${entityRef}|${environment}`;
}

/** A row of `promotion_requests` (as the driver or a JSON aggregate gives it) as a request. */
export function toRequest(row: RequestRow): PromotionRequest {
  return compact({
    id: row.id,
    entityRef: row.entity_ref,
    action: row.action as PromotionRequest['action'],
    environment: row.environment,
    version: toVersion(row),
    state: row.state as PromotionRequestState,
    requestedBy: row.requested_by,
    requestedAt: toIso(row.requested_at),
    comment: row.comment ?? undefined,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: isoOrUndefined(row.decided_at),
    decisionComment: row.decision_comment ?? undefined,
    providerReference: row.provider_reference ?? undefined,
    error: row.error ?? undefined,
  });
}
