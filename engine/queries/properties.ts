import type { ExploreData } from '../explore/data';
import type { StatsRequest } from './stats';
import { forEventsInRange } from './figures';
import type { NumberSummary, PropertiesStats } from '../../shared/explore';

/** The event type id to keep (undefined: every type; -1: a type never stored, so none). */
function typeId(d: ExploreData, type: string | undefined): number | undefined {
  return type === undefined ? undefined : (d.strings.find(type) ?? -1);
}

/** The properties of the range's events (of one type, or all), most used first. */
export function listProperties(d: ExploreData, ok: Uint8Array | null, r: StatsRequest, type?: string): PropertiesStats['items'] {
  const only = typeId(d, type);
  const byName = new Map<number, { events: number; types: Map<number, number>; kinds: PropertiesStats['items'][number]['kinds'] }>();
  forEventsInRange(d, ok, r, (e) => {
    const t = d.type[e]!;
    if (only !== undefined && t !== only) return;
    for (let k = d.propStart(e); k < d.propEnd[e]!; k++) {
      const name = d.propName[k]!;
      let p = byName.get(name);
      if (!p) byName.set(name, (p = { events: 0, types: new Map(), kinds: { string: 0, number: 0, boolean: 0 } }));
      p.events++;
      p.types.set(t, (p.types.get(t) ?? 0) + 1);
      const kind = d.values.values[d.propValue[k]!]![0];
      if (kind === 'n') p.kinds.number++;
      else if (kind === 'b') p.kinds.boolean++;
      else p.kinds.string++;
    }
  });
  return [...byName]
    .map(([name, p]) => ({
      name: d.strings.values[name]!,
      types: [...p.types].sort((a, b) => b[1] - a[1]).map(([t]) => d.strings.values[t]!),
      events: p.events,
      kinds: p.kinds,
    }))
    .sort((a, b) => b.events - a.events || (a.name < b.name ? -1 : 1));
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
  const only = typeId(d, type);
  const counts = new Map<number, number>();
  if (nameId !== undefined) {
    forEventsInRange(d, ok, r, (e) => {
      if (only !== undefined && d.type[e] !== only) return;
      for (let k = d.propStart(e); k < d.propEnd[e]!; k++) {
        if (d.propName[k] === nameId) counts.set(d.propValue[k]!, (counts.get(d.propValue[k]!) ?? 0) + 1);
      }
    });
  }
  // The same text as a string and as a number (“1” and 1) is one row: what a filter on it matches.
  const byText = new Map<string, number>();
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const [id, n] of counts) {
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
  const rows = [...byText].map(([value, n]) => ({ value, n })).sort((a, b) => b.n - a.n || (a.value < b.value ? -1 : 1));
  return { rows, numbers: count > 0 ? { count, sum, avg: sum / count, min, max } : null };
}
