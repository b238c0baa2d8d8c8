import type { PlanDoc, PlanDraftView, PlannedEvent, PlanView, UnplannedMode } from '../../../shared/plan';
import { Action } from './action.svelte';
import { api, toApiError, type ApiError } from './api';

/**
 * The Tracking plan view's state: the plan as Footfall has it, the copy being edited (saved
 * with PUT /api/plan), a draft from the traffic under review, and the plan as one JSON file
 * (import, export). A plan from `--plan FILE` is shown, never edited.
 */
export class PlanEditor {
  saved = $state.raw<PlanView | null>(null);
  loadError = $state.raw<ApiError | null>(null);
  /** The copy being edited: the saved plan until the first change. */
  doc = $state.raw<PlanDoc>({ events: {}, unplanned: 'allow' });
  dirty = $state(false);
  selected = $state<string | null>(null);
  /** Bumped when the copy is replaced from outside a type's form (reset, import, JSON, a draft): the form starts anew. */
  revision = $state(0);
  draft = $state.raw<PlanDraftView | null>(null);
  /** What the last action did, for the person ("Saved.", "Checked 120 events: ..."). */
  note = $state<string | null>(null);
  readonly action = new Action();

  readOnly = $derived(this.saved?.file !== null && this.saved?.file !== undefined);
  types = $derived(Object.keys(this.doc.events).sort());

  async load(): Promise<void> {
    try {
      const view = await api<PlanView>('/api/plan');
      this.saved = view;
      this.loadError = null;
      if (!this.dirty) this.reset();
    } catch (e) {
      this.loadError = toApiError(e);
    }
  }

  /** Back to the plan Footfall has (the edits are dropped). */
  reset(): void {
    const v = this.saved;
    this.doc = v === null ? { events: {}, unplanned: 'allow' } : { events: v.events, unplanned: v.unplanned };
    this.dirty = false;
    this.revision++;
    if (this.selected !== null && !(this.selected in this.doc.events)) this.selected = null;
    this.selected ??= this.types[0] ?? null;
  }

  private change(doc: PlanDoc): void {
    this.doc = doc;
    this.dirty = true;
    this.note = null;
  }

  setEvent(type: string, e: PlannedEvent): void {
    this.change({ ...this.doc, events: { ...this.doc.events, [type]: e } });
  }

  /** Adds a type with no rules yet (any properties) and selects it; false when it is there already or empty. */
  addType(name: string): boolean {
    const type = name.trim();
    if (type === '' || type in this.doc.events) return false;
    this.setEvent(type, { properties: { type: 'object', properties: {} } });
    this.selected = type;
    return true;
  }

  removeType(type: string): void {
    const { [type]: _gone, ...rest } = this.doc.events;
    this.change({ ...this.doc, events: rest });
    if (this.selected === type) this.selected = this.types[0] ?? null;
  }

  setUnplanned(mode: UnplannedMode): void {
    this.change({ ...this.doc, unplanned: mode });
  }

  /** The whole plan replaced (the JSON editor, an import, a draft taken). */
  replace(doc: PlanDoc): void {
    this.change({ events: doc.events, unplanned: doc.unplanned });
    this.revision++;
    if (this.selected === null || !(this.selected in doc.events)) this.selected = this.types[0] ?? null;
  }

  /** Parses a plan file's text (an import, the JSON editor); throws with what is wrong. */
  parse(text: string): PlanDoc {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof (v as { events?: unknown }).events !== 'object') {
      throw new Error('a tracking plan is a JSON object with "events": {"TYPE": {"properties": {JSON Schema}}}');
    }
    const d = v as { events: PlanDoc['events']; unplanned?: UnplannedMode };
    return { events: d.events, unplanned: d.unplanned ?? 'allow' };
  }

  /** The plan as one JSON file (what --plan FILE reads). */
  exportText(): string {
    return `${JSON.stringify({ unplanned: this.doc.unplanned, events: this.doc.events }, null, 2)}\n`;
  }

  async save(): Promise<boolean> {
    return this.action.run(async () => {
      this.saved = await api<PlanView>('/api/plan', { method: 'PUT', body: this.doc });
      this.reset();
      this.note = 'Saved: events are checked against this plan from now on. Check those stored already with “Check stored events again”.';
    });
  }

  async makeDraft(range: { from: string; to: string }): Promise<void> {
    await this.action.run(async () => {
      this.draft = await api<PlanDraftView>('/api/plan/draft', { method: 'POST', body: range });
    });
  }

  /** Takes the draft under review into the editor: all of it, or only the types the plan lacks. */
  takeDraft(onlyNew: boolean): void {
    const d = this.draft;
    if (d === null) return;
    const events = onlyNew ? { ...Object.fromEntries(Object.entries(d.events).filter(([t]) => !(t in this.doc.events))), ...this.doc.events } : d.events;
    this.replace({ events, unplanned: onlyNew ? this.doc.unplanned : d.unplanned });
    this.draft = null;
  }

  async revalidate(range: { from: string; to: string }): Promise<void> {
    await this.action.run(async () => {
      const r = await api<{ checked: number; valid: number; invalid: number; unplanned: number }>('/api/plan/revalidate', { method: 'POST', body: range });
      this.note = `Checked ${r.checked} stored event${r.checked === 1 ? '' : 's'} of the range again: ${r.valid} valid, ${r.invalid} invalid, ${r.unplanned} unplanned.`;
    });
  }
}
