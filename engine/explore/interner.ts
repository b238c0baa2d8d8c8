/** Strings as small dense integers: columns hold the integer, counting arrays are indexed by it. */
export class Interner {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  /** The id of `s`, made if new. */
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(s, id);
      this.values.push(s);
    }
    return id;
  }

  /** The id of `s` if it was ever seen (a filter on a value never stored matches nothing). */
  find(s: string): number | undefined {
    return this.ids.get(s);
  }

  get size(): number {
    return this.values.length;
  }
}

/** A numeric column: as narrow as its values allow (see `put`). */
export type Col = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Float64Array;
type ColCtor = new (n: number) => Col;

/** The next wider type of each column type: every value of one is a value of the next. */
const WIDER = new Map<ColCtor, ColCtor>([
  [Int8Array, Int16Array],
  [Int16Array, Int32Array],
  [Uint8Array, Uint16Array],
  [Uint16Array, Int32Array],
  [Int32Array, Float64Array],
]);

/**
 * A copy of `a`, wider, with `v` at `i`: for a column that could not hold `v` exactly (it
 * read back unequal after `a[i] = v`; callers store and compare inline, so that each store
 * stays monomorphic). Columns start narrow (an id column as Int8, a count as Uint8) and
 * widen once, when the first value that needs it comes: memory is what the values need,
 * and every value stays exact. Float64 holds every number (NaN reads back unequal to itself).
 */
export function widened(a: Col, i: number, v: number): Col {
  let C = a.constructor as ColCtor;
  let next: Col = a;
  for (;;) {
    const W = WIDER.get(C);
    if (W === undefined) {
      next[i] = v;
      return next;
    }
    C = W;
    next = new C(a.length);
    next.set(a);
    next[i] = v;
    if (next[i] === v) return next;
  }
}

/**
 * A copy of `a` with room for at least `need` items, doubling. Room never written costs no
 * resident memory (fresh zero pages are mapped when first touched), so generous room is
 * free; what costs is the copy, when old and new are both resident until the old is
 * collected: doubling makes copies rare.
 */
export function grown<T extends Col>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2, 1024));
  next.set(a);
  return next;
}

/** Row keys up to this go in a flat array; beyond (never seen in practice), in a Map. */
const DENSE_MAX = 1 << 26;

/**
 * Integer row key -> slot (-1: none). Keys are SQLite rowids, dense from 1, so a flat
 * Int32Array indexed by key answers in one load; a Map lookup per event was a fifth of
 * loading a million of them.
 */
export class KeyMap {
  /** slot + 1 (0: none), so that room never written stays zero pages the process never touches. */
  private flat = new Int32Array(0);
  private readonly sparse = new Map<number, number>();

  get(key: number): number {
    if (key < DENSE_MAX) return key < this.flat.length ? this.flat[key]! - 1 : -1;
    return this.sparse.get(key) ?? -1;
  }

  set(key: number, slot: number): void {
    if (key >= DENSE_MAX) {
      this.sparse.set(key, slot);
      return;
    }
    if (key >= this.flat.length) this.flat = grown(this.flat, key + 1);
    this.flat[key] = slot + 1;
  }
}
