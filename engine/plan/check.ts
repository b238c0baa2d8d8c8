import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { DomainError } from '../errors';
import { errorLine, VALIDATION_CODE, type PlanDoc, type ValidationError } from '../../shared/plan';

/**
 * The hot path's half of the tracking plan: a plan compiled once (one Ajv validator per
 * event type, in a Map) and the check of one event against it, with errors that name the
 * property and the rule ("properties.revenue: must be number, got string 'abc'").
 */

/** What one event's check found, as it is stored (event_validation) and told (the /track answer). */
export interface Verdict {
  /** VALIDATION_CODE's number. */
  status: number;
  errors: ValidationError[];
  /** The errors as stored: JSON, or null when there are none. */
  errorsJson: string | null;
}

const VALID: Verdict = Object.freeze({ status: VALIDATION_CODE.valid, errors: [], errorsJson: null });
const UNPLANNED: Verdict = Object.freeze({ status: VALIDATION_CODE.unplanned, errors: [], errorsJson: null });
/** More than this many errors in one event is noise: the first ones say what to fix. */
const MAX_ERRORS = 20;

/** A plan ready to check events: built once per plan, never per event. */
export class CompiledPlan {
  private constructor(
    readonly doc: PlanDoc,
    private readonly validators: ReadonlyMap<string, ValidateFunction>,
  ) {}

  /**
   * Compiles every event type's schema. Throws a DomainError ('invalid') naming the first type
   * whose schema is wrong and what is wrong with it; a plan with no types compiles to null
   * (no plan: nothing is checked).
   */
  static compile(doc: PlanDoc): CompiledPlan | null {
    const types = Object.keys(doc.events);
    if (types.length === 0) return null;
    // One Ajv per plan: a schema's $id is then only ever in one plan.
    const ajv = new Ajv({
      allErrors: true,
      // Puts the value that broke a rule in its error: only errors pay for it.
      verbose: true,
      // Strict about keywords (a typo such as "requried" is refused, not ignored), not about
      // a user's schemas that leave `type: "object"` implicit.
      strictSchema: true,
      strictNumbers: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      allowUnionTypes: true,
      logger: false,
    });
    addFormats(ajv);
    const validators = new Map<string, ValidateFunction>();
    for (const type of types) {
      const schema = doc.events[type]!.properties;
      const at = `events.${type}.properties`;
      if (!ajv.validateSchema(schema)) {
        const first = ajv.errors?.[0];
        throw new DomainError('invalid', first ? `${at}${dotted(first.instancePath, '')}: ${describe(first)}` : `${at}: is not a JSON Schema.`);
      }
      try {
        validators.set(type, ajv.compile(schema));
      } catch (err) {
        throw new DomainError('invalid', `${at}: ${(err as Error).message.replace(/^strict mode: /, '')}.`);
      }
    }
    return new CompiledPlan(doc, validators);
  }

  get types(): number {
    return this.validators.size;
  }

  /** Whether the /track answer warns about an unplanned type. */
  get flagsUnplanned(): boolean {
    return this.doc.unplanned === 'flag';
  }

  /** Checks one event's properties; never throws. */
  check(type: string, properties: unknown): Verdict {
    const validate = this.validators.get(type);
    if (validate === undefined) return UNPLANNED;
    try {
      if (validate(properties)) return VALID;
      const errors = (validate.errors ?? []).slice(0, MAX_ERRORS).map(toError);
      return { status: VALIDATION_CODE.invalid, errors, errorsJson: JSON.stringify(errors) };
    } catch (err) {
      // A schema's own pattern that blows up on some input: say so on the event, store it still.
      const errors = [{ path: 'properties', message: `could not be checked (${(err as Error).message})` }];
      return { status: VALIDATION_CODE.invalid, errors, errorsJson: JSON.stringify(errors) };
    }
  }

  /** What the /track answer says about `events[i]`'s verdict, or null (valid; unplanned while the plan allows them). */
  warning(i: number, type: string, v: Verdict): string | null {
    if (v.status === VALIDATION_CODE.invalid) return `events[${i}]: "${type}" does not follow the tracking plan: ${v.errors.map(errorLine).join('; ')}.`;
    if (v.status === VALIDATION_CODE.unplanned && this.flagsUnplanned) return `events[${i}]: type "${type}" is not in the tracking plan.`;
    return null;
  }
}

/** A JSON pointer (`/items/0/sku`) as a path a person reads (`properties.items[0].sku`). */
function dotted(pointer: string, root: string): string {
  let out = root;
  if (pointer === '') return out;
  for (const raw of pointer.slice(1).split('/')) out += segment(raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  return out;
}

/** One step of a path: `.name`, `[2]`, or `["odd name"]`. */
export function segment(name: string): string {
  if (/^\d+$/.test(name)) return `[${name}]`;
  return /^[^.[\]\s"']+$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** A value as an error quotes it: strings quoted and cut, objects and arrays named. */
function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** "string 'abc'", "number 7", "null", "an object": what a value is, for a type error. */
function kind(v: unknown): string {
  if (v === null || typeof v === 'object') return show(v);
  return `${typeof v} ${show(v)}`;
}

/** What broke, said as a rule and what came instead. */
function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return 'is required, but missing';
    case 'additionalProperties':
      return 'is not a property the plan names (it allows no others)';
    case 'type':
      return `must be ${Array.isArray(p.type) ? (p.type as string[]).join(' or ') : String(p.type)}, got ${kind(e.data)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')}, got ${show(e.data)}`;
    case 'const':
      return `must be ${show(p.allowedValue)}, got ${show(e.data)}`;
    case 'pattern':
      return `must match pattern ${String(p.pattern)}, got ${show(e.data)}`;
    default:
      // Rules about the whole object or array (minProperties, anyOf...) quote no value.
      return typeof e.data === 'object' && e.data !== null ? (e.message ?? e.keyword) : `${e.message ?? e.keyword}, got ${show(e.data)}`;
  }
}

function toError(e: ErrorObject): ValidationError {
  const p = e.params as Record<string, unknown>;
  const named = e.keyword === 'required' ? p.missingProperty : e.keyword === 'additionalProperties' ? p.additionalProperty : undefined;
  const path = dotted(e.instancePath, 'properties') + (typeof named === 'string' ? segment(named) : '');
  return { path, message: describe(e) };
}
