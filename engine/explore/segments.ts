import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SESSION_DIMS, type ExploreData } from './data';
import type { Col } from './interner';

/**
 * Segments: ExploreData's columns for a range of table rows, kept in `explore_segments`
 * (migration 008) so that a restart reads a few BLOBs instead of every event row. Reading
 * the events table whole takes ~2 s for a million events (its rows are wide: JSON context
 * and properties); a million events in segments load in ~0.1 s.
 *
 * A segment is self-contained: it carries its own string tables, and its columns refer to
 * them, so segments never depend on each other or on a global dictionary.
 *
 * Layout: u32 header length, the header (JSON: kind, rows, strings, values, columns), then
 * each column's bytes, each starting at a multiple of 8. Stored deflated, behind a u32
 * COMPRESSED (no header is that long); a segment written before that is read as it is.
 * Measured on the seeded year (1M events): 38 MB of segments became 7.3 MB, about a sixth
 * of the database; inflating them all takes ~0.17 s at a load, ~2 ms a segment, level 6
 * saved 1 MB more for three times the deflating.
 */

export const SEGMENT_FORMAT = 1;
const COMPRESSED = 0xffffffff;
export type SegmentKind = 'events' | 'sessions';

type ColType = 'f64' | 'i32' | 'u16' | 'i16' | 'u8' | 'i8';
type Typed = Col;
interface Header {
  v: number;
  kind: SegmentKind;
  n: number;
  strings: string[];
  values: string[];
  cols: Array<[name: string, type: ColType, length: number]>;
}

// Columns go in as narrow as explore holds them (a reader that does not know a type reads the rows again).
const CTOR = { f64: Float64Array, i32: Int32Array, u16: Uint16Array, i16: Int16Array, u8: Uint8Array, i8: Int8Array } as const;
const typeOf = (a: Typed): ColType =>
  a instanceof Float64Array ? 'f64' : a instanceof Int32Array ? 'i32' : a instanceof Uint16Array ? 'u16' : a instanceof Int16Array ? 'i16' : a instanceof Uint8Array ? 'u8' : 'i8';

/** Local ids for the strings a segment uses. */
class LocalTable {
  readonly list: string[] = [];
  private readonly ids = new Map<number, number>();
  constructor(private readonly source: readonly string[]) {}
  id(global: number): number {
    if (global < 0) return -1;
    let id = this.ids.get(global);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(global, id);
      this.list.push(this.source[global]!);
    }
    return id;
  }
}

function pack(kind: SegmentKind, n: number, strings: LocalTable, values: LocalTable | null, cols: Record<string, Typed>): Buffer {
  const entries = Object.entries(cols);
  const header: Header = { v: SEGMENT_FORMAT, kind, n, strings: strings.list, values: values?.list ?? [], cols: entries.map(([k, a]) => [k, typeOf(a), a.length]) };
  const head = Buffer.from(JSON.stringify(header));
  const pad8 = (x: number) => Math.ceil(x / 8) * 8;
  let size = pad8(4 + head.length);
  for (const [, a] of entries) size += pad8(a.byteLength);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  let at = pad8(4 + head.length);
  for (const [, a] of entries) {
    // Columns are made here or in unpack, over plain ArrayBuffers (never shared memory).
    out.set(new Uint8Array(a.buffer as ArrayBuffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  const deflated = deflateRawSync(out, { level: 1 });
  const stored = Buffer.allocUnsafe(4 + deflated.length);
  stored.writeUInt32LE(COMPRESSED, 0);
  deflated.copy(stored, 4);
  return stored;
}

function unpack(stored: Uint8Array<ArrayBuffer>): { header: Header; cols: Map<string, Typed> } {
  const compressed = stored.byteLength >= 4 && new DataView(stored.buffer, stored.byteOffset).getUint32(0, true) === COMPRESSED;
  const inflated = compressed ? inflateRawSync(stored.subarray(4)) : null;
  const blob: Uint8Array<ArrayBuffer> = inflated === null ? stored : new Uint8Array(inflated.buffer as ArrayBuffer, inflated.byteOffset, inflated.byteLength);
  // Columns need offsets their element size divides: copy unless the blob starts at one.
  const bytes = blob.byteOffset % 8 === 0 ? blob : new Uint8Array(blob);
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))) as Header;
  if (header.v !== SEGMENT_FORMAT) throw new Error(`segment format ${header.v}, expected ${SEGMENT_FORMAT}`);
  const cols = new Map<string, Typed>();
  let at = bytes.byteOffset + Math.ceil((4 + len) / 8) * 8;
  for (const [name, type, length] of header.cols) {
    const C = CTOR[type];
    cols.set(name, new C(bytes.buffer, at, length));
    at += Math.ceil((length * C.BYTES_PER_ELEMENT) / 8) * 8;
  }
  return { header, cols };
}

/** `a` in the narrowest column type that holds its values (local ids and counts are small). */
function narrow(a: Int32Array): Col {
  let lo = 0;
  let hi = 0;
  for (const v of a) {
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  const C = lo >= 0 ? (hi <= 0xff ? Uint8Array : hi <= 0xffff ? Uint16Array : null) : lo >= -0x80 && hi <= 0x7f ? Int8Array : lo >= -0x8000 && hi <= 0x7fff ? Int16Array : null;
  return C === null ? a : C.from(a);
}

/** Sessions in slots [from, to) as a segment. */
export function encodeSessions(d: ExploreData, from: number, to: number): Buffer {
  const n = to - from;
  const strings = new LocalTable(d.strings.values);
  const profilePk = new (d.profilePk.constructor as new (n: number) => Col)(n);
  for (let i = 0; i < n; i++) profilePk[i] = d.profilePk[d.profile[from + i]!]!;
  const cols: Record<string, Typed> = {
    pk: d.pk.slice(from, to),
    profilePk,
    status: d.status.slice(from, to),
    cls: d.cls.slice(from, to),
    startedAt: d.startedAt.slice(from, to),
    lastAt: d.lastAt.slice(from, to),
    duration: d.duration.slice(from, to),
    events: d.events.slice(from, to),
    pageViews: d.pageViews.slice(from, to),
    keyEvents: d.keyEvents.slice(from, to),
    visitNumber: d.visitNumber.slice(from, to),
  };
  SESSION_DIMS.forEach((name, k) => {
    const col = new Int32Array(n);
    for (let i = 0; i < n; i++) col[i] = strings.id(d.dims[k]![from + i]!);
    cols[`dim.${name}`] = narrow(col);
  });
  return pack('sessions', n, strings, null, cols);
}

/** Events [from, to) as a segment (sessions named by their pk, not their slot). */
export function encodeEvents(d: ExploreData, from: number, to: number): Buffer {
  const n = to - from;
  const strings = new LocalTable(d.strings.values);
  const values = new LocalTable(d.values.values);
  const sessionPk = new Float64Array(n);
  const time = new Float64Array(n);
  const type = new Int32Array(n);
  const page = new Int32Array(n);
  const propCount = new Int32Array(n);
  const p0 = d.propStart(from);
  const p1 = to > from ? d.propEnd(to - 1) : p0;
  const propName = new Int32Array(p1 - p0);
  const propValue = new Int32Array(p1 - p0);
  for (let i = 0; i < n; i++) {
    const e = from + i;
    sessionPk[i] = d.pk[d.sessionOf(e)]!;
    time[i] = d.timeAt(e);
    type[i] = strings.id(d.type[e]!);
    page[i] = strings.id(d.page[e]!);
    propCount[i] = d.propEnd(e) - d.propStart(e);
  }
  for (let k = p0; k < p1; k++) {
    propName[k - p0] = strings.id(d.propName[k]!);
    propValue[k - p0] = values.id(d.propValue(k));
  }
  return pack('events', n, strings, values, { sessionPk, time, type: narrow(type), page: narrow(page), propCount: narrow(propCount), propName: narrow(propName), propValue: narrow(propValue) });
}

function globalIds(list: readonly string[], intern: (s: string) => number): Int32Array {
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = intern(list[i]!);
  return out;
}

const remap = (ids: Int32Array, local: number): number => (local < 0 ? -1 : ids[local]!);

/** Adds a segment's rows to `d`. Returns the rows it held. */
export function decodeInto(d: ExploreData, blob: Uint8Array<ArrayBuffer>): number {
  const { header, cols } = unpack(blob);
  const col = <T extends Typed>(name: string) => {
    const c = cols.get(name);
    if (c === undefined) throw new Error(`segment lacks column ${name}`);
    return c as T;
  };
  const strings = globalIds(header.strings, (s) => d.strings.id(s));
  if (header.kind === 'sessions') {
    const dims = SESSION_DIMS.map((name) => col<Int32Array>(`dim.${name}`));
    const [pk, profilePk, startedAt, lastAt, duration] = ['pk', 'profilePk', 'startedAt', 'lastAt', 'duration'].map((c) => col<Float64Array>(c));
    const [status, cls] = ['status', 'cls'].map((c) => col<Uint8Array>(c));
    const [events, pageViews, keyEvents, visitNumber] = ['events', 'pageViews', 'keyEvents', 'visitNumber'].map((c) => col<Int32Array>(c));
    d.growSessions(d.nSessions + header.n);
    for (let i = 0; i < header.n; i++) {
      const s = d.sessionSlot(pk![i]!);
      d.profile[s] = d.profileSlot(profilePk![i]!);
      d.status[s] = status![i]!;
      d.cls[s] = cls![i]!;
      d.startedAt[s] = startedAt![i]!;
      d.lastAt[s] = lastAt![i]!;
      d.duration[s] = duration![i]!;
      d.putCounts(s, events![i]!, pageViews![i]!, keyEvents![i]!, visitNumber![i]!);
      for (let k = 0; k < dims.length; k++) d.putDim(k, s, remap(strings, dims[k]![i]!));
      d.noteStatus(s);
    }
    return header.n;
  }
  const values = globalIds(header.values, (s) => d.valueId(s));
  const sessionPk = col<Float64Array>('sessionPk');
  const time = col<Float64Array>('time');
  const [type, page, propCount, localName, localValue] = ['type', 'page', 'propCount', 'propName', 'propValue'].map((c) => col<Col>(c));
  // Global ids into new arrays: the segment's own columns may be too narrow for them.
  const propName = new Int32Array(localName!.length);
  const propValue = new Int32Array(localValue!.length);
  for (let k = 0; k < propName.length; k++) {
    propName[k] = strings[localName![k]!]!;
    propValue[k] = values[localValue![k]!]!;
  }
  d.growEvents(d.nEvents + header.n);
  d.growProps(d.nProps + propName.length);
  let p = 0;
  for (let i = 0; i < header.n; i++) {
    const count = propCount![i]!;
    const slot = d.slotOf.get(sessionPk[i]!);
    if (slot >= 0) d.appendEvent(slot, time[i]!, remap(strings, type![i]!), remap(strings, page![i]!), propName, propValue, p, p + count);
    p += count;
  }
  return header.n;
}
