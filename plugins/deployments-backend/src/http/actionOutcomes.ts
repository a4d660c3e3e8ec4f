import type { Request, Response } from 'express';
import type {
  ActionResponse,
  PolicyCheck,
  PromotionRequest,
} from '@stagecraft/plugin-deployments-common';
import type { ActionOutcome, ActionStopped } from '../actions/outcomes';

/** The one place where an action's outcome becomes an HTTP status. */
const STATUS: Record<ActionOutcome['kind'], number> = {
  executed: 200,
  decided: 200,
  held: 202,
  forbidden: 403,
  conflict: 409,
  refused: 422,
  'provider-failed': 502,
};

/** The error name in the body, as Backstage's error bodies carry one. */
const ERROR_NAME: Record<ActionStopped['kind'], string> = {
  forbidden: 'NotAllowedError',
  conflict: 'ConflictError',
  refused: 'PolicyRefusedError',
  'provider-failed': 'ProviderActionError',
};

export function statusOf(outcome: ActionOutcome): number {
  return STATUS[outcome.kind];
}

/**
 * A reply stored for an Idempotency-Key, as an outcome. Replies stored
 * before outcomes existed carry their status code and a serialized error
 * instead of a kind; they replay the same.
 */
export function storedOutcome(stored: unknown): ActionOutcome {
  const value = stored as Partial<ActionOutcome> & LegacyReply;
  if (value.kind) {
    return value as ActionOutcome;
  }
  if (value.response) {
    return {
      kind: value.statusCode === 202 ? 'held' : 'executed',
      response: value.response,
    };
  }
  const kinds: Record<number, ActionStopped['kind']> = {
    403: 'forbidden',
    409: 'conflict',
    502: 'provider-failed',
  };
  return {
    kind: kinds[value.statusCode ?? 422] ?? 'refused',
    message: value.error?.message ?? '',
    checks: value.checks ?? [],
    ...(value.promotionRequest
      ? { promotionRequest: value.promotionRequest }
      : {}),
  };
}

interface LegacyReply {
  statusCode?: number;
  response?: ActionResponse;
  error?: { name: string; message: string };
  checks?: PolicyCheck[];
  promotionRequest?: PromotionRequest;
}

/**
 * Sends an action's outcome: what was done as an `ActionResponse`; a refusal
 * or failure as Backstage's error body plus the checks (and the request as it
 * ended, when one was recorded).
 */
export function sendOutcome(
  req: Request,
  res: Response,
  outcome: ActionOutcome,
  replayed: boolean,
): void {
  const status = statusOf(outcome);
  if (replayed) {
    res.setHeader('Idempotent-Replayed', 'true');
  }
  if ('response' in outcome) {
    res.status(status).json(outcome.response);
    return;
  }
  res.status(status).json({
    error: { name: ERROR_NAME[outcome.kind], message: outcome.message },
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: status },
    checks: outcome.checks,
    ...(outcome.promotionRequest
      ? { promotionRequest: outcome.promotionRequest }
      : {}),
  });
}
