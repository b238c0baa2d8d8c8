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

/** The keyset condition of the page after `cursor`, in `order`, added to `where` and `params`. */
export function keyset(expr: string, order: 'asc' | 'desc', pkCol: string, cursor: Cursor | null, where: string[], params: unknown[]): void {
  if (!cursor) return;
  const op = order === 'desc' ? '<' : '>';
  // Written so that SQLite seeks to the cursor: with bound values, `a < ? OR (a = ? AND pk <
  // ?)` made it walk the index (or the table) from its start to the cursor on every page,
  // which made a long export quadratic. `a <= ?` is a range it can seek to.
  if (expr === pkCol) {
    where.push(`${pkCol} ${op} ?`);
    params.push(cursor[1]);
    return;
  }
  where.push(`${expr} ${op}= ? AND (${expr} ${op} ? OR ${pkCol} ${op} ?)`);
  params.push(cursor[0], cursor[0], cursor[1]);
}
