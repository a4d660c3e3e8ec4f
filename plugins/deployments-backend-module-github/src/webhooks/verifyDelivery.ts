import { AuthenticationError, InputError } from '@backstage/errors';
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export function header(
  headers: WebhookHeaders,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) {
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}

/**
 * Checks `X-Hub-Signature-256` — the HMAC-SHA256 of the raw body with the
 * webhook secret — in constant time. Deliveries are refused when no secret is
 * configured: an unsigned endpoint would let anyone write deployment history.
 */
export async function verifyDelivery(
  secret: string | undefined,
  rawBody: Buffer,
  headers: WebhookHeaders,
): Promise<void> {
  if (!secret) {
    throw new AuthenticationError(
      'GitHub webhooks are disabled: set deployments.github.webhookSecret',
    );
  }
  const signature = header(headers, 'x-hub-signature-256');
  if (!signature) {
    throw new AuthenticationError(
      'GitHub webhook delivery has no X-Hub-Signature-256 header',
    );
  }
  if (!signatureMatches(secret, rawBody, signature)) {
    throw new AuthenticationError(
      'GitHub webhook signature does not match the configured secret',
    );
  }
}

/**
 * `sha256=` + hex HMAC-SHA256 of the raw bytes, compared in constant time.
 * This is what `verify` of @octokit/webhooks-methods does; that package ships
 * only an ESM `import` entry, which neither this CommonJS backend package nor
 * its Jest run can load, so the dozen lines live here.
 */
function signatureMatches(
  secret: string,
  rawBody: Buffer,
  signature: string,
): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
/** `hookId:deliveryId`: a redelivery reuses the delivery id, and one event reaches every hook with the same id. */
export function deliveryKeyOf(headers: WebhookHeaders): string {
  const deliveryId = header(headers, 'x-github-delivery');
  if (!deliveryId) {
    throw new InputError(
      'GitHub webhook delivery has no X-GitHub-Delivery header',
    );
  }
  const hookId = header(headers, 'x-github-hook-id') ?? 'unknown-hook';
  return `${hookId}:${deliveryId}`;
}
