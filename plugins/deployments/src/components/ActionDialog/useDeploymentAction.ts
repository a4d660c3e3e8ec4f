import { useCallback, useRef, useState } from 'react';
import type {
  ActionOptions,
  ActionResponse,
  PolicyCheck,
} from '@stagecraft/plugin-deployments-common';
import { errorMessage, refusalChecks } from './actionErrors';

export interface DeploymentActionState {
  submitting: boolean;
  response?: ActionResponse;
  /** Plain message of the last failure. */
  error?: string;
  /** Policy verdicts of a refusal (the 4xx body's `checks`). */
  refusedChecks?: PolicyCheck[];
}

function newIdempotencyKey(): string {
  return `sc-${globalThis.crypto.randomUUID()}`;
}

/**
 * Sends one portal action with an idempotency key generated once when the
 * dialog opens (this hook mounts with it). A retry of the same request
 * reuses the key, so a double click or a retry after a lost answer never
 * acts twice. When the person changes the request after an answer (adds the
 * comment a refusal asked for, or an override reason), that is a different
 * request: it gets a new key, since the backend rightly refuses one key for
 * two different bodies.
 */
export function useDeploymentAction<Body>(
  send: (body: Body, options: ActionOptions) => Promise<ActionResponse>,
) {
  const [state, setState] = useState<DeploymentActionState>({
    submitting: false,
  });
  const key = useRef<{ value: string; body?: string }>({
    value: newIdempotencyKey(),
  });

  const submit = useCallback(
    async (body: Body) => {
      const fingerprint = JSON.stringify(body);
      if (key.current.body !== undefined && key.current.body !== fingerprint) {
        key.current = { value: newIdempotencyKey() };
      }
      key.current.body = fingerprint;
      setState(previous => ({ ...previous, submitting: true }));
      try {
        const response = await send(body, {
          idempotencyKey: key.current.value,
        });
        setState({ submitting: false, response });
      } catch (error) {
        setState({
          submitting: false,
          error: errorMessage(error),
          refusedChecks: refusalChecks(error),
        });
      }
    },
    [send],
  );

  return { ...state, submit };
}
