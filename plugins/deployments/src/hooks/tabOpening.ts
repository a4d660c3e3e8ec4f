import type {
  EnvironmentsQuery,
  EnvironmentsResponse,
} from '@stagecraft/plugin-deployments-common';
import type { DeploymentsApi } from '../api';

/** Rows of the timeline's first page, asked for with the tab's first answer. */
export const TAB_TIMELINE_PAGE_SIZE = 20;

/**
 * How long a started first request serves the tab. React may render a
 * component several times before it first commits, throwing the renders away
 * (a sibling that suspends, say): within this time those renders share one
 * request instead of sending one each.
 */
const FRESH_FOR_MS = 5_000;

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

function fresh(entry: Started | undefined, pageSize: number) {
  return (
    entry !== undefined &&
    entry.pageSize === pageSize &&
    Date.now() - entry.at <= FRESH_FOR_MS
  );
}

/**
 * Sends the Deployments tab's first request for an entity now, before the
 * tab's own code has loaded, so that the request and the loading of that
 * code overlap; once, however often it is called within a few seconds. The
 * tab takes the answer with `takeTabOpening`, and `releaseTabOpening` once
 * it has mounted.
 */
export function startTabOpening(
  api: DeploymentsApi,
  entityRef: string,
  pageSize = TAB_TIMELINE_PAGE_SIZE,
): void {
  if (fresh(started.get(api)?.get(entityRef), pageSize)) return;
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
 * The first request `startTabOpening` sent for this entity: undefined when
 * none was sent, it asked for another page size, or it is older than a few
 * seconds (the tab then asks itself).
 */
export function takeTabOpening(
  api: DeploymentsApi,
  entityRef: string,
  pageSize: number,
): Promise<EnvironmentsResponse> | undefined {
  const entry = started.get(api)?.get(entityRef);
  return fresh(entry, pageSize) ? entry!.answer : undefined;
}

/** Forgets the first request of an entity's tab: the tab has mounted with it; opening it again asks anew. */
export function releaseTabOpening(api: DeploymentsApi, entityRef: string) {
  started.get(api)?.delete(entityRef);
}
