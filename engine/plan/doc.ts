import { z } from 'zod';
import { DomainError } from '../errors';
import { LIMITS } from '../../shared/limits';
import type { PlanDoc } from '../../shared/plan';
import { CompiledPlan, segment } from './check';

/**
 * A tracking plan as a person writes it (a file in their repository, the body of
 * PUT /api/plan, the view's import): checked for shape here, its schemas by Ajv (check.ts).
 */

/** The most event types one plan names. */
export const MAX_PLAN_TYPES = 1000;

/** Keys GET /api/plan and the draft answer add beside the plan: taken back without complaint (a GET → PUT round trip). */
const READ_ONLY_KEYS = ['file', 'updatedAt', 'sampled', 'inconsistent'];

const typeName = z
  .string()
  .min(1, 'an event type must not be empty')
  .max(LIMITS.typeLength, `an event type is at most ${LIMITS.typeLength} characters`)
  .refine((t) => t.trim() === t, 'an event type has no spaces around it (the collector trims them off the events it stores)');

const plannedEvent = z.strictObject(
  {
    description: z.string().max(2000).optional(),
    properties: z
      .union([z.record(z.string(), z.unknown()), z.boolean()], { error: 'must be a JSON Schema (an object) for the event’s properties' })
      .optional(),
  },
  { error: 'must be an object: {"description": "...", "properties": {JSON Schema}}' },
);

const planSchema = z.strictObject(
  {
    $schema: z.string().optional(),
    description: z.string().max(10_000).optional(),
    unplanned: z.enum(['allow', 'flag'], { error: 'must be "allow" or "flag"' }).optional(),
    events: z
      .record(typeName, plannedEvent, {
        error: (iss) => (iss.code === 'invalid_type' ? 'must be an object of event types: {"purchase": {"properties": {JSON Schema}}}' : undefined),
      })
      .refine((e) => Object.keys(e).length <= MAX_PLAN_TYPES, `names more than ${MAX_PLAN_TYPES} event types`),
  },
  { error: 'a tracking plan must be a JSON object: {"events": {...}, "unplanned": "allow" | "flag"}' },
);

/** Checks a plan's shape and compiles it; throws a DomainError ('invalid') naming what is wrong. */
export function readPlan(input: unknown): { doc: PlanDoc; compiled: CompiledPlan | null } {
  const body = input !== null && typeof input === 'object' && !Array.isArray(input) ? Object.fromEntries(Object.entries(input).filter(([k]) => !READ_ONLY_KEYS.includes(k))) : input;
  const r = planSchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = planPath([...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys.join(', ')] : [])]);
    const what = issue.code === 'unrecognized_keys' ? 'is not a field of a tracking plan' : issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    throw new DomainError('invalid', `${where}: ${what}.`);
  }
  const events: PlanDoc['events'] = {};
  for (const [type, e] of Object.entries(r.data.events)) {
    events[type] = { ...(e.description !== undefined ? { description: e.description } : {}), properties: e.properties ?? { type: 'object' } };
  }
  const doc: PlanDoc = { events, unplanned: r.data.unplanned ?? 'allow' };
  return { doc, compiled: CompiledPlan.compile(doc) };
}

/** The plan a file holds: its JSON read, then as readPlan. */
export function parsePlanText(text: string): { doc: PlanDoc; compiled: CompiledPlan | null } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DomainError('invalid', `not JSON (${(err as Error).message})`);
  }
  return readPlan(json);
}

/** Where in a plan an issue is: `events.purchase.properties`, `events[" a"]`, `unplanned`. */
function planPath(path: ReadonlyArray<PropertyKey>): string {
  const out = path.map((p) => segment(String(p))).join('');
  return out === '' ? 'body' : out.replace(/^\./, '');
}

export const NO_PLAN: PlanDoc = { events: {}, unplanned: 'allow' };
