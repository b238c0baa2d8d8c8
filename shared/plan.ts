/**
 * The tracking plan's shapes and its one rule of verdicts, used by the engine (which checks
 * events against a plan) and the dashboard (which edits it and shows what it found).
 */

/** What checking an event against the plan found. */
export type ValidationStatus = 'valid' | 'invalid' | 'unplanned';
export const VALIDATION_STATUSES: readonly ValidationStatus[] = ['valid', 'invalid', 'unplanned'];
/** How a verdict is stored (event_validation.status). */
export const VALIDATION_CODE: Readonly<Record<ValidationStatus, number>> = { valid: 0, invalid: 1, unplanned: 2 };

/** One broken rule: the property (`properties.revenue`) and what is wrong with it ("must be number, got string 'abc'"). */
export interface ValidationError {
  path: string;
  message: string;
}

/** An event's `metadata.validation`: null when no plan was in force as it was stored (or it is Footfall's own). */
export interface ValidationView {
  status: ValidationStatus;
  errors: ValidationError[];
}

/** `allow`: an event of a type the plan does not name is kept quietly; `flag`: the /track answer warns about it. */
export type UnplannedMode = 'allow' | 'flag';

export interface PlannedEvent {
  description?: string;
  /** A JSON Schema (draft-07) for the event's `properties` object. */
  properties: Record<string, unknown> | boolean;
}

/** The plan as a file holds it, and as PUT /api/plan takes it. */
export interface PlanDoc {
  events: Record<string, PlannedEvent>;
  unplanned: UnplannedMode;
}

/** `GET /api/plan`: the plan in force, and where it comes from. */
export interface PlanView extends PlanDoc {
  /** With `--plan FILE`: that file (the plan is then edited there, not here), and why its last change was not taken. */
  file: { path: string; error: string | null; loadedAt: string | null } | null;
  /** When the plan was last saved or loaded. */
  updatedAt: string | null;
}

/** `GET /api/stats/plan`: each planned type over a range, and what came that the plan does not name. */
export interface PlanCoverageView {
  events: Array<{ type: string; seen: number; valid: number; invalid: number; unchecked: number; lastSeen: string | null }>;
  unplanned: Array<{ type: string; seen: number; lastSeen: string | null }>;
}

/** `POST /api/plan/draft`: a plan inferred from stored events, and what the inference noticed. */
export interface PlanDraftView extends PlanDoc {
  /** Events read (the newest `DRAFT_MAX_EVENTS` of the range at most). */
  sampled: number;
  /** Properties seen with more than one JSON type ("type inconsistent"), with how often each. */
  inconsistent: Array<{ type: string; property: string; types: Record<string, number> }>;
}

/** `POST /api/plan/revalidate`: how the stored events of a range fared against the plan in force. */
export interface RevalidateView {
  checked: number;
  valid: number;
  invalid: number;
  unplanned: number;
}

/** The most events a draft reads. */
export const DRAFT_MAX_EVENTS = 100_000;
/** A string property with at most this many distinct values (each seen a few times) gets an enum in a draft. */
export const DRAFT_ENUM_MAX = 8;

/** "properties.revenue: must be number, got string 'abc'". */
export const errorLine = (e: ValidationError): string => `${e.path}: ${e.message}`;
