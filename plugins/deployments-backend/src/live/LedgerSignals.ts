import type { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type { LedgerChanges, LedgerPart } from './LedgerChanges';

/** The signal channel of one entity's ledger. */
export function ledgerChannel(entityRef: string): string {
  return `deployments:${entityRef}`;
}

/**
 * What a ledger signal says: which entity changed and which parts. Nothing
 * else, because it is broadcast: whoever subscribes learns only that
 * something changed and re-reads through the permission-checked API.
 */
export type LedgerSignalMessage = {
  entityRef: string;
  parts: LedgerPart[];
};

/**
 * Publishes one signal per entity whose ledger changed, on
 * `deployments:<entityRef>`. The writes of one sync or one action come in
 * bursts (deployments, then gates, then traffic); they are gathered for
 * `coalesceMs` and go out as one signal naming every part.
 */
export class LedgerSignals implements LedgerChanges {
  private readonly signals: SignalsService;
  private readonly logger: LoggerService;
  private readonly coalesceMs: number;
  private readonly pending = new Map<string, Set<LedgerPart>>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: ReturnType<typeof setTimeout>;
  private lastFailureLog = 0;

  constructor(options: {
    signals: SignalsService;
    logger: LoggerService;
    /** @defaultValue 20 */
    coalesceMs?: number;
  }) {
    this.signals = options.signals;
    this.logger = options.logger;
    this.coalesceMs = options.coalesceMs ?? 20;
  }

  onLedgerChanged(entityRefs: string[], change: { part: LedgerPart }): void {
    for (const entityRef of entityRefs) {
      const parts = this.pending.get(entityRef) ?? new Set<LedgerPart>();
      parts.add(change.part);
      this.pending.set(entityRef, parts);
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.coalesceMs);
    }
  }

  /** Resolves when every signal gathered so far has been published (tests, shutdown). */
  async settled(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.flush();
    }
    while (this.inFlight.size > 0) {
      await Promise.all(this.inFlight);
    }
  }

  private flush() {
    this.timer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [entityRef, parts] of batch) {
      const message: LedgerSignalMessage = {
        entityRef,
        parts: [...parts].sort(),
      };
      const published = this.signals
        .publish<LedgerSignalMessage>({
          recipients: { type: 'broadcast' },
          channel: ledgerChannel(entityRef),
          message,
        })
        .catch(error => this.failed(entityRef, error))
        .finally(() => this.inFlight.delete(published));
      this.inFlight.add(published);
    }
  }

  /** One warning a minute at most: the next poll of the page still shows the change. */
  private failed(entityRef: string, error: unknown) {
    const now = Date.now();
    if (now - this.lastFailureLog < 60_000) return;
    this.lastFailureLog = now;
    this.logger.warn(
      `Could not publish the ledger signal of ${entityRef} (open pages catch up by polling): ${stringifyError(
        error,
      )}`,
    );
  }
}
