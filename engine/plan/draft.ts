import type { DB } from '../db/database';
import { DRAFT_ENUM_MAX, DRAFT_MAX_EVENTS, type PlanDraftView, type PlannedEvent } from '../../shared/plan';
import { parse } from './revalidate';
import { scanEvents } from './scan';

/**
 * `POST /api/plan/draft`: a tracking plan inferred from what arrived, for the person to review
 * and save. Per event type, each property's JSON types (more than one: a union, reported as
 * "type inconsistent", as Avo calls it), required when every event of the type had it, and an
 * enum for a text property with few values each seen several times. Nested objects are
 * inferred the same way, a few levels down.
 */

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

/** What the events of a type (or the objects at one property) had in common. */
interface Shape {
  seen: number;
  props: Map<string, Prop>;
}

interface Prop {
  present: number;
  types: Map<JsonType, number>;
  /** Distinct text values and how often, until there are too many to be an enum (then null). */
  values: Map<string, number> | null;
  /** For objects: what they held. */
  shape: Shape | null;
}

/** Nested objects below this depth are kept as `{"type": "object"}`. */
const MAX_DEPTH = 3;

const jsonType = (v: unknown): JsonType => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsonType));

function observe(shape: Shape, obj: Record<string, unknown>, depth: number): void {
  shape.seen++;
  for (const [name, value] of Object.entries(obj)) {
    let p = shape.props.get(name);
    if (p === undefined) shape.props.set(name, (p = { present: 0, types: new Map(), values: new Map(), shape: null }));
    p.present++;
    const t = jsonType(value);
    p.types.set(t, (p.types.get(t) ?? 0) + 1);
    if (t === 'string' && p.values !== null) {
      p.values.set(value as string, (p.values.get(value as string) ?? 0) + 1);
      if (p.values.size > DRAFT_ENUM_MAX) p.values = null;
    }
    if (t === 'object' && depth < MAX_DEPTH) observe((p.shape ??= { seen: 0, props: new Map() }), value as Record<string, unknown>, depth + 1);
  }
}

type Inconsistent = PlanDraftView['inconsistent'][number];

function schemaOf(shape: Shape, type: string, path: string, out: Inconsistent[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const name of [...shape.props.keys()].sort()) {
    const p = shape.props.get(name)!;
    const property = path === '' ? name : `${path}.${name}`;
    properties[name] = propSchema(p, type, property, out);
    if (p.present === shape.seen) required.push(name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

function propSchema(p: Prop, type: string, property: string, out: Inconsistent[]): Record<string, unknown> {
  const types = [...p.types.keys()].sort();
  if (types.length > 1) {
    const counts = Object.fromEntries(types.map((t) => [t, p.types.get(t)!]));
    out.push({ type, property, types: counts });
    return { type: types, description: `type inconsistent: ${types.map((t) => `${t} in ${p.types.get(t)}`).join(', ')} of ${p.present} events` };
  }
  const only = types[0]!;
  if (only === 'object' && p.shape !== null) return schemaOf(p.shape, type, property, out);
  // Few values, each seen a few times: a choice (a currency, a plan's tier), not free text or ids.
  if (only === 'string' && p.values !== null && p.values.size > 0 && p.present >= Math.max(5, 3 * p.values.size)) {
    return { type: 'string', enum: [...p.values.keys()].sort() };
  }
  return { type: only };
}

/** The draft of the events stored in the range (the newest DRAFT_MAX_EVENTS at most). */
export async function draftPlan(db: DB, range: { from?: number | undefined; to?: number | undefined }): Promise<PlanDraftView> {
  const shapes = new Map<string, Shape>();
  let sampled = 0;
  await scanEvents(db, range, 'desc', (rows) => {
    for (const [, type, properties] of rows) {
      if (sampled >= DRAFT_MAX_EVENTS) return false;
      sampled++;
      let shape = shapes.get(type);
      if (shape === undefined) shapes.set(type, (shape = { seen: 0, props: new Map() }));
      observe(shape, parse(properties), 1);
    }
    return sampled < DRAFT_MAX_EVENTS;
  });
  const inconsistent: Inconsistent[] = [];
  const events: Record<string, PlannedEvent> = {};
  for (const type of [...shapes.keys()].sort()) {
    const shape = shapes.get(type)!;
    events[type] = { description: `Inferred from ${shape.seen} event${shape.seen === 1 ? '' : 's'}.`, properties: schemaOf(shape, type, '', inconsistent) };
  }
  // A plan drawn from every type that came flags the next new one.
  return { events, unplanned: 'flag', sampled, inconsistent };
}
