import { ResponseError } from '@backstage/errors';
import type { PolicyCheck } from '@stagecraft/plugin-deployments-common';

/**
 * The error the real client throws for a 4xx/5xx answer, built the same way
 * (`ResponseError.fromResponse`) from the JSON body the backend sends.
 */
export function responseError(
  status: number,
  statusText: string,
  body: object,
): Promise<ResponseError> {
  const text = JSON.stringify(body);
  const response = {
    ok: false,
    status,
    statusText,
    url: 'http://localhost:7007/api/deployments/entities/component/default/payments-api/promote',
    headers: {
      get: (name: string) =>
        name.toLowerCase() === 'content-type' ? 'application/json' : null,
    },
    text: async () => text,
  };
  return ResponseError.fromResponse(response as unknown as Response);
}

/** A policy refusal: 403 with the standard error body plus the verdicts. */
export function policyRefusal(message: string, checks: PolicyCheck[]) {
  return responseError(403, 'Forbidden', {
    error: { name: 'NotAllowedError', message },
    response: { statusCode: 403 },
    checks,
  });
}

/** A refusal the action cannot get past by asking again (422), e.g. a provider without the capability. */
export function unprocessableRefusal(message: string, checks: PolicyCheck[]) {
  return responseError(422, 'Unprocessable Entity', {
    error: { name: 'PolicyRefusedError', message },
    response: { statusCode: 422 },
    checks,
  });
}
