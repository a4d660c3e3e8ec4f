import { createHash } from 'node:crypto';
import type {
  BackstageCredentials,
  CacheService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/** How long an entity a caller was shown may be served again without asking the catalog. */
export const DEFAULT_ENTITY_READ_TTL: HumanDuration = { seconds: 10 };

/**
 * Reads `deployments.entityCache.ttl`: a duration, `{ seconds: 0 }` turns the
 * cache off; anything else is a start-up error naming the key.
 */
export function readEntityReadTtl(config: RootConfigService): number {
  const key = 'deployments.entityCache.ttl';
  if (!config.has(key)) return durationToMilliseconds(DEFAULT_ENTITY_READ_TTL);
  let ms: number;
  try {
    ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  } catch {
    ms = NaN;
  }
  if (!Number.isFinite(ms) || ms < 0) {
    throw new InputError(
      `${key} must be a duration such as { seconds: 10 } or '10s' ({ seconds: 0 } turns the cache off)`,
    );
  }
  return ms;
}

/**
 * The catalog as the plugin's routes read it: `getEntityByRef` answers are
 * kept for `ttlMs` per caller and entity, so the reads a page makes in a row
 * (lanes, timeline, audit log, …) ask the catalog once. Every other call
 * goes to the catalog.
 *
 * What it keeps is what the catalog showed *that caller*, under a key made of
 * the caller's principal and the entity ref: another caller never gets it.
 * Only entities found are kept, so an entity that appears (or becomes
 * visible) is seen at once; one that disappears or that the caller loses
 * read access to is still served to that caller for at most `ttlMs`. Write
 * actions check their own permission on every call, uncached. A caller
 * without a principal (`none`) always goes to the catalog.
 */
export function cachedEntityReads(
  catalog: CatalogService,
  options: { cache: CacheService; ttlMs: number },
): CatalogService {
  const { ttlMs } = options;
  if (ttlMs <= 0) return catalog;
  const cache = options.cache.withOptions({ defaultTtl: ttlMs });
  const getEntityByRef: CatalogService['getEntityByRef'] = async (
    ref,
    callOptions,
  ) => {
    const key = cacheKey(ref, callOptions.credentials);
    if (!key) return catalog.getEntityByRef(ref, callOptions);
    const kept = await cache.get<Entity>(key);
    if (kept) return kept;
    const entity = await catalog.getEntityByRef(ref, callOptions);
    if (entity) await cache.set(key, entity as any);
    return entity;
  };
  return new Proxy(catalog, {
    get(target, property, receiver) {
      if (property === 'getEntityByRef') return getEntityByRef;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The caller and the entity, hashed (cache stores limit key lengths); undefined for a caller without a principal. */
function cacheKey(
  ref: Parameters<CatalogService['getEntityByRef']>[0],
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  let who: string | undefined;
  if (principal.type === 'user') who = `user:${principal.userEntityRef}`;
  else if (principal.type === 'service') who = `service:${principal.subject}`;
  if (!who) return undefined;
  const entity =
    typeof ref === 'string'
      ? ref
      : `${ref.kind}:${ref.namespace ?? 'default'}/${ref.name}`;
  const digest = createHash('sha256')
    .update(`${who}\n${entity.toLocaleLowerCase('en-US')}`)
    .digest('base64url');
  return `entity-read:${digest}`;
}
