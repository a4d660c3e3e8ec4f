import { AuthenticationError, InputError } from '@backstage/errors';
import { verify } from '@octokit/webhooks-methods';

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
  // @octokit/webhooks-methods compares `sha256=<hex HMAC>` in constant time.
  // (Major 4 is the last with a CommonJS entry, which this backend needs.)
  const matches = await verify(
    secret,
    rawBody.toString('utf8'),
    signature,
  ).catch(() => false);
  if (!matches) {
    throw new AuthenticationError(
      'GitHub webhook signature does not match the configured secret',
    );
  }
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
