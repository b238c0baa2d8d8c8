import { z } from 'zod';
import { HttpError } from './errors';
import { issuePath } from '../../shared/track';
import { parseFilter, type Filter } from '../../shared/explore';

/**
 * The times a parameter may name: 1970-01-01 to 9999-12-31 (UTC). Beyond them Date and Intl
 * fail ("Invalid time value") once a range is widened or cut into days, and no visit
 * recorded by Footfall lies outside.
 */
export const TIME_MIN = 0;
export const TIME_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A time in a query string: ISO 8601 or milliseconds since the epoch, within TIME_MIN..TIME_MAX. */
export const timeParam = z.string().transform((v, ctx) => {
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a time (use ISO 8601 or epoch milliseconds)` });
    return z.NEVER;
  }
  if (n < TIME_MIN || n > TIME_MAX) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is outside the times Footfall takes, 1970-01-01 to 9999-12-31 (epoch milliseconds ${TIME_MIN} to ${TIME_MAX})` });
    return z.NEVER;
  }
  return n;
});

/**
 * Parameters that may be given more than once (`filter=browser:Chrome&filter=os:Linux`).
 * Any other given twice is ambiguous (which `token`, which `limit`?): refused, naming it.
 */
export const REPEATABLE_PARAMS: ReadonlySet<string> = new Set(['filter']);

/** Why a parsed query string is refused (a parameter given twice), or null. */
export function repeatedParam(query: unknown): string | null {
  if (query === null || typeof query !== 'object') return null;
  for (const [name, v] of Object.entries(query)) {
    if (Array.isArray(v) && !REPEATABLE_PARAMS.has(name)) return `Query parameter "${name}" is given ${v.length} times; give it once.`;
  }
  return null;
}

export const boolParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const pageParams = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
  order: z.enum(['asc', 'desc']).optional(),
};

/** Parses a query string (or body) with a schema; a mismatch is a 400 that names the field. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, status = 400): z.infer<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new HttpError(status, `${issuePath(issue.path)}: ${issue.message}`);
}

/** `filter=DIM:VALUE` / `filter=DIM!:VALUE`, once or repeated (shared/explore.ts). */
export const filterParam = z
  .union([z.string().max(2048), z.array(z.string().max(2048)).max(50)])
  .transform((v, ctx): Filter[] => {
    const out: Filter[] = [];
    for (const raw of Array.isArray(v) ? v : [v]) {
      const f = parseFilter(raw);
      if (typeof f === 'string') {
        ctx.addIssue({ code: 'custom', message: f });
        return z.NEVER;
      }
      out.push(f);
    }
    return out;
  });
