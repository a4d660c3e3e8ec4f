import express, { Router } from 'express';
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../cloud/errors';

export type QueryHandlers = Record<string, (params: URLSearchParams) => object>;

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * An SDK output object as the query protocol's XML: structures as elements,
 * lists as `<member>` items, timestamps in ISO 8601; undefined is left out.
 */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value))
    return value.map(item => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  return escape(String(value));
}

/**
 * The AWS query protocol: a form-encoded `POST /` with `Action` and
 * `Version`, answered with `<ActionResponse><ActionResult>…` XML; errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error>`.
 */
export function createQueryProtocolRouter(options: {
  version: string;
  xmlNamespace: string;
  handlers: QueryHandlers;
}): Router {
  const router = Router();
  router.use(express.raw({ type: () => true, limit: '1mb' }));
  router.post('/', (req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const params = new URLSearchParams(
      Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '',
    );
    const action = params.get('Action') ?? '';
    try {
      if (params.get('Version') !== options.version)
        throw new AwsServiceError(
          'InvalidAction',
          `Version must be ${options.version}, got '${params.get('Version')}'`,
        );
      const handler = Object.hasOwn(options.handlers, action)
        ? options.handlers[action]
        : undefined;
      if (!handler)
        throw new AwsServiceError(
          'InvalidAction',
          `The sandbox does not serve the action '${action}'`,
        );
      const result = handler(params);
      res
        .status(200)
        .type('text/xml')
        .send(
          `<${action}Response xmlns="${
            options.xmlNamespace
          }"><${action}Result>${toXml(
            result,
          )}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
        );
    } catch (caught) {
      const error =
        caught instanceof AwsServiceError
          ? caught
          : new AwsServiceError(
              'InternalFailure',
              (caught as Error).message,
              500,
              'Receiver',
            );
      res
        .status(error.status)
        .type('text/xml')
        .send(
          `<ErrorResponse xmlns="${options.xmlNamespace}"><Error><Type>${
            error.fault
          }</Type><Code>${escape(error.code)}</Code><Message>${escape(
            error.message,
          )}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
    }
  });
  return router;
}
