import type { ExploreData } from '../explore/data';
import type { StatsRequest } from './stats';
import { eventsInRange } from './figures';
import type { NumberSummary, PropertiesStats } from '../../shared/explore';

/** The range's events, of one type (a type never stored: none) or of all. */
function eventsOf(d: ExploreData, ok: Uint8Array | null, r: StatsRequest, type: string | undefined): Int32Array {
  const events = eventsInRange(d, ok, r);
  if (type === undefined) return events;
  const t = d.strings.find(type) ?? -1;
  return events.filter((e) => d.type[e] === t);
}

const byCount = <T extends { n: number; key: string }>(a: T, b: T) => b.n - a.n || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The properties of the range's events (of one type, or all), most used first. */
export function listProperties(d: ExploreData, ok: Uint8Array | null, r: StatsRequest, type?: string): PropertiesStats['items'] {
  const events = eventsOf(d, ok, r, type);
  // Event types get dense numbers, so (property, type) pairs count in one flat array.
  const typeNo = new Int32Array(d.strings.size).fill(-1);
  const types: number[] = [];
  for (const e of events) if (typeNo[d.type[e]!] === -1) typeNo[d.type[e]!] = types.push(d.type[e]!) - 1;
  const S = d.strings.size;
  const count = new Int32Array(S);
  const kinds = new Int32Array(S * 3);
  const pairs = new Int32Array(S * types.length);
  for (const e of events) {
    const t = typeNo[d.type[e]!]!;
    const end = d.propEnd(e);
    for (let k = d.propStart(e); k < end; k++) {
      const name = d.propName[k]!;
      count[name]!++;
      // d.propValue(k), inline: this loop runs once per property of every event in the range.
      kinds[name * 3 + d.valueKind[d.propValueHi[k]! * 0x10000 + d.propValueLo[k]!]!]!++;
      pairs[name * types.length + t]!++;
    }
  }
  const out: Array<PropertiesStats['items'][number] & { n: number; key: string }> = [];
  for (let name = 0; name < S; name++) {
    if (count[name] === 0) continue;
    const carried = types.map((t, i) => [t, pairs[name * types.length + i]!] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    out.push({
      name: d.strings.values[name]!,
      types: carried.map(([t]) => d.strings.values[t]!),
      events: count[name]!,
      kinds: { string: kinds[name * 3]!, number: kinds[name * 3 + 1]!, boolean: kinds[name * 3 + 2]! },
      n: count[name]!,
      key: d.strings.values[name]!,
    });
  }
  return out.sort(byCount).map(({ n: _n, key: _key, ...item }) => item);
}

/**
 * A property's values over the range's events (of one type, or all), counted in events,
 * largest first; and, when some values are numbers, their sum, mean, least and greatest.
 */
export function propertyValues(
  d: ExploreData,
  ok: Uint8Array | null,
  r: StatsRequest,
  name: string,
  type?: string,
): { rows: Array<{ value: string; n: number }>; numbers: NumberSummary | null } {
  const nameId = d.strings.find(name);
  const counts = new Int32Array(d.values.size);
  if (nameId !== undefined) {
    for (const e of eventsOf(d, ok, r, type)) {
      const end = d.propEnd(e);
      for (let k = d.propStart(e); k < end; k++) if (d.propName[k] === nameId) counts[d.propValueHi[k]! * 0x10000 + d.propValueLo[k]!]!++;
    }
  }
  // The same text as a string and as a number ("1" and 1) is one row: what a filter on it matches.
  const byText = new Map<string, number>();
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let id = 0; id < counts.length; id++) {
    const n = counts[id]!;
    if (n === 0) continue;
    const text = d.values.values[id]!.slice(1);
    byText.set(text, (byText.get(text) ?? 0) + n);
    const x = d.valueNumber[id]!;
    if (!Number.isNaN(x)) {
      count += n;
      sum += x * n;
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  const rows = [...byText].map(([value, n]) => ({ value, n, key: value })).sort(byCount).map(({ value, n }) => ({ value, n }));
  return { rows, numbers: count > 0 ? { count, sum, avg: sum / count, min, max } : null };
}
