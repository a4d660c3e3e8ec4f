import { InputError } from '@backstage/errors';
import { describeZodError } from '@stagecraft/plugin-deployments-common';
import type { z } from 'zod';

/**
 * Parses one part of a request with its schema; a 400 naming `what` and each
 * bad field otherwise. The REST routes and the registry's actions both parse
 * with it, so the same bad input gets the same message.
 */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(`Invalid ${what}: ${describeZodError(result.error)}`);
  }
  return result.data;
}
