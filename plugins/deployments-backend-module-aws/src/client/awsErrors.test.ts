import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { awsError } from '../__testUtils__/awsMocks';
import { classifyAwsError, scrubAwsMessage, toActionError } from './awsErrors';

describe('AWS errors', () => {
  it.each([
    ['ThrottlingException', ServiceUnavailableError],
    ['TooManyRequestsException', ServiceUnavailableError],
    ['AccessDeniedException', NotAllowedError],
    ['PipelineNotFoundException', NotFoundError],
    ['ApprovalAlreadyCompletedException', ConflictError],
    ['InvalidApprovalTokenException', ConflictError],
    ['ValidationException', InputError],
  ])('maps %s to the matching Backstage error', (name, type) => {
    expect(toActionError(awsError(name, 'x'), 'acting')).toBeInstanceOf(type);
  });

  it('treats a CloudFormation "does not exist" validation error as not found', () => {
    expect(
      classifyAwsError(
        awsError('ValidationError', 'Stack with id x does not exist'),
      ),
    ).toBe('not-found');
    expect(
      classifyAwsError(awsError('ValidationError', 'Template format error')),
    ).toBe('invalid');
  });

  it('treats 5xx and connection failures as unavailable', () => {
    expect(classifyAwsError(awsError('InternalFailure', 'boom', 500))).toBe(
      'unavailable',
    );
    expect(
      classifyAwsError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7008'), {
          name: 'Error',
        }),
      ),
    ).toBe('unavailable');
  });

  it('removes access keys, long tokens and signatures from messages', () => {
    expect(
      scrubAwsMessage(
        `key AKIAIOSFODNN7EXAMPLE token ${'A'.repeat(
          120,
        )} url ?X-Amz-Security-Token=abc&Signature=def`,
      ),
    ).toBe(
      'key [access key] token [redacted] url ?X-Amz-Security-Token=[redacted]&Signature=[redacted]',
    );
  });
});
