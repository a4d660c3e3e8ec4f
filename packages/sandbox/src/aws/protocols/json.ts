import express, { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../cloud/errors';

export type JsonHandlers = Record<string, (input: any) => unknown>;

/** JSON protocols write timestamps as epoch seconds. */
export function jsonBody(value: unknown): string {
  return JSON.stringify(value, function replacer(this: any, key, v) {
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : v;
  });
}

/**
 * AWS JSON 1.0 / 1.1: `POST /` with `X-Amz-Target: <Service>.<Operation>`
 * and a JSON body; errors as `{ __type, message }` with `x-amzn-ErrorType`,
 * which the SDK turns into the exception class of that name.
 */
export function createJsonProtocolRouter(options: {
  version: '1.0' | '1.1';
  target: string;
  handlers: JsonHandlers;
  /** CloudWatch's JSON protocol also carries the query-protocol error code. */
  queryCompatible?: boolean;
}): Router {
  const contentType = `application/x-amz-json-${options.version}`;
  const router = Router();
  router.use(express.raw({ type: () => true, limit: '1mb' }));
  router.post('/', (req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const send = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
    ) => {
      res
        .status(status)
        .set({ 'content-type': contentType, ...headers })
        .send(jsonBody(body));
    };
    const fail = (error: AwsServiceError) =>
      send(
        error.status,
        { __type: error.code, message: error.message },
        {
          'x-amzn-ErrorType': error.code,
          ...(options.queryCompatible
            ? { 'x-amzn-query-error': `${error.code};${error.fault}` }
            : {}),
        },
      );
    try {
      const target = String(req.header('x-amz-target') ?? '');
      const [service, operation] = target.split('.');
      const handler =
        service === options.target && Object.hasOwn(options.handlers, operation)
          ? options.handlers[operation]
          : undefined;
      if (!handler)
        throw new AwsServiceError(
          'UnknownOperationException',
          `The sandbox does not serve ${
            target || 'a request without X-Amz-Target'
          }`,
        );
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      let input: unknown;
      try {
        input = raw.trim() ? JSON.parse(raw) : {};
      } catch {
        throw new AwsServiceError(
          'SerializationException',
          'The request body is not valid JSON',
        );
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw new AwsServiceError(
          'SerializationException',
          'The request body must be a JSON object',
        );
      send(200, handler(input) ?? {});
    } catch (error) {
      if (error instanceof AwsServiceError) fail(error);
      else
        fail(
          new AwsServiceError(
            'InternalFailure',
            (error as Error).message,
            500,
            'Receiver',
          ),
        );
    }
  });
  return router;
}

/** An opaque page token (an offset), and the page of items it selects. */
export function page<T>(
  items: readonly T[],
  options: {
    token?: unknown;
    size: number;
    invalid: () => AwsServiceError;
  },
): { items: T[]; next?: string } {
  let offset = 0;
  if (
    options.token !== undefined &&
    options.token !== null &&
    options.token !== ''
  ) {
    const decoded = /^[A-Za-z0-9_-]+$/.test(String(options.token))
      ? Buffer.from(String(options.token), 'base64url').toString('utf8')
      : '';
    const match = /^offset:(\d+)$/.exec(decoded);
    if (!match || Number(match[1]) > items.length) throw options.invalid();
    offset = Number(match[1]);
  }
  const end = offset + options.size;
  return {
    items: items.slice(offset, end),
    next:
      end < items.length
        ? Buffer.from(`offset:${end}`).toString('base64url')
        : undefined,
  };
}

/** Validates an optional whole-number page size. */
export function pageSize(
  value: unknown,
  options: { default: number; max: number; name: string; error?: string },
): number {
  if (value === undefined || value === null) return options.default;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > options.max)
    throw new AwsServiceError(
      options.error ?? 'ValidationException',
      `${options.name} must be a whole number from 1 to ${options.max}, got '${value}'`,
    );
  return n;
}

export function requireString(
  input: any,
  name: string,
  error = 'ValidationException',
): string {
  const value = input?.[name];
  if (typeof value !== 'string' || value === '')
    throw new AwsServiceError(
      error,
      `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}
