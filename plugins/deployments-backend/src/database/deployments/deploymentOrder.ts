import type { DbTime } from '../dbTime';
import { toMillis } from '../dbTime';

/**
 * The one order of a deployments' history: by creation time, and for
 * deployments created in the same instant (providers report seconds, and a
 * pipeline starts several at once) by the provider's id — the longer, then
 * the greater, so numeric ids count up — and the provider. Never by the
 * row id: that is the order reports happened to arrive in, which differs
 * between replicas, replays and reordered webhooks.
 */
export function newestDeploymentFirst(alias?: string): string {
  const p = alias ? `${alias}.` : '';
  return `${p}created_at desc, length(${p}provider_deployment_id) desc, ${p}provider_deployment_id desc, ${p}provider desc`;
}

/** {@link newestDeploymentFirst}, reversed. */
export function oldestDeploymentFirst(alias?: string): string {
  const p = alias ? `${alias}.` : '';
  return `${p}created_at asc, length(${p}provider_deployment_id) asc, ${p}provider_deployment_id asc, ${p}provider asc`;
}

interface OrderedRow {
  created_at: DbTime;
  provider: string;
  provider_deployment_id: string;
}

/** The same order in memory: negative when `a` is newer than `b`. */
export function compareNewestFirst(a: OrderedRow, b: OrderedRow): number {
  return (
    toMillis(b.created_at)! - toMillis(a.created_at)! ||
    b.provider_deployment_id.length - a.provider_deployment_id.length ||
    compareText(b.provider_deployment_id, a.provider_deployment_id) ||
    compareText(b.provider, a.provider)
  );
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
