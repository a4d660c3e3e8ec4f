import type {
  EnvironmentsQuery,
  EnvironmentsResponse,
} from '@stagecraft/plugin-deployments-common';
import type { DeploymentsApi } from '../api';

/** Rows of the timeline's first page, asked for with the tab's first answer. */
export const TAB_TIMELINE_PAGE_SIZE = 20;

/** How long a started first request waits to be taken before it is asked again. */
const TAKE_WITHIN_MS = 10_000;

/** What the tab's first request asks for: the lanes, the caller's permissions and the timeline's first page. */
export function tabQuery(pageSize: number): EnvironmentsQuery {
  return { include: ['permissions', 'timeline'], timelineLimit: pageSize };
}

interface Started {
  answer: Promise<EnvironmentsResponse>;
  pageSize: number;
  at: number;
}

const started = new WeakMap<DeploymentsApi, Map<string, Started>>();

/**
 * Sends the Deployments tab's first request for an entity now, before the
 * tab's own code has loaded, so that the request and the loading of that
 * code overlap. The tab takes the answer with `takeTabOpening`.
 */
export function startTabOpening(
  api: DeploymentsApi,
  entityRef: string,
  pageSize = TAB_TIMELINE_PAGE_SIZE,
): void {
  const answer = api.getEnvironments(entityRef, tabQuery(pageSize));
  // Whoever takes it reports its failure; unclaimed, it must not be unhandled.
  answer.catch(() => {});
  let forApi = started.get(api);
  if (!forApi) {
    forApi = new Map();
    started.set(api, forApi);
  }
  forApi.set(entityRef, { answer, pageSize, at: Date.now() });
}

/**
 * The first request `startTabOpening` sent for this entity, once: undefined
 * when none was sent, it asked for another page size, or it is older than a
 * few seconds (the tab then asks itself).
 */
export function takeTabOpening(
  api: DeploymentsApi,
  entityRef: string,
  pageSize: number,
): Promise<EnvironmentsResponse> | undefined {
  const forApi = started.get(api);
  const entry = forApi?.get(entityRef);
  if (!entry) return undefined;
  forApi!.delete(entityRef);
  if (entry.pageSize !== pageSize || Date.now() - entry.at > TAKE_WITHIN_MS) {
    return undefined;
  }
  return entry.answer;
}
