import express, { RequestHandler } from 'express';
import { CustomErrorBase, InputError } from '@backstage/errors';

/** The request body is over the size limit (413). */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  statusCode = 413;
}

/** The request body is not JSON, or in a charset or encoding we do not read (415). */
export class UnsupportedMediaTypeError extends CustomErrorBase {
  name = 'UnsupportedMediaTypeError' as const;
  statusCode = 415;
}

/** What body-parser attaches to the errors it raises. */
interface BodyParserError {
  type?: string;
  length?: number;
  limit?: number;
}

/**
 * Reads a JSON request body. A body of another content type is refused with
 * 415 rather than read as empty (which would blame a missing field instead),
 * malformed JSON with 400, and a body over `limit` with 413. The messages say
 * what was wrong without echoing the body back.
 */
export function jsonBody(options: { limit: string }): RequestHandler {
  const parse = express.json({ limit: options.limit });
  return (req, res, next) => {
    // `false` means a body of another type; `null` means no body at all.
    if (req.is('application/json') === false) {
      next(
        new UnsupportedMediaTypeError(
          `Content-Type '${
            req.header('content-type') ?? 'none'
          }' is not supported: send the body as application/json`,
        ),
      );
      return;
    }
    parse(req, res, error =>
      next(error ? readableBodyError(error) : undefined),
    );
  };
}

function readableBodyError(error: unknown): unknown {
  const { type, length, limit } = (error ?? {}) as BodyParserError;
  switch (type) {
    case 'entity.parse.failed':
      return new InputError('Invalid request body: it is not valid JSON');
    case 'entity.too.large':
      return new PayloadTooLargeError(
        `Request body is too large: ${
          length ?? 'more than'
        } bytes, the limit is ${limit} bytes`,
      );
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError(
        `Invalid request body: ${(error as Error).message}`,
      );
    default:
      return error;
  }
}
