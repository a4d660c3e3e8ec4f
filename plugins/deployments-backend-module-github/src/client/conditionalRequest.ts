import { isNotModified, MalformedGithubResponseError } from './githubErrors';
import type { GithubOctokitClient } from './GithubClientFactory';

/** The answer to a GET sent with `If-None-Match`. */
export type ConditionalResponse<T> =
  | { notModified: true }
  | { notModified: false; data: T; etag?: string };

/**
 * Sends a GET with the ETag of the previous answer. GitHub answers 304 when
 * nothing changed, and a 304 does not count against the rate limit — which
 * is what makes frequent polling of many repositories affordable.
 */
export async function conditionalGet<T>(
  octokit: GithubOctokitClient,
  route: string,
  parameters: Record<string, unknown>,
  options: { etag?: string; signal?: AbortSignal },
): Promise<ConditionalResponse<T>> {
  try {
    const response = await octokit.request(route, {
      ...parameters,
      headers: options.etag ? { 'if-none-match': options.etag } : {},
      request: { signal: options.signal },
    });
    return {
      notModified: false,
      data: response.data as T,
      etag: response.headers.etag,
    };
  } catch (error) {
    if (isNotModified(error)) {
      return { notModified: true };
    }
    throw error;
  }
}

/** Checks that a list endpoint answered with a list; GitHub can answer 200 with an HTML error page or truncated JSON. */
export function expectArray<T>(data: unknown, what: string): T[] {
  if (!Array.isArray(data)) {
    throw new MalformedGithubResponseError(`expected a list of ${what}`);
  }
  return data as T[];
}

/** Checks that an endpoint answered with a JSON object carrying `field`. */
export function expectObjectWith<T>(
  data: unknown,
  field: string,
  what: string,
): T {
  if (typeof data !== 'object' || data === null || !(field in data)) {
    throw new MalformedGithubResponseError(`expected ${what}`);
  }
  return data as T;
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}
