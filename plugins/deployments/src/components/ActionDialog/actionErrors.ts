import { ResponseError } from '@backstage/errors';
import type { PolicyCheck } from '@stagecraft/plugin-deployments-common';

/**
 * The policy verdicts a refused action carries. The backend answers a refusal
 * with a 4xx whose JSON body holds `checks` next to the standard `error`.
 */
export function refusalChecks(error: unknown): PolicyCheck[] | undefined {
  if (!ResponseError.is(error)) return undefined;
  const body = error.body as unknown as {
    checks?: unknown;
    error?: { checks?: unknown };
  };
  const checks = body.checks ?? body.error?.checks;
  return Array.isArray(checks) ? (checks as PolicyCheck[]) : undefined;
}

/** The message worth showing a person: the server's own words where there are some. */
export function errorMessage(error: unknown): string {
  if (ResponseError.is(error)) {
    return error.body.error?.message || error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
