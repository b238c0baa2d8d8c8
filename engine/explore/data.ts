import { grown, Interner, KeyMap, widened, type Col } from './interner';
import { NEXT_OUT, SESSION_DIMS, SLOT_OUT, TIME_BLOCK, TIME_BLOCK_BITS, TIME_OUT, type SessionRecord } from './layout';

export { DIM_INDEX, SESSION_DIMS, SLOT_OUT, TIME_BLOCK, TIME_BLOCK_BITS, TIME_OUT, VALUE_KINDS, type SessionDimName, type SessionRecord } from './layout';

/**
 * Every session and every tracked event (system events left out) as columns of typed
 * arrays: what funnels, paths, retention and filtered figures scan. Events are kept in the
 * order they were stored; each session's events form a linked list (`first`, `nextOf`), so
 * a new event of an active session is one append.
 *
 * Memory is the limit at ten million events, so columns are as narrow as their values
 * allow (12 bytes an event, 4 a property, 60 a session on the 1M seed): ids and counts
 * start as 8-bit columns and widen (`widened`) when a value needs it; an event's time is an
 * Int32 offset from its block's first time, its session slot and properties' end 16-bit
 * offsets from its block's first, its next event a 16-bit distance; the rare value too far
 * for its offset is kept exactly beside it. Every value stays exact. Read the offset
 * columns through `timeAt`, `sessionOf`, `nextOf`, `propStart`/`propEnd`, `propValue`.
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
  profilePk: Col = new Int32Array(0);
  nProfiles = 0;
  pk: Col = new Int32Array(0);
  profile = new Int32Array(0);
  status = new Uint8Array(0);
  cls = new Uint8Array(0);
  startedAt = new Float64Array(0);
  lastAt = new Float64Array(0);
  /** Seconds; NaN while active. */
  duration = new Float64Array(0);
  events: Col = new Uint8Array(0);
  pageViews: Col = new Uint8Array(0);
  keyEvents: Col = new Uint8Array(0);
  visitNumber: Col = new Uint8Array(0);
  dims: Col[] = SESSION_DIMS.map(() => new Int8Array(0));
  /** First and last event of each session (-1: none yet). */
  first = new Int32Array(0);
  last = new Int32Array(0);
  /** Slots of sessions stored as active: read again at every refresh, since they change. */
  readonly active = new Set<number>();
  /** Bumped by every change, so that what was computed from the data can tell it is still current. */
  version = 0;

  // ---- events, in stored order ----
  nEvents = 0;
  /**
   * The event's session slot: its block's first event's (`slotBase`) plus `slotOff`, or, when
   * that is SLOT_OUT, `slotExact`. Read it with `sessionOf`. A block's events are of sessions
   * active at the same time, whose slots are near each other.
   */
  slotBase = new Float64Array(0);
  slotOff = new Int16Array(0);
  readonly slotExact = new Map<number, number>();
  type: Col = new Int8Array(0);
  /** Page key id of the event's page (-1: none). */
  page: Col = new Int8Array(0);
  /**
   * How many events after this one its session's next one is (0: none; NEXT_OUT: see
   * `nextExact`). Read it with `nextOf`.
   */
  nextOff = new Uint16Array(0);
  readonly nextExact = new Map<number, number>();
  /**
   * Event times: the block's first time (`timeBase`) plus the event's offset (`timeOff`), or,
   * when the offset is TIME_OUT (more than 24 days from the block's first), `timeExact`.
   * Read them with `timeAt`.
   */
  timeBase = new Float64Array(0);
  timeOff = new Int32Array(0);
  readonly timeExact = new Map<number, number>();
  /**
   * End (exclusive) of each event's properties in propName/propValue, as an offset from its
   * block's first property (`propBase`); the start is the previous event's end. Read them with
   * `propStart` and `propEnd`.
   */
  propBase = new Float64Array(0);
  propOff: Col = new Uint16Array(0);
  nProps = 0;
  propName: Col = new Int8Array(0);
  /**
   * Property value ids in two columns, `propValueHi * 65536 + propValueLo`: a site's values
   * (order ids, search terms) pass 65,536 long before 16 million, so 3 bytes, not 4. Read
   * them with `propValue`.
   */
  propValueLo = new Uint16Array(0);
  propValueHi: Col = new Uint8Array(0);
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
      if (this.pk[s] !== pk) this.pk = widened(this.pk, s, pk);
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
      if (this.profilePk[p] !== profilePk) this.profilePk = widened(this.profilePk, p, profilePk);
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
    this.putCounts(s, r.events, r.pageViews, r.keyEvents, r.visitNumber);
    for (let d = 0; d < SESSION_DIMS.length; d++) {
      const v = r.dims[d];
      this.putDim(d, s, v === null || v === undefined ? -1 : this.strings.id(v));
    }
    this.noteStatus(s);
    return s;
  }

  /** Session `s`'s counts (segments write sessions through here too). */
  putCounts(s: number, events: number, pageViews: number, keyEvents: number, visitNumber: number): void {
    this.events[s] = events;
    if (this.events[s] !== events) this.events = widened(this.events, s, events);
    this.pageViews[s] = pageViews;
    if (this.pageViews[s] !== pageViews) this.pageViews = widened(this.pageViews, s, pageViews);
    this.keyEvents[s] = keyEvents;
    if (this.keyEvents[s] !== keyEvents) this.keyEvents = widened(this.keyEvents, s, keyEvents);
    this.visitNumber[s] = visitNumber;
    if (this.visitNumber[s] !== visitNumber) this.visitNumber = widened(this.visitNumber, s, visitNumber);
  }

  /** Session `s`'s value id of dimension `d` (-1: none). */
  putDim(d: number, s: number, id: number): void {
    const col = this.dims[d]!;
    col[s] = id;
    if (col[s] !== id) this.dims[d] = widened(col, s, id);
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
    if (i >= this.slotOff.length) this.growEvents(i + 1);
    const b = i >> TIME_BLOCK_BITS;
    if ((i & (TIME_BLOCK - 1)) === 0) {
      if (b >= this.blockMin.length) {
        this.blockMin = grown(this.blockMin, b + 1);
        this.blockMax = grown(this.blockMax, b + 1);
        this.timeBase = grown(this.timeBase, b + 1);
        this.slotBase = grown(this.slotBase, b + 1);
        this.propBase = grown(this.propBase, b + 1);
      }
      this.blockMin[b] = time;
      this.blockMax[b] = time;
      this.timeBase[b] = time;
      this.slotBase[b] = slot;
      this.propBase[b] = this.nProps;
    } else if (time < this.blockMin[b]!) this.blockMin[b] = time;
    else if (time > this.blockMax[b]!) this.blockMax[b] = time;
    const off = time - this.timeBase[b]!;
    this.timeOff[i] = off;
    if (this.timeOff[i] !== off || off === TIME_OUT || this.timeBase[b]! + off !== time) {
      this.timeOff[i] = TIME_OUT;
      this.timeExact.set(i, time);
    }
    this.type[i] = type;
    if (this.type[i] !== type) this.type = widened(this.type, i, type);
    this.page[i] = page;
    if (this.page[i] !== page) this.page = widened(this.page, i, page);
    const so = slot - this.slotBase[b]!;
    this.slotOff[i] = so;
    if (this.slotOff[i] !== so || so === SLOT_OUT) {
      this.slotOff[i] = SLOT_OUT;
      this.slotExact.set(i, slot);
    }
    this.nextOff[i] = 0;
    let at = this.nProps;
    this.nProps += to - from;
    if (this.nProps > this.propName.length) this.growProps(this.nProps);
    for (let k = from; k < to; k++, at++) {
      const name = names[k]!;
      const value = values[k]!;
      this.propName[at] = name;
      if (this.propName[at] !== name) this.propName = widened(this.propName, at, name);
      const lo = value & 0xffff;
      const hi = (value - lo) / 0x10000;
      this.propValueLo[at] = lo;
      this.propValueHi[at] = hi;
      if (this.propValueHi[at] !== hi) this.propValueHi = widened(this.propValueHi, at, hi);
    }
    const end = this.nProps - this.propBase[b]!;
    this.propOff[i] = end;
    if (this.propOff[i] !== end) this.propOff = widened(this.propOff, i, end);
    const prev = this.last[slot]!;
    if (prev < 0) this.first[slot] = i;
    else if (i - prev < NEXT_OUT) this.nextOff[prev] = i - prev;
    else {
      this.nextOff[prev] = NEXT_OUT;
      this.nextExact.set(prev, i);
    }
    this.last[slot] = i;
  }

  /** The session slot of event `i`. */
  sessionOf(i: number): number {
    const off = this.slotOff[i]!;
    return off !== SLOT_OUT ? this.slotBase[i >> TIME_BLOCK_BITS]! + off : this.slotExact.get(i)!;
  }

  /** The next event of event `i`'s session (-1: none). */
  nextOf(i: number): number {
    const off = this.nextOff[i]!;
    return off === 0 ? -1 : off !== NEXT_OUT ? i + off : this.nextExact.get(i)!;
  }

  /** The value id of property pair `k`. */
  propValue(k: number): number {
    return this.propValueHi[k]! * 0x10000 + this.propValueLo[k]!;
  }

  /** The time of event `i`. */
  timeAt(i: number): number {
    const off = this.timeOff[i]!;
    return off !== TIME_OUT ? this.timeBase[i >> TIME_BLOCK_BITS]! + off : this.timeExact.get(i)!;
  }

  /** The id of a tagged property value, noting its number. */
  valueId(tagged: string): number {
    const id = this.values.id(tagged);
    if (id >= this.valueNumber.length) {
      this.valueNumber = grown(this.valueNumber, id + 1);
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
    const b = i >> TIME_BLOCK_BITS;
    return (i & (TIME_BLOCK - 1)) === 0 ? this.propBase[b]! : this.propBase[b]! + this.propOff[i - 1]!;
  }

  /** Where event `i`'s properties end (exclusive). */
  propEnd(i: number): number {
    return this.propBase[i >> TIME_BLOCK_BITS]! + this.propOff[i]!;
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
    [this.profile, this.first, this.last] = [grown(this.profile, n), grown(this.first, n), grown(this.last, n)];
    [this.status, this.cls] = [grown(this.status, n), grown(this.cls, n)];
    [this.startedAt, this.lastAt, this.duration] = [grown(this.startedAt, n), grown(this.lastAt, n), grown(this.duration, n)];
    [this.events, this.pageViews, this.keyEvents, this.visitNumber] = [grown(this.events, n), grown(this.pageViews, n), grown(this.keyEvents, n), grown(this.visitNumber, n)];
    this.dims = this.dims.map((a) => grown(a, n));
  }

  /** Makes room for `need` events (callers that know a count ahead reserve it at once). */
  growEvents(need: number): void {
    if (need <= this.slotOff.length) return;
    this.slotOff = grown(this.slotOff, need);
    const n = this.slotOff.length;
    [this.timeOff, this.nextOff] = [grown(this.timeOff, n), grown(this.nextOff, n)];
    [this.type, this.page, this.propOff] = [grown(this.type, n), grown(this.page, n), grown(this.propOff, n)];
  }

  /** Makes room for `need` property pairs. */
  growProps(need: number): void {
    this.propName = grown(this.propName, need);
    this.propValueLo = grown(this.propValueLo, need);
    this.propValueHi = grown(this.propValueHi, need);
  }
}
