import { InputError } from '@backstage/errors';

/** Deployments per insert statement; keeps bindings far below SQLite's and PostgreSQL's limits. */
export const DEPLOYMENT_BATCH_SIZE = 500;
/**
 * Rows per insert statement for narrow tables (statuses, targets). Knex
 * writes a multi-row insert on SQLite as a compound SELECT, which SQLite
 * limits to 500 terms.
 */
export const ROW_BATCH_SIZE = 500;
export const MAX_PAGE_SIZE = 500;
/** Errors and audit details are cut to this length before they are stored. */
export const MAX_ERROR_LENGTH = 2000;

export function validLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InputError(
      `Invalid page size '${limit}', expected 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  return limit;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

export function stripUndefined<T extends object>(value: T): Partial<T> {
  // A loop: every row of a page goes through here, and building entries
  // arrays to filter them cost a timeline page about half a millisecond.
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) kept[key] = field;
  }
  return kept as Partial<T>;
}

/** Drops undefined fields so responses carry no `"x": undefined` noise. */
export function compact<T extends object>(value: T): T {
  return stripUndefined(value) as T;
}
