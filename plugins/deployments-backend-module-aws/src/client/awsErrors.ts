import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';

/** An AWS answer without the shape its API documents. */
export class MalformedAwsResponseError extends Error {
  name = 'MalformedAwsResponseError';
}

/** What kind of failure an AWS error is. */
export type AwsFailureKind =
  | 'throttled'
  | 'access-denied'
  | 'credentials'
  | 'not-found'
  | 'conflict'
  | 'invalid'
  | 'malformed'
  | 'unavailable'
  | 'other';

const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ThrottledException',
  'SlowDown',
  'LimitExceededException',
]);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorized',
  'AuthorizationError',
]);
const CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
  'TokenProviderError',
  'AwsCredentialsError',
  'MissingAuthenticationToken',
  'IncompleteSignature',
]);
const NOT_FOUND = new Set([
  'PipelineNotFoundException',
  'PipelineExecutionNotFoundException',
  'StageNotFoundException',
  'ActionNotFoundException',
  'ResourceNotFoundException',
  'DeploymentDoesNotExistException',
  'DeploymentGroupDoesNotExistException',
  'ApplicationDoesNotExistException',
  'DeploymentConfigDoesNotExistException',
  'StackNotFoundException',
]);
const CONFLICT = new Set([
  'ApprovalAlreadyCompletedException',
  'InvalidApprovalTokenException',
  'DeploymentAlreadyCompletedException',
  'ConflictException',
  'PipelineExecutionOutdatedException',
  'PipelineExecutionNotStoppableException',
  'DuplicatedStopRequestException',
  'ConcurrentPipelineExecutionsLimitExceededException',
  'NotLatestPipelineExecutionException',
]);
const INVALID = new Set([
  'ValidationException',
  'ValidationError',
  'InvalidParameterValueException',
  'InvalidParameterException',
  'UnableToRollbackStageException',
  'UnsupportedActionForDeploymentTypeException',
  'InvalidDeploymentIdException',
  'InvalidInputException',
]);

interface AwsErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

/** Classifies an error thrown by an AWS SDK call (or by this module's own checks). */
export function classifyAwsError(error: unknown): AwsFailureKind {
  const e = (error ?? {}) as AwsErrorLike;
  const name = e.name ?? '';
  const message = e.message ?? '';
  if (error instanceof MalformedAwsResponseError) return 'malformed';
  if (THROTTLED.has(name)) return 'throttled';
  if (ACCESS_DENIED.has(name)) return 'access-denied';
  if (CREDENTIALS.has(name)) return 'credentials';
  // CloudFormation answers "Stack with id X does not exist" as a ValidationError.
  if (name === 'ValidationError' && /does not exist/i.test(message)) {
    return 'not-found';
  }
  if (NOT_FOUND.has(name)) return 'not-found';
  if (CONFLICT.has(name)) return 'conflict';
  if (INVALID.has(name)) return 'invalid';
  // The SDK could not parse the answer (not JSON, not XML, wrong shape).
  if (
    name === 'SyntaxError' ||
    /Deserialization error|Unexpected token|is not valid JSON/i.test(message)
  ) {
    return 'malformed';
  }
  const status = e.$metadata?.httpStatusCode;
  if (status === 429) return 'throttled';
  if (status === 403) return 'access-denied';
  if (
    (status !== undefined && status >= 500) ||
    e.$fault === 'server' ||
    ['TimeoutError', 'RequestTimeout', 'ECONNREFUSED', 'ECONNRESET'].includes(
      name,
    ) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up/.test(message)
  ) {
    return 'unavailable';
  }
  return 'other';
}

/**
 * Removes what could be a credential from an AWS message: access key ids,
 * session tokens and signatures. AWS messages name principals (role ARNs),
 * which stay: they are identities, not secrets.
 */
export function scrubAwsMessage(message: string): string {
  return message
    .replace(/\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g, '[access key]')
    .replace(/[A-Za-z0-9+/=]{80,}/g, '[redacted]')
    .replace(
      /(Signature|Credential|X-Amz-Security-Token)=[^\s&,]+/gi,
      '$1=[redacted]',
    );
}

function awsExplanation(error: unknown): string {
  const e = (error ?? {}) as AwsErrorLike;
  const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return scrubAwsMessage(`${name}${e.message ?? String(error)}`.trim());
}

/** One sentence naming the activity and the cause; never carries a credential. */
export function describeAwsFailure(error: unknown, activity: string): string {
  const explanation = awsExplanation(error);
  switch (classifyAwsError(error)) {
    case 'throttled':
      return `AWS throttled the requests while ${activity} (${explanation}); the next poll retries`;
    case 'access-denied':
      return `AWS denied access while ${activity} (${explanation}); check the IAM policy of the role in the aws: config`;
    case 'credentials':
      return `AWS credentials are missing, expired or invalid while ${activity} (${explanation}); check the aws: config`;
    case 'not-found':
      return `AWS has no such resource while ${activity} (${explanation}); was it deleted or renamed?`;
    case 'malformed':
      return `AWS returned a malformed response while ${activity}: ${explanation}`;
    case 'unavailable':
      return `AWS is unavailable while ${activity} (${explanation})`;
    default:
      return `AWS call failed while ${activity}: ${explanation}`;
  }
}

/**
 * Turns a failed action call into the Backstage error the REST API maps to
 * the right status: throttling 503, access denied 403, not found 404, an
 * approval already decided or a finished deployment 409, a refused
 * parameter 400.
 */
export function toActionError(error: unknown, activity: string): Error {
  const message = describeAwsFailure(error, activity);
  switch (classifyAwsError(error)) {
    case 'throttled':
    case 'unavailable':
      return new ServiceUnavailableError(message);
    case 'access-denied':
      return new NotAllowedError(message);
    case 'not-found':
      return new NotFoundError(message);
    case 'conflict':
      return new ConflictError(
        `AWS refused ${activity}: ${awsExplanation(error)}`,
      );
    case 'invalid':
      return new InputError(
        `AWS refused ${activity}: ${awsExplanation(error)}`,
      );
    default:
      return new Error(message);
  }
}

/** Fails with a {@link MalformedAwsResponseError} unless `value` is an array. */
export function expectArray<T>(value: unknown, what: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new MalformedAwsResponseError(`${what} is not a list`);
  }
  return value as T[];
}
