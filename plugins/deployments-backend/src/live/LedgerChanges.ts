import type { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import type {
  AuditEntry,
  PromotionRequest,
} from '@stagecraft/plugin-deployments-common';
import type { LedgerDeployment, StoredGate } from '../database/DeploymentStore';

/**
 * Which part of an entity's ledger changed. The tab's data is made of these
 * parts; the signal names them so a client could refresh less, and the
 * notifier reads the detail that comes with some of them.
 */
export type LedgerPart =
  | 'deployments'
  | 'gates'
  | 'requests'
  | 'traffic'
  | 'protection'
  | 'audit'
  | 'sync';

/** One write to an entity's ledger that changed something, with what a listener needs to know of it. */
export type LedgerChange =
  | {
      part: 'deployments';
      provider: string;
      /** What was reported (the write inserted or updated at least one of them). */
      reported: LedgerDeployment[];
    }
  | { part: 'gates'; opened: StoredGate[]; closed: StoredGate[] }
  | { part: 'requests'; request: PromotionRequest; created: boolean }
  | { part: 'audit'; entry: AuditEntry }
  | { part: 'traffic' | 'protection' | 'sync' };

/**
 * Told whenever an entity's ledger changed: by a scheduled sync, a webhook, a
 * portal action. A write that changed nothing (a replayed webhook, a sync
 * that found nothing new) tells nobody. Listeners must not throw nor make the
 * writer wait: they do their work in the background.
 */
export interface LedgerChanges {
  onLedgerChanged(entityRefs: string[], change: LedgerChange): void;
}

/** Tells nobody: what the plugin uses when neither signals nor notifications are there. */
export const noLedgerChanges: LedgerChanges = {
  onLedgerChanged() {},
};

/** Tells every listener, each shielded from the others' failures. */
export function fanOutLedgerChanges(
  listeners: LedgerChanges[],
  logger: LoggerService,
): LedgerChanges {
  const active = listeners.filter(listener => listener !== noLedgerChanges);
  if (active.length === 0) return noLedgerChanges;
  return {
    onLedgerChanged(entityRefs, change) {
      if (entityRefs.length === 0) return;
      for (const listener of active) {
        try {
          listener.onLedgerChanged(entityRefs, change);
        } catch (error) {
          logger.warn(
            `A ledger change listener failed on ${
              change.part
            } of ${entityRefs.join(', ')}: ${stringifyError(error)}`,
          );
        }
      }
    },
  };
}
