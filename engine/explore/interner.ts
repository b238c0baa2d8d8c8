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
 * Stores `v` at `a[i]` and returns the column: `a` itself, or a wider copy when `a` could
 * not hold `v` exactly (read back unequal). Columns start narrow (an id column as Int8,
 * a count as Uint8) and widen once, when the first value that needs it comes: memory is
 * what the values need, and every value stays exact. Float64 holds every number (NaN too).
 */
export function put<T extends Col>(a: T, i: number, v: number): T | Col {
  a[i] = v;
  if (a[i] === v) return a;
  return widened(a, i, v);
}

function widened(a: Col, i: number, v: number): Col {
  let C = a.constructor as ColCtor;
  let next: Col = a;
  for (;;) {
    const W = WIDER.get(C);
    if (W === undefined) {
      next[i] = v; // Float64 (NaN reads back unequal to itself)
      return next;
    }
    C = W;
    next = new C(a.length);
    next.set(a);
    next[i] = v;
    if (next[i] === v) return next;
  }
}

/** A copy of `a` with room for at least `need` items (growing by half, so appends stay amortised O(1)). */
export function grown<T extends Col>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, Math.ceil(a.length * 1.5), 1024));
  next.set(a);
  return next;
}

/** A copy of `a` with exactly `n` items (the first `n` of it): slack trimmed after a load. */
export function trimmed<T extends Col>(a: T, n: number): T {
  if (a.length === n) return a;
  const next = new (a.constructor as new (n: number) => T)(n);
  next.set(a.subarray(0, n));
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
  private flat = new Int32Array(0);
  private readonly sparse = new Map<number, number>();

  get(key: number): number {
    if (key < DENSE_MAX) return key < this.flat.length ? this.flat[key]! : -1;
    return this.sparse.get(key) ?? -1;
  }

  set(key: number, slot: number): void {
    if (key >= DENSE_MAX) {
      this.sparse.set(key, slot);
      return;
    }
    if (key >= this.flat.length) {
      const before = this.flat.length;
      this.flat = grown(this.flat, key + 1);
      this.flat.fill(-1, before);
    }
    this.flat[key] = slot;
  }
}
