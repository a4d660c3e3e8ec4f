import { createHash, randomUUID } from 'node:crypto';
import { NextFunction, Request, Response } from 'express';
import { WorldError } from '../world/errors';
import { DEFAULT_IDENTITY, findPerson } from '../world/people';
import { BasicError, ValidationError } from './schemas';

const DOCUMENTATION_URL = 'https://docs.github.com/rest';

export type RateLimitResource = 'core' | 'graphql';

export interface RateLimitState {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds. */
  reset: number;
  resource: RateLimitResource;
}

/**
 * GitHub's primary rate limit: a budget per identity and resource that
 * refills an hour after the window's first request.
 */
export class RateLimiter {
  private readonly windows = new Map<
    string,
    { used: number; resetAt: number }
  >();

  constructor(
    private readonly limits: Record<RateLimitResource, number>,
    private readonly now: () => number,
  ) {}

  state(identity: string, resource: RateLimitResource): RateLimitState {
    const window = this.window(identity, resource);
    const limit = this.limits[resource];
    return {
      limit,
      remaining: Math.max(0, limit - window.used),
      used: window.used,
      reset: Math.ceil(window.resetAt / 1000),
      resource,
    };
  }

  consume(
    identity: string,
    resource: RateLimitResource,
    cost = 1,
  ): RateLimitState {
    this.window(identity, resource).used += cost;
    return this.state(identity, resource);
  }

  private window(identity: string, resource: RateLimitResource) {
    const key = `${identity}\u0000${resource}`;
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { used: 0, resetAt: now + 3_600_000 };
      this.windows.set(key, window);
    }
    return window;
  }
}

export function setRateLimitHeaders(res: Response, state: RateLimitState) {
  res.setHeader('x-ratelimit-limit', String(state.limit));
  res.setHeader('x-ratelimit-remaining', String(state.remaining));
  res.setHeader('x-ratelimit-used', String(state.used));
  res.setHeader('x-ratelimit-reset', String(state.reset));
  res.setHeader('x-ratelimit-resource', state.resource);
}

/** The account a request acts as, set by `authenticate`. */
export function identityOf(res: Response): string {
  return res.locals.identity as string;
}

/**
 * Any `token …` or `Bearer …` credential is accepted. A token that is a login
 * of the organisation (e.g. `token alice`) acts as that person, so reviews can
 * be tried as different reviewers; any other token acts as `stagecraft-bot`.
 */
export function authenticate(req: Request, res: Response, next: NextFunction) {
  const identity = identityFromAuthorization(req.get('authorization'));
  if (!identity) {
    sendError(res, 401, 'Requires authentication');
    return;
  }
  res.locals.identity = identity;
  next();
}

/** The login an Authorization header acts as, or undefined without a token. */
export function identityFromAuthorization(
  header: string | undefined,
): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const named = findPerson(match[1]);
  return named && named.type === 'User' ? named.login : DEFAULT_IDENTITY;
}

/** Refuses the request once the identity's budget of the resource is spent. */
export function rateLimit(limiter: RateLimiter, resource: RateLimitResource) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const state = limiter.state(identityOf(res), resource);
    res.locals.rateLimitResource = resource;
    if (state.remaining <= 0) {
      setRateLimitHeaders(res, state);
      sendError(
        res,
        403,
        `API rate limit exceeded for user ID ${
          findPerson(identityOf(res))?.id ?? 0
        }.`,
      );
      return;
    }
    next();
  };
}

function etagOf(json: string): string {
  return `W/"${createHash('sha256').update(json).digest('hex').slice(0, 32)}"`;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (value: string) => value.trim().replace(/^W\//, '');
  return header
    .split(',')
    .some(v => v.trim() === '*' || strip(v) === strip(etag));
}

/**
 * Sends a JSON answer the way GitHub does: with a weak ETag over the body, a
 * 304 without body when the client's If-None-Match still matches (which costs
 * no rate limit), and the rate-limit headers.
 */
export function sendJson(
  req: Request,
  res: Response,
  status: number,
  body: unknown,
  options: { limiter: RateLimiter; cost?: number },
) {
  const json = JSON.stringify(body);
  const etag = etagOf(json);
  const identity = identityOf(res);
  const resource: RateLimitResource = res.locals.rateLimitResource ?? 'core';
  setCommonHeaders(res);
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, max-age=60, s-maxage=60');
  res.setHeader('Vary', 'Accept, Authorization, Cookie, X-GitHub-OTP');
  if (
    req.method === 'GET' &&
    status === 200 &&
    matchesEtag(req.get('if-none-match'), etag)
  ) {
    setRateLimitHeaders(res, options.limiter.state(identity, resource));
    res.status(304).end();
    return;
  }
  setRateLimitHeaders(
    res,
    options.limiter.consume(identity, resource, options.cost ?? 1),
  );
  res.status(status).type('application/json; charset=utf-8').send(json);
}

export function sendNoContent(res: Response, limiter: RateLimiter) {
  setCommonHeaders(res);
  setRateLimitHeaders(res, limiter.consume(identityOf(res), 'core'));
  res.status(204).end();
}

function setCommonHeaders(res: Response) {
  res.setHeader('x-github-api-version-selected', '2022-11-28');
  res.setHeader('x-github-media-type', 'github.v3; format=json');
  res.setHeader('x-github-request-id', randomUUID().toUpperCase().slice(0, 23));
}

/** GitHub's error body: `{ message, documentation_url, status }`. */
export function sendError(
  res: Response,
  status: number,
  message: string,
  errors?: ValidationError['errors'],
) {
  const body: BasicError & { errors?: ValidationError['errors'] } = {
    message,
    documentation_url: DOCUMENTATION_URL,
    status: String(status),
    ...(errors ? { errors } : {}),
  };
  setCommonHeaders(res);
  res
    .status(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(body));
}

/** A 422 raised while validating a request body. */
export class InvalidRequest extends Error {}

/** Maps the world's refusals and malformed JSON to GitHub's answers. */
export function handleErrors(
  error: unknown,
  _req: Request,
  res: Response,
  next: NextFunction,
) {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error instanceof WorldError) {
    const status = {
      'not-found': 404,
      invalid: 422,
      conflict: 409,
      forbidden: 403,
    }[error.kind];
    sendError(res, status, status === 404 ? 'Not Found' : error.message);
    return;
  }
  if (error instanceof InvalidRequest) {
    sendError(res, 422, error.message);
    return;
  }
  if ((error as { type?: string }).type === 'entity.parse.failed') {
    sendError(res, 400, 'Problems parsing JSON');
    return;
  }
  sendError(res, 500, 'Server Error');
}

/**
 * Cuts one page out of `items` and sets GitHub's Link header (first, prev,
 * next, last), keeping the request's other query parameters.
 */
export function paginate<T>(
  req: Request,
  res: Response,
  items: T[],
  defaultPerPage = 30,
): T[] {
  const perPage = clamp(Number(req.query.per_page) || defaultPerPage, 1, 100);
  const page = Math.max(1, Math.floor(Number(req.query.page)) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const url = new URL(`${req.protocol}://${req.get('host')}${req.originalUrl}`);
  const link = (p: number, rel: string) => {
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(p));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage)
    links.push(link(page + 1, 'next'), link(lastPage, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  if (links.length > 0) res.setHeader('Link', links.join(', '));
  return items.slice((page - 1) * perPage, page * perPage);
}

function clamp(value: number, min: number, max: number) {
  return Math.min(max, Math.max(min, Math.floor(value)));
}
