import { DIM_INDEX, VALUE_KINDS, type ExploreData, type SessionDimName } from '../explore/data';
import { PATH_DIM, PROP_PREFIX, pathOf, type Filter } from '../../shared/explore';
import { pathIds, sessionPath, startsWith } from './paths';

/**
 * Which sessions a request's filters admit, by slot (1 admitted). The same dimension named
 * twice admits either value; different dimensions must all hold; `DIM!:VALUE` admits the
 * sessions that match none of its values. Event dimensions (`page`, `event_type`,
 * `prop.NAME`, `path`) hold for a session that has such an event (or took that path).
 * null: no filters, every session is admitted.
 */
export function matchFilters(d: ExploreData, filters: readonly Filter[]): Uint8Array | null {
  if (filters.length === 0) return null;
  const groups = new Map<string, { dim: string; negate: boolean; values: string[] }>();
  for (const f of filters) {
    const key = `${f.negate ? '!' : ''}${f.dim}`;
    const g = groups.get(key);
    if (g) g.values.push(f.value);
    else groups.set(key, { dim: f.dim, negate: f.negate, values: [f.value] });
  }
  const ok = new Uint8Array(d.nSessions).fill(1);
  for (const g of groups.values()) {
    const hit = sessionsWith(d, g.dim, g.values);
    const want = g.negate ? 0 : 1;
    for (let s = 0; s < d.nSessions; s++) if (hit[s] !== want) ok[s] = 0;
  }
  return ok;
}

/** A lookup table over ids: 1 for the ids of `values` that exist. */
function idTable(size: number, ids: Array<number | undefined>): Uint8Array {
  const t = new Uint8Array(size);
  for (const id of ids) if (id !== undefined) t[id] = 1;
  return t;
}

const VISIT_LABEL_MAX = 10;

/** Sessions (by slot) for which `dim` has one of `values`. */
function sessionsWith(d: ExploreData, dim: string, values: string[]): Uint8Array {
  const hit = new Uint8Array(d.nSessions);
  if (dim === 'visit_number') {
    const want = new Set(values);
    for (let s = 0; s < d.nSessions; s++) {
      const v = d.visitNumber[s]!;
      if (want.has(v >= VISIT_LABEL_MAX ? `${VISIT_LABEL_MAX}+` : String(v))) hit[s] = 1;
    }
    return hit;
  }
  if (dim in DIM_INDEX) {
    const col = d.dims[DIM_INDEX[dim as SessionDimName]]!;
    const want = idTable(d.strings.size, values.map((v) => d.strings.find(v)));
    for (let s = 0; s < d.nSessions; s++) {
      const v = col[s]!;
      if (v >= 0 && want[v] === 1) hit[s] = 1;
    }
    return hit;
  }
  if (dim === 'event_type' || dim === 'page') {
    const want = idTable(d.strings.size, values.map((v) => d.strings.find(v)));
    const col = dim === 'page' ? d.page : d.type;
    for (let e = 0; e < d.nEvents; e++) {
      const v = col[e]!;
      if (v >= 0 && want[v] === 1 && (dim === 'event_type' || d.isView(d.type[e]!))) hit[d.sessionOf(e)] = 1;
    }
    return hit;
  }
  if (dim.startsWith(PROP_PREFIX)) {
    const name = d.strings.find(dim.slice(PROP_PREFIX.length));
    if (name === undefined) return hit;
    const want = idTable(d.values.size, values.flatMap((v) => VALUE_KINDS.map((k) => d.values.find(`${k}${v}`))));
    let k = 0;
    for (let e = 0; e < d.nEvents; e++) {
      const end = d.propEnd(e);
      for (; k < end; k++) {
        if (d.propName[k] === name && want[d.propValue(k)] === 1) hit[d.sessionOf(e)] = 1;
      }
    }
    return hit;
  }
  if (dim === PATH_DIM) {
    const prefixes = values.map((v) => pathIds(d, pathOf(v) ?? [])).filter((p): p is Int32Array => p !== null);
    for (const prefix of prefixes) {
      const path = new Int32Array(prefix.length);
      for (let s = 0; s < d.nSessions; s++) {
        if (hit[s] === 1) continue;
        const n = sessionPath(d, s, prefix[0]!, prefix.length - 1, path);
        if (startsWith(path, n, prefix)) hit[s] = 1;
      }
    }
    return hit;
  }
  throw new Error(`unknown filter dimension ${dim}`);
}
