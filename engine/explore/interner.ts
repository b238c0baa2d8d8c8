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

/** A copy of `a` with room for at least `need` items (growing by half, so appends stay amortised O(1)). */
export function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, Math.ceil(a.length * 1.5), 1024));
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
