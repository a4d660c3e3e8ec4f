import { ResponseError } from '@backstage/errors';
import { errorMessage } from '../ActionDialog/actionErrors';

/*
 * The backend refuses to diff against an environment whose current version
 * is unknown because nothing has succeeded there yet (a new service, or a
 * production that has only seen failed attempts). It answers with a 400
 * InputError whose message reads
 *   "from 'production': nothing has succeeded in production yet"
 * and carries no other marker, so the message is what tells this ordinary
 * state apart from a real failure.
 */
const NOTHING_SUCCEEDED = /nothing has succeeded in (.+) yet$/;

/**
 * The environment a diff could not start from because nothing has been
 * deployed there successfully yet; undefined for any other error. Only the
 * backend's own 4xx answers count: a 5xx, a network failure or a provider's
 * error stays an error, whatever its words.
 */
export function environmentWithoutSuccess(error: unknown): string | undefined {
  if (!ResponseError.is(error)) return undefined;
  if (error.statusCode < 400 || error.statusCode >= 500) return undefined;
  return NOTHING_SUCCEEDED.exec(errorMessage(error))?.[1];
}
