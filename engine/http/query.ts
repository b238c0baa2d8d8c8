import { z } from 'zod';
import { HttpError } from '../errors';
import { issuePath } from '../../shared/track';
import { parseFilter, type Filter } from '../../shared/explore';

/** A time in a query string: ISO 8601 or milliseconds since the epoch. */
export const timeParam = z.string().transform((v, ctx) => {
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a time (use ISO 8601 or epoch milliseconds)` });
    return z.NEVER;
  }
  return n;
});

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
