import { InputError } from '@backstage/errors';

/**
 * A time as a driver returns it: PostgreSQL gives Dates (timestamptz),
 * SQLite the epoch milliseconds the Date was bound as.
 */
export type DbTime = Date | number | string;

/** SQLite returns epoch milliseconds, PostgreSQL Dates; both become milliseconds. */
export function toMillis(value: DbTime | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const asNumber = Number(value);
  return Number.isFinite(asNumber) ? asNumber : Date.parse(value);
}

export function toIso(value: DbTime): string {
  return new Date(toMillis(value)!).toISOString();
}

export function isoOrUndefined(
  value: DbTime | null | undefined,
): string | undefined {
  const millis = toMillis(value);
  return millis === undefined ? undefined : new Date(millis).toISOString();
}

/**
 * Four-digit years only: JavaScript reads dates far outside what PostgreSQL
 * stores (year -10000 is valid to `Date.parse`, out of range for timestamptz).
 */
const EARLIEST_TIME = Date.parse('0001-01-01T00:00:00Z');
const LATEST_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/** Parses an ISO time for binding; throws an InputError naming `what` otherwise. */
export function parseTime(value: string, what: string): Date {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) {
    throw new InputError(`Invalid time '${value}' for ${what}`);
  }
  if (millis < EARLIEST_TIME || millis > LATEST_TIME) {
    throw new InputError(
      `Invalid time '${value}' for ${what}: expected a year from 1 to 9999`,
    );
  }
  return new Date(millis);
}
