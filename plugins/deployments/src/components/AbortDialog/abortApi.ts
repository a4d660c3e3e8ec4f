import type {
  ActionOptions,
  ActionResponse,
  DeploymentsApi,
} from '@stagecraft/plugin-deployments-common';

/** Body of `POST …/abort`: stop one rollout in flight, optionally putting the previous version back. */
export interface AbortBody {
  environment: string;
  /** The in-flight deployment's id (`<provider>:<id>`). */
  deploymentId: string;
  rollback: boolean;
  comment?: string;
}

type AbortMethod = (
  entityRef: string,
  body: AbortBody,
  options?: ActionOptions,
) => Promise<ActionResponse>;

/**
 * The client's `abort`, where it has one. Clients that predate the abort
 * endpoint lack it; the lane then keeps the button, disabled, saying so.
 */
export function abortMethodOf(api: DeploymentsApi): AbortMethod | undefined {
  const abort = (api as DeploymentsApi & { abort?: AbortMethod }).abort;
  return typeof abort === 'function' ? abort.bind(api) : undefined;
}
