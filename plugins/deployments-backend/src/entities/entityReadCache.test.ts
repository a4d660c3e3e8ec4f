import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { CacheManager } from '@backstage/backend-defaults/cache';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { cachedEntityReads, readEntityReadTtl } from './entityReadCache';

const REF = 'component:default/payments-api';
const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/payments' },
};

/** A catalog that shows the entity to the callers in `canSee` only, counting its reads. */
function catalogWithAccess(canSee: Set<string>) {
  const calls: string[] = [];
  const catalog = catalogServiceMock.mock({
    getEntityByRef: async (_ref, options) => {
      const credentials = (options as { credentials: BackstageCredentials })
        .credentials;
      const who = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      calls.push(who);
      return canSee.has(who) ? entity : undefined;
    },
  });
  return { catalog, calls };
}

/** The real memory store of Backstage's cache service, as a backend gets it. */
function memoryCache() {
  return CacheManager.fromConfig(
    mockServices.rootConfig({
      data: { backend: { cache: { store: 'memory' } } },
    }),
  ).forPlugin('deployments');
}

const alice = mockCredentials.user('user:default/alice');
const bob = mockCredentials.user('user:default/bob');
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('cachedEntityReads', () => {
  it('asks the catalog once for reads of the same entity by the same caller within the TTL', async () => {
    const { catalog, calls } = catalogWithAccess(
      new Set(['user:default/alice']),
    );
    const reads = cachedEntityReads(catalog, {
      cache: memoryCache(),
      ttlMs: 60_000,
    });

    await expect(
      reads.getEntityByRef(REF, { credentials: alice }),
    ).resolves.toEqual(entity);
    await expect(
      reads.getEntityByRef(
        { kind: 'Component', namespace: 'default', name: 'Payments-API' },
        { credentials: alice },
      ),
    ).resolves.toEqual(entity);
    expect(calls).toEqual(['user:default/alice']);
  });

  it('never serves one caller what the catalog showed another', async () => {
    const { catalog, calls } = catalogWithAccess(
      new Set(['user:default/alice']),
    );
    const reads = cachedEntityReads(catalog, {
      cache: memoryCache(),
      ttlMs: 60_000,
    });

    await reads.getEntityByRef(REF, { credentials: alice });
    await expect(
      reads.getEntityByRef(REF, { credentials: bob }),
    ).resolves.toBeUndefined();
    expect(calls).toEqual(['user:default/alice', 'user:default/bob']);
  });

  it('refuses a caller who lost read access once the TTL has passed', async () => {
    const canSee = new Set(['user:default/alice']);
    const { catalog } = catalogWithAccess(canSee);
    const reads = cachedEntityReads(catalog, {
      cache: memoryCache(),
      ttlMs: 300,
    });
    await expect(
      reads.getEntityByRef(REF, { credentials: alice }),
    ).resolves.toEqual(entity);

    canSee.delete('user:default/alice');
    await sleep(350);
    await expect(
      reads.getEntityByRef(REF, { credentials: alice }),
    ).resolves.toBeUndefined();
  });

  it('does not keep a miss: an entity the caller comes to see is shown at once', async () => {
    const canSee = new Set<string>();
    const { catalog } = catalogWithAccess(canSee);
    const reads = cachedEntityReads(catalog, {
      cache: memoryCache(),
      ttlMs: 60_000,
    });
    await expect(
      reads.getEntityByRef(REF, { credentials: alice }),
    ).resolves.toBeUndefined();

    canSee.add('user:default/alice');
    await expect(
      reads.getEntityByRef(REF, { credentials: alice }),
    ).resolves.toEqual(entity);
  });

  it('always asks the catalog for a caller without a principal, and when turned off', async () => {
    const { catalog } = catalogWithAccess(new Set());
    const cached = cachedEntityReads(catalog, {
      cache: memoryCache(),
      ttlMs: 60_000,
    });
    await cached.getEntityByRef(REF, { credentials: mockCredentials.none() });
    await cached.getEntityByRef(REF, { credentials: mockCredentials.none() });
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(2);

    expect(cachedEntityReads(catalog, { cache: memoryCache(), ttlMs: 0 })).toBe(
      catalog,
    );
  });

  it('passes every other catalog call through', async () => {
    const { catalog } = catalogWithAccess(new Set());
    const reads = cachedEntityReads(catalog, {
      cache: memoryCache(),
      ttlMs: 60_000,
    });
    await reads.getEntities({}, { credentials: alice });
    expect(catalog.getEntities).toHaveBeenCalledTimes(1);
  });
});

describe('readEntityReadTtl', () => {
  const config = (deployments?: object) =>
    mockServices.rootConfig({ data: deployments ? { deployments } : {} });

  it('is 10 seconds unless configured, and 0 turns the cache off', () => {
    expect(readEntityReadTtl(config())).toBe(10_000);
    expect(
      readEntityReadTtl(config({ entityCache: { ttl: { seconds: 0 } } })),
    ).toBe(0);
    expect(
      readEntityReadTtl(config({ entityCache: { ttl: { minutes: 1 } } })),
    ).toBe(60_000);
  });

  it('fails at start-up on a value that is not a duration, naming the key', () => {
    expect(() =>
      readEntityReadTtl(config({ entityCache: { ttl: 'soon' } })),
    ).toThrow(/deployments\.entityCache\.ttl must be a duration/);
  });
});
