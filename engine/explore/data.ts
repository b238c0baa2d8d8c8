import { grown, Interner, KeyMap } from './interner';

/**
 * The session dimensions explore filters and breaks down by, held as interned string ids
 * (-1: none). `landing` and `exit` are page keys (host/path), as the rollups count them.
 */
export const SESSION_DIMS = ['source', 'device', 'browser', 'os', 'channel', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'landing', 'exit'] as const;
export type SessionDimName = (typeof SESSION_DIMS)[number];
export const DIM_INDEX: Readonly<Record<SessionDimName, number>> = Object.fromEntries(SESSION_DIMS.map((d, i) => [d, i])) as Record<SessionDimName, number>;

/** A session as explore keeps it (what the sessions table says, with its pages as keys). */
export interface SessionRecord {
  pk: number;
  profilePk: number;
  /** 0 active, 1 ended. */
  status: number;
  /** Stored traffic class (engine/db/rows.ts CLS: 0 people, 1 bot, 2 debug). */
  cls: number;
  startedAt: number;
  lastAt: number;
  /** Seconds; null while active. */
  duration: number | null;
  events: number;
  pageViews: number;
  keyEvents: number;
  visitNumber: number;
  /** Values of SESSION_DIMS, in that order. */
  dims: Array<string | null>;
}

/**
 * Property values are interned with their JSON kind in front ('s' string, 'n' number,
 * 'b' boolean), so 1 and "1" stay apart while a filter on "1" can ask for either.
 */
export const VALUE_KINDS = ['s', 'n', 'b'] as const;

export const TIME_BLOCK_BITS = 10;
export const TIME_BLOCK = 1 << TIME_BLOCK_BITS;

/**
 * Every session and every tracked event (system events left out) as columns of typed
 * arrays: what funnels, paths, retention and filtered figures scan. A million events are a
 * few tens of MB and one pass over them takes milliseconds. Events are kept in the order
 * they were stored; each session's events form a linked list (`first`, `next`), so a new
 * event of an active session is one append.
 */
export class ExploreData {
  /** Event types, pages, session dimension values and property names. */
  readonly strings = new Interner();
  /** Property values, tagged with their kind (see VALUE_KINDS). */
  readonly values = new Interner();
  /** The number of each value id (NaN for strings and booleans). */
  valueNumber = new Float64Array(0);
  /** The kind of each value id: its index in VALUE_KINDS. */
  valueKind = new Uint8Array(0);

  // ---- sessions, by slot ----
  nSessions = 0;
  /** Session pk -> slot. */
  readonly slotOf = new KeyMap();
  /** Profile pk -> profile slot, and back. */
  readonly profileSlotOf = new KeyMap();
  profilePk = new Float64Array(0);
  nProfiles = 0;
  pk = new Float64Array(0);
  profile = new Int32Array(0);
  status = new Uint8Array(0);
  cls = new Uint8Array(0);
  startedAt = new Float64Array(0);
  lastAt = new Float64Array(0);
  /** Seconds; NaN while active. */
  duration = new Float64Array(0);
  events = new Int32Array(0);
  pageViews = new Int32Array(0);
  keyEvents = new Int32Array(0);
  visitNumber = new Int32Array(0);
  dims: Int32Array[] = SESSION_DIMS.map(() => new Int32Array(0));
  /** First and last event of each session (-1: none yet). */
  first = new Int32Array(0);
  last = new Int32Array(0);
  /** Slots of sessions stored as active: read again at every refresh, since they change. */
  readonly active = new Set<number>();
  /** Bumped by every change, so that what was computed from the data can tell it is still current. */
  version = 0;

  // ---- events, in stored order ----
  nEvents = 0;
  slot = new Int32Array(0);
  time = new Float64Array(0);
  type = new Int32Array(0);
  /** Page key id of the event's page (-1: none). */
  page = new Int32Array(0);
  /** The session's next event (-1: the last). */
  next = new Int32Array(0);
  /** End (exclusive) of each event's properties in propName/propValue; the start is the previous event's end. */
  propEnd = new Int32Array(0);
  nProps = 0;
  propName = new Int32Array(0);
  propValue = new Int32Array(0);
  /**
   * The earliest and latest time of each block of TIME_BLOCK events: a range scan skips the
   * blocks wholly outside it (events are stored in commit order, so times mostly rise).
   */
  blockMin = new Float64Array(0);
  blockMax = new Float64Array(0);

  private readonly pageViewTypes: ReadonlySet<string>;
  /** Whether each string id is a page-view type (grown lazily). */
  private viewById = new Uint8Array(0);

  constructor(pageViewTypes: ReadonlySet<string>) {
    this.pageViewTypes = pageViewTypes;
  }

  /** The slot of session `pk`, made (with no events) if it is new. */
  sessionSlot(pk: number): number {
    let s = this.slotOf.get(pk);
    if (s < 0) {
      s = this.nSessions++;
      if (s >= this.pk.length) this.growSessions(s + 1);
      this.slotOf.set(pk, s);
      this.pk[s] = pk;
      this.first[s] = -1;
      this.last[s] = -1;
    }
    return s;
  }

  profileSlot(profilePk: number): number {
    let p = this.profileSlotOf.get(profilePk);
    if (p < 0) {
      p = this.nProfiles++;
      this.profileSlotOf.set(profilePk, p);
      if (p >= this.profilePk.length) this.profilePk = grown(this.profilePk, p + 1);
      this.profilePk[p] = profilePk;
    }
    return p;
  }

  /** Adds a session, or brings one already held up to date. Returns its slot. */
  putSession(r: SessionRecord): number {
    this.version++;
    const s = this.sessionSlot(r.pk);
    this.profile[s] = this.profileSlot(r.profilePk);
    this.status[s] = r.status;
    this.cls[s] = r.cls;
    this.startedAt[s] = r.startedAt;
    this.lastAt[s] = r.lastAt;
    this.duration[s] = r.duration ?? Number.NaN;
    this.events[s] = r.events;
    this.pageViews[s] = r.pageViews;
    this.keyEvents[s] = r.keyEvents;
    this.visitNumber[s] = r.visitNumber;
    for (let d = 0; d < SESSION_DIMS.length; d++) {
      const v = r.dims[d];
      this.dims[d]![s] = v === null || v === undefined ? -1 : this.strings.id(v);
    }
    this.noteStatus(s);
    return s;
  }

  /** Keeps `active` in step with the status of slot `s` (segments write sessions here directly). */
  noteStatus(s: number): void {
    this.version++;
    if (this.status[s] === 0) this.active.add(s);
    else this.active.delete(s);
  }

  /** Appends an event of the session in `slot`; `props` are [name, tagged value] pairs. */
  addEvent(slot: number, time: number, type: string, page: string | null, props: ReadonlyArray<readonly [string, string]>): void {
    const names = props.map(([n]) => this.strings.id(n));
    const values = props.map(([, v]) => this.valueId(v));
    this.appendEvent(slot, time, this.strings.id(type), page === null ? -1 : this.strings.id(page), names, values, 0, names.length);
  }

  /** Appends an event whose strings are interned already; its properties are names/values[from, to). */
  appendEvent(slot: number, time: number, type: number, page: number, names: ArrayLike<number>, values: ArrayLike<number>, from: number, to: number): void {
    this.version++;
    const i = this.nEvents++;
    if (i >= this.slot.length) this.growEvents(i + 1);
    this.slot[i] = slot;
    this.time[i] = time;
    const b = i >> TIME_BLOCK_BITS;
    if ((i & (TIME_BLOCK - 1)) === 0) {
      if (b >= this.blockMin.length) {
        this.blockMin = grown(this.blockMin, b + 1);
        this.blockMax = grown(this.blockMax, b + 1);
      }
      this.blockMin[b] = time;
      this.blockMax[b] = time;
    } else if (time < this.blockMin[b]!) this.blockMin[b] = time;
    else if (time > this.blockMax[b]!) this.blockMax[b] = time;
    this.type[i] = type;
    this.page[i] = page;
    this.next[i] = -1;
    let at = this.nProps;
    this.nProps += to - from;
    if (this.nProps > this.propName.length) this.growProps(this.nProps);
    for (let k = from; k < to; k++, at++) {
      this.propName[at] = names[k]!;
      this.propValue[at] = values[k]!;
    }
    this.propEnd[i] = this.nProps;
    const prev = this.last[slot]!;
    if (prev < 0) this.first[slot] = i;
    else this.next[prev] = i;
    this.last[slot] = i;
  }

  /** The id of a tagged property value, noting its number. */
  valueId(tagged: string): number {
    const id = this.values.id(tagged);
    if (id >= this.valueNumber.length) {
      const before = this.valueNumber.length;
      this.valueNumber = grown(this.valueNumber, id + 1);
      this.valueNumber.fill(Number.NaN, before);
      this.valueKind = grown(this.valueKind, this.valueNumber.length);
    }
    if (id === this.values.size - 1) {
      this.valueNumber[id] = tagged[0] === 'n' ? Number(tagged.slice(1)) : Number.NaN;
      this.valueKind[id] = tagged[0] === 'n' ? 1 : tagged[0] === 'b' ? 2 : 0;
    }
    return id;
  }

  /** Where event `i`'s properties start in propName/propValue. */
  propStart(i: number): number {
    return i === 0 ? 0 : this.propEnd[i - 1]!;
  }

  /** Whether string id `type` is a page-view type. */
  isView(type: number): boolean {
    if (type >= this.viewById.length) this.viewById = grown(this.viewById, type + 1);
    let v = this.viewById[type]!;
    if (v === 0) this.viewById[type] = v = this.pageViewTypes.has(this.strings.values[type]!) ? 1 : 2;
    return v === 1;
  }

  /** Makes room for `need` sessions (callers that know a count ahead reserve it at once). */
  growSessions(need: number): void {
    if (need <= this.pk.length) return;
    this.pk = grown(this.pk, need);
    const n = this.pk.length;
    const to = <T extends Float64Array | Int32Array | Uint8Array>(a: T) => grown(a, n);
    this.profile = to(this.profile);
    this.status = to(this.status);
    this.cls = to(this.cls);
    this.startedAt = to(this.startedAt);
    this.lastAt = to(this.lastAt);
    this.duration = to(this.duration);
    this.events = to(this.events);
    this.pageViews = to(this.pageViews);
    this.keyEvents = to(this.keyEvents);
    this.visitNumber = to(this.visitNumber);
    this.first = to(this.first);
    this.last = to(this.last);
    this.dims = this.dims.map(to);
  }

  /** Makes room for `need` events (callers that know a count ahead reserve it at once). */
  growEvents(need: number): void {
    if (need <= this.slot.length) return;
    this.slot = grown(this.slot, need);
    const n = this.slot.length;
    this.time = grown(this.time, n);
    this.type = grown(this.type, n);
    this.page = grown(this.page, n);
    this.next = grown(this.next, n);
    this.propEnd = grown(this.propEnd, n);
  }

  /** Makes room for `need` property pairs. */
  growProps(need: number): void {
    this.propName = grown(this.propName, need);
    this.propValue = grown(this.propValue, need);
  }
}
