import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { DeploymentStore } from '../database/DeploymentStore';
import type { DeploymentPolicies } from '../policy/PromotionPolicy';
import type { EntitySourceSet } from '../sources/EntitySources';
import type { ActionRecorder } from './ActionRecorder';

/** Who acts on which entity, with what. Built by the router per request. */
export interface ActionContext {
  entity: Entity;
  entityRef: string;
  /** The entity's promotion path, in order. */
  path: string[];
  /** Where the entity's deployments live: owners of environments, change source. */
  sources: EntitySourceSet;
  /** Backstage user entity ref of the caller. */
  actor: string;
  credentials: BackstageCredentials;
  idempotencyKey: string;
  /** The caller's own provider token, for provider reviews. Never stored. */
  userToken?: string;
}

/** What every action works with. */
export interface ActionServices {
  store: DeploymentStore;
  permissions: PermissionsService;
  policies: DeploymentPolicies;
  recorder: ActionRecorder;
}

/** Prefix of the gate ids of Stagecraft's own pending requests. */
export const PORTAL_GATE_PREFIX = 'stagecraft:';

export function portalGateId(requestId: string): string {
  return `${PORTAL_GATE_PREFIX}${requestId}`;
}

/** The environment's position on the entity's promotion path; a 400 naming the path when it is not on it. */
export function positionOnPath(
  ctx: ActionContext,
  environment: string,
): number {
  const position = ctx.path.indexOf(environment);
  if (position < 0) {
    throw new InputError(
      `environment '${environment}' is not on the promotion path of ${
        ctx.entityRef
      } (${ctx.path.join(' → ')})`,
    );
  }
  return position;
}
