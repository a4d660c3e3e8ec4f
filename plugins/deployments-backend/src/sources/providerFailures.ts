import type { Entity } from '@backstage/catalog-model';
import {
  CustomErrorBase,
  InputError,
  isError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { Version } from '@stagecraft/plugin-deployments-common';
import type { DeploymentSource } from './EntitySources';

/** The provider answered a compare with an error (502). */
export class ProviderCompareError extends CustomErrorBase {
  name = 'ProviderCompareError' as const;
  statusCode = 502;
}

/** The provider failed to look up a version it was asked about (502). */
export class ProviderResolveError extends CustomErrorBase {
  name = 'ProviderResolveError' as const;
  statusCode = 502;
}

/**
 * A failed provider call as an error the API answers with a message: 503
 * when the provider is rate-limited or unavailable (a retry later may work),
 * else a 502 of the given kind. Never a bare 500, never the stack.
 */
export function providerFailure(
  error: unknown,
  message: string,
  BadGatewayError: new (message: string) => Error,
): Error {
  const status =
    isError(error) &&
    ((error as { statusCode?: number }).statusCode ??
      (error as { status?: number }).status);
  if (
    (isError(error) && error.name === ServiceUnavailableError.name) ||
    status === 429 ||
    status === 503
  ) {
    return new ServiceUnavailableError(message);
  }
  return new BadGatewayError(message);
}

/**
 * Asks a source's provider for a version the ledger does not know. A ref the
 * provider calls malformed stays a 400; any other failure of the provider is
 * a 502 or 503 naming the ref.
 */
export async function resolveVersionWith(
  source: DeploymentSource,
  entity: Entity,
  ref: string,
): Promise<Version | undefined> {
  const { provider, target } = source;
  if (!provider.resolveVersion) {
    return undefined;
  }
  try {
    return await provider.resolveVersion({ entity, target, ref });
  } catch (error) {
    if (isError(error) && error.name === InputError.name) {
      throw error;
    }
    const detail = isError(error) ? error.message : String(error);
    throw providerFailure(
      error,
      `${provider.id} could not resolve '${ref}': ${detail}`,
      ProviderResolveError,
    );
  }
}
