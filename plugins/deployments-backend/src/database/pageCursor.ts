import { InputError } from '@backstage/errors';

/**
 * Keyset-pagination cursors handed to clients. They are opaque (base64url of
 * a small JSON object) and tagged with the list they belong to, so a cursor
 * from one list, a truncated one or a hand-made one is refused with an
 * InputError instead of silently returning a wrong page.
 */
export interface PageCursorCodec<T> {
  encode(position: T): string;
  /** Throws InputError when the cursor is not one this codec produced. */
  decode(cursor: string): T;
}

export function createPageCursorCodec<T>(
  list: string,
  isPosition: (value: unknown) => value is T,
): PageCursorCodec<T> {
  return {
    encode(position) {
      return Buffer.from(JSON.stringify({ list, position }), 'utf8').toString(
        'base64url',
      );
    },
    decode(cursor) {
      const invalid = () =>
        new InputError(
          `Invalid ${list} cursor '${
            cursor.length > 40 ? `${cursor.slice(0, 40)}…` : cursor
          }'`,
        );
      if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) {
        throw invalid();
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        (parsed as { list?: unknown }).list !== list ||
        !isPosition((parsed as { position?: unknown }).position)
      ) {
        throw invalid();
      }
      return (parsed as { position: T }).position;
    },
  };
}
