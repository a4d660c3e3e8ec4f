/**
 * Stagecraft's ids of provider facts: `<provider>:<the provider's own id>`
 * (e.g. `github:812`, `aws:d-ABC123`). The provider's part may itself contain
 * colons (ARNs do), so only the first colon separates.
 */

/** Makes the Stagecraft id of a provider's deployment or gate. */
export function providerId(provider: string, id: string): string {
  return `${provider}:${id}`;
}

/** Splits a Stagecraft id; undefined when it has no provider part. */
export function splitProviderId(
  id: string,
): { provider: string; providerId: string } | undefined {
  const separator = id.indexOf(':');
  if (separator <= 0) return undefined;
  return {
    provider: id.slice(0, separator),
    providerId: id.slice(separator + 1),
  };
}
