import { useEffect, useRef } from 'react';
import { useApiHolder } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useAsyncEntity } from '@backstage/plugin-catalog-react';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';

/** The backend's signal channel for one entity's deployment ledger. */
export function ledgerChannel(entityRef: string): string {
  return `deployments:${entityRef}`;
}

/**
 * The signals API when the app has the signals plugin, else undefined (also
 * outside an app, as in a hook's own test).
 */
function useOptionalSignalApi(): SignalApi | undefined {
  try {
    return useApiHolder().get(signalApiRef);
  } catch {
    return undefined;
  }
}

/** The ref of the entity whose page this is, if any. */
export function usePageEntityRef(): string | undefined {
  try {
    // Called on every render, in the same place: only its throw outside an
    // entity page is caught, so the order of hooks never changes.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    const { entity } = useAsyncEntity();
    return entity ? stringifyEntityRef(entity) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onChange` whenever the backend signals that the entity's deployment
 * ledger changed (a sync, a webhook, a portal action). The signal carries
 * only the entity's ref; what changed is read again through the
 * permission-checked API. Returns whether signals reach this view: false
 * when the app has no signals plugin or no entity is given, and the caller
 * keeps polling.
 */
export function useLedgerSignal(
  entityRef: string | undefined,
  onChange: () => void,
): boolean {
  const signals = useOptionalSignalApi();
  const latest = useRef(onChange);
  latest.current = onChange;

  useEffect(() => {
    if (!signals || !entityRef) return undefined;
    const subscription = signals.subscribe<{ entityRef?: string }>(
      ledgerChannel(entityRef),
      message => {
        if (message?.entityRef === entityRef) latest.current();
      },
    );
    return () => subscription.unsubscribe();
  }, [signals, entityRef]);

  return Boolean(signals && entityRef);
}
