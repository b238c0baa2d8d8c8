import { z } from 'zod';
import { LIMITS } from './limits';

/**
 * Tracardi's TrackerPayload as Footfall accepts it. Liberal: unknown fields anywhere pass
 * through (real trackers send more than this); known fields must have the right type.
 */

/**
 * Depth of nested objects/arrays. It stops descending one level past `LIMITS.depth` (and
 * answers that depth), so hostile input cannot blow the stack; it allocates nothing, as it
 * runs on every bag of every event.
 */
export function jsonDepth(value: unknown): number {
  return depthBelow(value, 0);
}

function depthBelow(v: unknown, above: number): number {
  if (v === null || typeof v !== 'object') return above;
  const depth = above + 1;
  if (depth > LIMITS.depth) return depth;
  let max = depth;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const d = depthBelow(v[i], depth);
      if (d > max && (max = d) > LIMITS.depth) return max;
    }
  } else {
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      const d = depthBelow((v as Record<string, unknown>)[key], depth);
      if (d > max && (max = d) > LIMITS.depth) return max;
    }
  }
  return max;
}

const id = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(LIMITS.idLength, `must be at most ${LIMITS.idLength} characters`);

/**
 * A JSON object of anything. Checked in place (`z.custom`), not copied key by key as
 * `z.record` does: it is the largest part of every event, and stored as it came.
 */
const bag = z
  .custom<Record<string, unknown>>((v) => v !== null && typeof v === 'object' && !Array.isArray(v), { error: 'must be an object' })
  .refine((v) => jsonDepth(v) <= LIMITS.depth, `is nested deeper than ${LIMITS.depth} levels`);

/** `{id}` where the id may be missing or null: the engine then makes a new one. */
const optionalRef = z.looseObject({ id: id.nullish() }, { error: 'must be an object or null' }).nullish();

export const trackEventSchema = z.looseObject(
  {
    id: id.optional(),
    // Checked as trimmed, kept as sent: the engine trims it and says so in `warnings`.
    type: z
      .string({ error: 'must be a non-empty string' })
      .refine((v) => v.trim() !== '', 'must be a non-empty string')
      .refine((v) => v.trim().length <= LIMITS.typeLength, `must be at most ${LIMITS.typeLength} characters`),
    properties: bag.optional(),
    context: bag.optional(),
    options: bag.optional(),
  },
  { error: 'must be an object' },
);

export const trackPayloadSchema = z.looseObject(
  {
    source: z.looseObject({ id }, { error: 'is required: {"id": "SOURCE_ID"}' }),
    session: optionalRef,
    profile: optionalRef,
    context: bag.optional(),
    properties: bag.optional(),
    options: bag.optional(),
    events: z
      .array(trackEventSchema, { error: 'must be an array' })
      .max(LIMITS.eventsPerRequest, `holds more than ${LIMITS.eventsPerRequest} events (the per-request limit)`)
      .optional(),
  },
  { error: 'the body must be a JSON object' },
);

export type TrackEvent = z.infer<typeof trackEventSchema>;
export type TrackPayload = z.infer<typeof trackPayloadSchema>;

/** The 200 answer of `POST /track` (Tracardi's shape). */
export interface TrackResponse {
  profile: { id: string };
  session: { id: string };
  events: string[];
  ux: unknown[];
  response: Record<string, unknown>;
  errors: string[];
  warnings: string[];
}

/** Every error answer of Footfall's HTTP API. */
export interface ErrorResponse {
  detail: string;
}

/** `events[0].type` style path for an issue, so an error names the field. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? 'body' : out;
}

export type ParseResult = { ok: true; payload: TrackPayload } | { ok: false; detail: string };

const compiled = z.compile(trackPayloadSchema);

/** Validates a parsed JSON body; on failure names the first few wrong fields. */
export function parseTrackPayload(body: unknown): ParseResult {
  const r = compiled.safeParse(body);
  if (r.success) return { ok: true, payload: r.data };
  const issues = r.error.issues.slice(0, 3).map((i) => `${issuePath(i.path)}: ${i.message}`);
  const more = r.error.issues.length > 3 ? ` (and ${r.error.issues.length - 3} more)` : '';
  return { ok: false, detail: `Invalid payload: ${issues.join('; ')}${more}` };
}
