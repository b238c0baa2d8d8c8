import type { PlannedEvent } from '../../../shared/plan';

/**
 * The Tracking plan view's form for one event type: the common rules (a property's type,
 * required, allowed values, pattern, min/max) as rows, turned into a JSON Schema and back.
 * A schema with anything else (nested objects' rules, anyOf, formats...) has no form: the
 * view edits it as JSON, and says so.
 */

export const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'any'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface PropRow {
  name: string;
  type: FieldType;
  required: boolean;
  /** Allowed values, comma-separated (empty: any). */
  allowed: string;
  /** A regular expression text values must match (strings only). */
  pattern: string;
  /** Least and most: a number's value, a text's length. */
  min: string;
  max: string;
  description: string;
}

export interface TypeForm {
  description: string;
  props: PropRow[];
  /** Properties the plan does not name are refused (`additionalProperties: false`). */
  closed: boolean;
}

export const emptyRow = (): PropRow => ({ name: '', type: 'string', required: false, allowed: '', pattern: '', min: '', max: '', description: '' });

const TOP_KEYS = new Set(['type', 'properties', 'required', 'additionalProperties']);
const PROP_KEYS = new Set(['type', 'enum', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'description']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const bound = (v: unknown): string => (typeof v === 'number' ? String(v) : '');

/** One property's schema as a row, or null when it has rules the form does not edit. */
function rowOf(name: string, s: unknown, required: boolean): PropRow | null {
  if (!isObject(s) || Object.keys(s).some((k) => !PROP_KEYS.has(k))) return null;
  const type = s.type === undefined ? 'any' : s.type;
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) return null;
  const text = type === 'string';
  const numeric = type === 'number' || type === 'integer';
  // A rule the form would put elsewhere (a length on a number) is one it cannot show.
  if ((!text && (s.pattern !== undefined || s.minLength !== undefined || s.maxLength !== undefined)) || (!numeric && (s.minimum !== undefined || s.maximum !== undefined))) return null;
  let allowed = '';
  if (s.enum !== undefined) {
    if (!Array.isArray(s.enum) || !s.enum.every((v) => (text ? typeof v === 'string' && !v.includes(',') : numeric && typeof v === 'number'))) return null;
    allowed = s.enum.join(', ');
  }
  return {
    name,
    type: type as FieldType,
    required,
    allowed,
    pattern: typeof s.pattern === 'string' ? s.pattern : '',
    min: bound(text ? s.minLength : s.minimum),
    max: bound(text ? s.maxLength : s.maximum),
    description: typeof s.description === 'string' ? s.description : '',
  };
}

/** The form of a planned event, or null when its schema needs the JSON editor. */
export function formOf(e: PlannedEvent): TypeForm | null {
  const s = e.properties;
  if (s === true) return { description: e.description ?? '', props: [], closed: false };
  if (!isObject(s) || Object.keys(s).some((k) => !TOP_KEYS.has(k))) return null;
  if (s.type !== undefined && s.type !== 'object') return null;
  if (s.additionalProperties !== undefined && typeof s.additionalProperties !== 'boolean') return null;
  const props = s.properties ?? {};
  const required = s.required ?? [];
  if (!isObject(props) || !Array.isArray(required)) return null;
  if (required.some((r) => typeof r !== 'string')) return null;
  const rows: PropRow[] = [];
  for (const [name, p] of Object.entries(props)) {
    const row = rowOf(name, p, required.includes(name));
    if (row === null) return null;
    rows.push(row);
  }
  // Required without rules of its own: a row of any type (written back as `name: {}`, the same rule).
  for (const name of required as string[]) if (!(name in props)) rows.push({ ...emptyRow(), name, type: 'any', required: true });
  return { description: e.description ?? '', props: rows, closed: s.additionalProperties === false };
}

const num = (v: string): number | undefined => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

/** The planned event a form describes (rows without a name are left out). */
export function eventOf(f: TypeForm): PlannedEvent {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const r of f.props) {
    const name = r.name.trim();
    if (name === '') continue;
    const s: Record<string, unknown> = {};
    if (r.type !== 'any') s.type = r.type;
    const text = r.type === 'string';
    const numeric = r.type === 'number' || r.type === 'integer';
    const values = r.allowed.split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (values.length > 0 && (text || numeric)) s.enum = text ? values : values.map(Number).filter(Number.isFinite);
    if (text && r.pattern.trim() !== '') s.pattern = r.pattern.trim();
    const [lo, hi] = [num(r.min), num(r.max)];
    if (lo !== undefined && (text || numeric)) s[text ? 'minLength' : 'minimum'] = lo;
    if (hi !== undefined && (text || numeric)) s[text ? 'maxLength' : 'maximum'] = hi;
    if (r.description.trim() !== '') s.description = r.description.trim();
    properties[name] = s;
    if (r.required) required.push(name);
  }
  const schema: Record<string, unknown> = { type: 'object', properties };
  if (required.length > 0) schema.required = required;
  if (f.closed) schema.additionalProperties = false;
  return { ...(f.description.trim() !== '' ? { description: f.description.trim() } : {}), properties: schema };
}

/** "string, required, one of EUR, USD": a property's rules in a few words (the draft's review). */
export function ruleSummary(s: unknown): string {
  if (!isObject(s)) return 'any';
  const parts = [Array.isArray(s.type) ? s.type.join(' | ') : typeof s.type === 'string' ? s.type : 'any'];
  if (Array.isArray(s.enum)) parts.push(`one of ${s.enum.join(', ')}`);
  if (typeof s.pattern === 'string') parts.push(`matching ${s.pattern}`);
  return parts.join(', ');
}
