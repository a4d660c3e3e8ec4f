import type {
  AliasConfiguration,
  FunctionConfiguration,
  GetFunctionResponse,
  ListAliasesResponse,
  ListVersionsByFunctionResponse,
} from '@aws-sdk/client-lambda';
import { Request, Response, Router } from 'express';
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID, REGION, arn } from '../cloud/account';
import { AwsCloud } from '../cloud/AwsCloud';
import { AwsServiceError } from '../cloud/errors';
import { FunctionRecord, FunctionVersionRecord } from '../cloud/model';
import { jsonBody, page, pageSize } from '../protocols/json';

/** Lambda lists at most this many versions a page, whatever MaxItems says. */
export const LAMBDA_VERSIONS_PAGE = 50;

/** Lambda writes LastModified as a string: `2026-03-02T11:58:01.123+0000`. */
function lastModified(ms: number) {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/**
 * Lambda's REST-JSON API (`/2015-03-31/functions/…`); errors carry their
 * name in `x-amzn-ErrorType` and a `{ Type, message }` body.
 */
export function createLambdaRouter(options: { cloud: AwsCloud }): Router {
  const { cloud } = options;
  const router = Router();
  const invalidMarker = () =>
    new AwsServiceError('InvalidParameterValueException', 'Invalid Marker');

  const handle =
    (handler: (req: Request) => object) => (req: Request, res: Response) => {
      res.setHeader('x-amzn-RequestId', randomUUID());
      try {
        res
          .status(200)
          .type('application/json')
          .send(jsonBody(handler(req)));
      } catch (caught) {
        const error =
          caught instanceof AwsServiceError
            ? caught
            : new AwsServiceError(
                'ServiceException',
                (caught as Error).message,
                500,
              );
        res
          .status(error.status)
          .set('x-amzn-ErrorType', error.code)
          .type('application/json')
          .send(
            JSON.stringify({
              Type: error.status >= 500 ? 'Service' : 'User',
              message: error.message,
            }),
          );
      }
    };

  const qualifiedArn = (name: string) =>
    name.startsWith('arn:') ? name : arn('lambda', `function:${name}`);
  const functionNamed = (req: Request): FunctionRecord => {
    const name = req.params.FunctionName;
    const fn = cloud.findFunction(name);
    if (!fn)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Function not found: ${qualifiedArn(name)}`,
        404,
      );
    return fn;
  };

  const configurationOf = (
    fn: FunctionRecord,
    version: FunctionVersionRecord,
  ): FunctionConfiguration => ({
    FunctionName: fn.name,
    FunctionArn: `${fn.arn}:${version.version}`,
    Runtime: fn.runtime as any,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: 48_213,
    Description: version.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: lastModified(version.lastModified),
    CodeSha256: version.codeSha256,
    Version: version.version,
    Environment: {
      Variables: { SERVICE_ENV: fn.environment, GIT_SHA: version.gitSha },
    },
    TracingConfig: { Mode: 'Active' },
    RevisionId: version.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['arm64'],
  });

  const aliasOf = (fn: FunctionRecord): AliasConfiguration => ({
    AliasArn: `${fn.arn}:${fn.alias.name}`,
    Name: fn.alias.name,
    FunctionVersion: fn.alias.functionVersion,
    Description: fn.alias.description,
    RoutingConfig: fn.alias.routing
      ? {
          AdditionalVersionWeights: {
            [fn.alias.routing.version]: fn.alias.routing.weight,
          },
        }
      : undefined,
    RevisionId: fn.alias.revisionId,
  });

  const base = '/2015-03-31/functions/:FunctionName';
  router.get(
    base,
    handle((req): GetFunctionResponse => {
      const fn = functionNamed(req);
      const qualifier =
        typeof req.query.Qualifier === 'string'
          ? req.query.Qualifier
          : undefined;
      let version = fn.latest;
      if (qualifier && qualifier !== '$LATEST') {
        const number =
          qualifier === fn.alias.name ? fn.alias.functionVersion : qualifier;
        const found = fn.versions.find(v => v.version === number);
        if (!found)
          throw new AwsServiceError(
            'ResourceNotFoundException',
            `Function not found: ${fn.arn}:${qualifier}`,
            404,
          );
        version = found;
      }
      return {
        Configuration: configurationOf(fn, version),
        Code: {
          RepositoryType: 'S3',
          Location: `https://awslambda-${REGION}-tasks.s3.${REGION}.amazonaws.com/snapshots/${ACCOUNT_ID}/${fn.name}-${version.revisionId}`,
        },
        Tags: fn.tags,
      };
    }),
  );
  router.get(
    `${base}/aliases`,
    handle((req): ListAliasesResponse => {
      const fn = functionNamed(req);
      const size = pageSize(req.query.MaxItems, {
        default: 50,
        max: 10_000,
        name: 'MaxItems',
        error: 'InvalidParameterValueException',
      });
      const wanted = req.query.FunctionVersion;
      const aliases = [aliasOf(fn)].filter(
        a =>
          !wanted ||
          a.FunctionVersion === wanted ||
          fn.alias.routing?.version === wanted,
      );
      const { items, next } = page(aliases, {
        token: req.query.Marker,
        size,
        invalid: invalidMarker,
      });
      return { Aliases: items, NextMarker: next };
    }),
  );
  router.get(
    `${base}/aliases/:Name`,
    handle((req): AliasConfiguration => {
      const fn = functionNamed(req);
      if (req.params.Name !== fn.alias.name)
        throw new AwsServiceError(
          'ResourceNotFoundException',
          `Alias not found: ${fn.arn}:${req.params.Name}`,
          404,
        );
      return aliasOf(fn);
    }),
  );
  router.get(
    `${base}/versions`,
    handle((req): ListVersionsByFunctionResponse => {
      const fn = functionNamed(req);
      const asked = pageSize(req.query.MaxItems, {
        default: LAMBDA_VERSIONS_PAGE,
        max: 10_000,
        name: 'MaxItems',
        error: 'InvalidParameterValueException',
      });
      const versions = [fn.latest, ...fn.versions];
      const { items, next } = page(versions, {
        token: req.query.Marker,
        size: Math.min(asked, LAMBDA_VERSIONS_PAGE),
        invalid: invalidMarker,
      });
      return {
        Versions: items.map(v => configurationOf(fn, v)),
        NextMarker: next,
      };
    }),
  );
  router.use(
    handle(req => {
      throw new AwsServiceError(
        'UnknownOperationException',
        `The sandbox does not serve ${req.method} ${req.path}`,
        404,
      );
    }),
  );
  return router;
}
