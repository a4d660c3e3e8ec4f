import { createHash } from 'node:crypto';
import { ConflictError, CustomErrorBase } from '@backstage/errors';
import type { DeploymentStore } from '../database/DeploymentStore';

/** The same Idempotency-Key was sent with a different request (422). */
export class IdempotencyKeyReusedError extends CustomErrorBase {
  name = 'IdempotencyKeyReusedError' as const;
  statusCode = 422;
}

/** A stable fingerprint of a request: the same request gives the same hash, whatever its key order. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Runs `action` at most once per (scope, key). A completed key answers with
 * the stored reply; a key in flight answers 409; a key reused for another
 * request answers 422. When `action` throws, nothing was recorded, so the key
 * is freed for a retry. `statusOf` gives the status stored beside the reply
 * (the edge's concern: actions return outcomes, not statuses).
 */
export async function runOnce<T>(
  store: DeploymentStore,
  claim: { scope: string; key: string; fingerprint: string },
  action: () => Promise<T>,
  statusOf: (reply: T) => number,
): Promise<{ reply: unknown; replayed: true } | { reply: T; replayed: false }> {
  const { scope, key, fingerprint } = claim;
  const claimed = await store.claimIdempotencyKey(scope, key, fingerprint);
  if (claimed.status === 'replay') {
    return { reply: claimed.response, replayed: true };
  }
  if (claimed.status === 'in-progress') {
    throw new ConflictError(
      `A request with Idempotency-Key '${key}' is still being processed`,
    );
  }
  if (claimed.status === 'mismatch') {
    throw new IdempotencyKeyReusedError(
      `Idempotency-Key '${key}' was already used for a different request`,
    );
  }
  let reply: T;
  try {
    reply = await action();
  } catch (error) {
    await store.releaseIdempotencyKey(scope, key);
    throw error;
  }
  await store.completeIdempotencyKey(scope, key, statusOf(reply), reply);
  return { reply, replayed: false };
}
