import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';

/** An answer from GitHub that does not have the shape its API documents. */
export class MalformedGithubResponseError extends Error {
  name = 'MalformedGithubResponseError';
}

interface RequestErrorLike {
  status: number;
  message: string;
  response?: {
    headers?: Record<string, string | number | undefined>;
    data?: unknown;
  };
  cause?: unknown;
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}

function isTimeout(error: unknown): boolean {
  const names = [
    (error as { name?: string })?.name,
    ((error as { cause?: { name?: string } })?.cause as { name?: string })
      ?.name,
  ];
  return names.includes('TimeoutError');
}

/**
 * The caller stopped the request (the sync's signal: the scheduler's time
 * limit of the run, or a shutdown). Octokit rethrows fetch's AbortError with
 * `status` 500 set, which is not an answer from GitHub.
 */
function isAborted(error: unknown): boolean {
  return (
    (error as { name?: string })?.name === 'AbortError' ||
    ((error as { cause?: { name?: string } })?.cause as { name?: string })
      ?.name === 'AbortError'
  );
}

/** GitHub's own explanation of a failed request (`message` of the JSON body), without anything from the request. */
export function githubMessage(error: unknown): string | undefined {
  if (!isRequestError(error)) {
    return undefined;
  }
  const data = error.response?.data;
  if (typeof data === 'object' && data !== null && 'message' in data) {
    const message = String((data as { message: unknown }).message);
    const errors = (data as { errors?: unknown }).errors;
    const detail = Array.isArray(errors)
      ? errors
          .map(e =>
            typeof e === 'string'
              ? e
              : (e as { message?: string })?.message ??
                (e as { code?: string })?.code,
          )
          .filter(Boolean)
          .join('; ')
      : '';
    return detail ? `${message}: ${detail}` : message;
  }
  return undefined;
}

/** True for GitHub's "not modified" answer to a conditional request. */
export function isNotModified(error: unknown): boolean {
  return isRequestError(error) && error.status === 304;
}

/**
 * Explains a failed GitHub call in one sentence naming the activity and the
 * cause. Built only from the status and GitHub's answer, so it never carries
 * a token.
 */
export function describeGithubFailure(
  error: unknown,
  activity: string,
): string {
  if (error instanceof MalformedGithubResponseError) {
    return `GitHub returned a malformed response while ${activity}: ${error.message}`;
  }
  if (isTimeout(error)) {
    return `GitHub did not answer in time while ${activity}`;
  }
  if (isAborted(error)) {
    return `GitHub had not answered when the sync was stopped (its time limit, deployments.schedule.timeout, or a shutdown) while ${activity}`;
  }
  if (isRequestError(error)) {
    const explanation = githubMessage(error) ?? error.message;
    const headers = error.response?.headers ?? {};
    switch (error.status) {
      case 401:
        return `GitHub rejected the credentials (401 ${explanation}) while ${activity}; check the token or GitHub App of the integration`;
      case 404:
        return `GitHub answered 404 while ${activity}: the repository does not exist or the credentials cannot see it`;
      case 403:
      case 429:
        if (String(headers['x-ratelimit-remaining']) === '0') {
          const reset = Number(headers['x-ratelimit-reset']);
          const when = Number.isFinite(reset)
            ? ` until ${new Date(reset * 1000).toISOString()}`
            : '';
          return `GitHub rate limit exhausted${when} while ${activity}`;
        }
        return `GitHub refused (${error.status} ${explanation}) while ${activity}`;
      default:
        if (error.status >= 500) {
          return `GitHub failed (${error.status} ${explanation}) while ${activity}`;
        }
        return `GitHub answered ${error.status} (${explanation}) while ${activity}`;
    }
  }
  if (error instanceof Error && error.name === 'GraphqlResponseError') {
    return `GitHub GraphQL failed while ${activity}: ${error.message}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `GitHub call failed while ${activity}: ${message}`;
}

/**
 * Whether GitHub said "not now" rather than "no": an exhausted rate limit, a
 * 429, a 5xx or no answer in time. Callers may retry such a call later.
 */
export function isTemporaryGithubFailure(error: unknown): boolean {
  if (isTimeout(error)) return true;
  if (!isRequestError(error)) return false;
  const headers = error.response?.headers ?? {};
  return (
    error.status === 429 ||
    error.status >= 500 ||
    (error.status === 403 && String(headers['x-ratelimit-remaining']) === '0')
  );
}

/**
 * Turns a failed write into the Backstage error the REST API maps to the right
 * status: GitHub's 422 is a bad request, 403 a refusal, 409 a conflict.
 */
export function toActionError(error: unknown, activity: string): Error {
  const message = describeGithubFailure(error, activity);
  if (isRequestError(error) && !isTimeout(error)) {
    const github = githubMessage(error) ?? error.message;
    switch (error.status) {
      case 400:
      case 422:
        return new InputError(`GitHub refused ${activity}: ${github}`);
      case 401:
        return new AuthenticationError(message);
      case 403:
        return new NotAllowedError(`GitHub refused ${activity}: ${github}`);
      case 404:
        return new NotFoundError(message);
      case 409:
        return new ConflictError(`GitHub refused ${activity}: ${github}`);
      default:
        break;
    }
  }
  return new Error(message);
}
