import type {
  DeploymentStore,
  StoredGate,
  SyncCursorState,
} from '../database/DeploymentStore';
import type { LedgerChanges } from './LedgerChanges';

type Overrides = Partial<DeploymentStore>;

/**
 * The store, telling `changes` about every write that changed an entity's
 * ledger, whoever wrote (the scheduled sync, a webhook, a portal action).
 * Deployments say what they changed; for gates, traffic, protection and
 * sync staleness the state is read before and after the write, so a sync
 * that found nothing new tells nobody. Portal requests and audit entries are
 * always new. Reads, and the methods not listed here, are the store's own.
 *
 * A link from a second provider changes no count and is not told on its
 * own; it shows with the next change or poll.
 */
export function observeLedger(
  store: DeploymentStore,
  changes: LedgerChanges,
): DeploymentStore {
  const gateIds = async (entityRef: string) =>
    new Map(
      (await store.listOpenGates(entityRef)).map(
        gate => [gate.id, gate] as const,
      ),
    );

  /** Runs a gate write between two reads of the entity's open gates and tells what opened and closed. */
  const gateWrite = async (
    entityRef: string,
    write: () => Promise<void>,
  ): Promise<void> => {
    const before = await gateIds(entityRef);
    await write();
    const after = await gateIds(entityRef);
    const opened: StoredGate[] = [...after.values()].filter(
      gate => !before.has(gate.id) || !sameGate(before.get(gate.id)!, gate),
    );
    const closed = [...before.values()].filter(gate => !after.has(gate.id));
    if (opened.length > 0 || closed.length > 0) {
      changes.onLedgerChanged([entityRef], { part: 'gates', opened, closed });
    }
  };

  /** Runs a write between two reads of some state; tells `part` when the state differs. */
  const compared = async <T>(
    entityRef: string,
    part: 'traffic' | 'protection' | 'sync',
    read: () => Promise<T>,
    write: () => Promise<void>,
  ): Promise<void> => {
    const before = JSON.stringify(await read());
    await write();
    const after = JSON.stringify(await read());
    if (before !== after) changes.onLedgerChanged([entityRef], { part });
  };

  const overrides: Overrides = {
    async upsertDeployments(entityRef, provider, deployments) {
      const result = await store.upsertDeployments(
        entityRef,
        provider,
        deployments,
      );
      if (result.inserted + result.updated > 0) {
        changes.onLedgerChanged([entityRef], {
          part: 'deployments',
          provider,
          reported: deployments,
        });
      }
      return result;
    },
    replaceOpenGates(entityRef, provider, targetKey, gates) {
      return gateWrite(entityRef, () =>
        store.replaceOpenGates(entityRef, provider, targetKey, gates),
      );
    },
    openGates(entityRef, provider, targetKey, gates) {
      return gateWrite(entityRef, () =>
        store.openGates(entityRef, provider, targetKey, gates),
      );
    },
    closeGates(entityRef, provider, providerGateIds) {
      if (providerGateIds.length === 0) {
        return store.closeGates(entityRef, provider, providerGateIds);
      }
      return gateWrite(entityRef, () =>
        store.closeGates(entityRef, provider, providerGateIds),
      );
    },
    putTraffic(entityRef, traffic) {
      return compared(
        entityRef,
        'traffic',
        () => store.getTraffic(entityRef),
        () => store.putTraffic(entityRef, traffic),
      );
    },
    replaceEnvironmentProtection(entityRef, provider, targetKey, environments) {
      return compared(
        entityRef,
        'protection',
        () => store.listEnvironmentProtection(entityRef),
        () =>
          store.replaceEnvironmentProtection(
            entityRef,
            provider,
            targetKey,
            environments,
          ),
      );
    },
    recordSyncSuccess(options) {
      return compared(
        options.entityRef,
        'sync',
        () => staleness(store, options),
        () => store.recordSyncSuccess(options),
      );
    },
    recordSyncFailure(options) {
      return compared(
        options.entityRef,
        'sync',
        () => staleness(store, options),
        () => store.recordSyncFailure(options),
      );
    },
    async createRequest(request) {
      const created = await store.createRequest(request);
      changes.onLedgerChanged([created.entityRef], {
        part: 'requests',
        request: created,
        created: true,
      });
      return created;
    },
    async updateRequest(id, patch) {
      const updated = await store.updateRequest(id, patch);
      changes.onLedgerChanged([updated.entityRef], {
        part: 'requests',
        request: updated,
        created: false,
      });
      return updated;
    },
    async appendAudit(entry) {
      const appended = await store.appendAudit(entry);
      changes.onLedgerChanged([appended.entityRef], {
        part: 'audit',
        entry: appended,
      });
      return appended;
    },
  };

  return new Proxy(store, {
    get(target, property, receiver) {
      if (Object.prototype.hasOwnProperty.call(overrides, property)) {
        return overrides[property as keyof Overrides];
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A gate that changed what it waits for (a new version, other reviewers) counts as opened again. */
function sameGate(a: StoredGate, b: StoredGate): boolean {
  return (
    a.version.sha === b.version.sha &&
    a.environment === b.environment &&
    JSON.stringify(a.reviewers) === JSON.stringify(b.reviewers)
  );
}

/** What the page shows of a target's sync: whether its data is stale and why (not when it last ran). */
async function staleness(
  store: DeploymentStore,
  options: { entityRef: string; provider: string; targetKey: string },
): Promise<Pick<SyncCursorState, 'lastError'> & { stale: boolean }> {
  const state = await store.getSyncState(
    options.entityRef,
    options.provider,
    options.targetKey,
  );
  const stale =
    !!state?.lastErrorAt &&
    (!state.lastSuccessAt || state.lastErrorAt > state.lastSuccessAt);
  return { stale, lastError: stale ? state?.lastError : undefined };
}
