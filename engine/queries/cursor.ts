import { DomainError } from '../errors';

/** A keyset cursor: the sort value and primary key of the last row of a page. */
export type Cursor = [value: number | string | null, pk: number];

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(raw: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isInteger(v[1]) && (v[0] === null || ['number', 'string'].includes(typeof v[0]))) {
      return v as Cursor;
    }
  } catch {
    // fall through to the error below
  }
  throw new DomainError('bad-cursor', 'cursor: not a cursor this API gave out; use the `next` value of the previous page.');
}
