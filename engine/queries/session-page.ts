import { DIM_INDEX, type ExploreData } from '../explore/data';
import { sessionDuration } from '../../shared/rules';
import { decodeCursor, encodeCursor } from './cursor';
import type { SessionFilter, SessionSort } from './lists';
import { trafficMask } from './traffic';

/** The sort value of a session as the SQL list sorts it (lists.ts SESSION_SORTS). */
function sortValue(d: ExploreData, s: number, sort: SessionSort): number {
  switch (sort) {
    case 'started':
      return d.startedAt[s]!;
    case 'last':
      return d.lastAt[s]!;
    case 'events':
      return d.events[s]!;
    case 'pageViews':
      return d.pageViews[s]!;
    default: {
      const dur = d.duration[s]!;
      return Number.isNaN(dur) ? sessionDuration(d.startedAt[s]!, d.lastAt[s]!) : dur;
    }
  }
}

/** Whether a session passes the session list's own filters (what lists.ts puts in SQL). */
export function listFilterTest(d: ExploreData, f: SessionFilter, profileSlot: number | null): (s: number) => boolean {
  const col = (name: 'device' | 'channel' | 'browser' | 'os' | 'source', v: string | undefined) => {
    if (v === undefined) return null;
    const id = d.strings.find(v) ?? -2;
    const c = d.dims[DIM_INDEX[name]]!;
    return (s: number) => c[s] === id;
  };
  const tests = [col('device', f.device), col('channel', f.channel), col('browser', f.browser), col('os', f.os), col('source', f.source)].filter(
    (t): t is (s: number) => boolean => t !== null,
  );
  // As lists.ts sessionTraffic: the classes asked for, the debug session included with debug.
  const traffic = f.traffic ? trafficMask(f.traffic) : ~0;
  return (s) => {
    if (f.status !== undefined && d.status[s] !== (f.status === 'active' ? 0 : 1)) return false;
    if (profileSlot !== null && d.profile[s] !== profileSlot) return false;
    if (f.from !== undefined && d.startedAt[s]! < f.from) return false;
    if (f.to !== undefined && d.startedAt[s]! >= f.to) return false;
    if (((1 << d.cls[s]!) & traffic) === 0) return false;
    return tests.every((t) => t(s));
  };
}

/**
 * One page of the sessions in `slots`, in the list's order, with the list's keyset cursor
 * ([sort value, pk], as the SQL list gives it). Returns the page's session pks in order.
 */
export function pageOfSessions(
  d: ExploreData,
  slots: Iterable<number>,
  o: { sort?: SessionSort; order?: 'asc' | 'desc'; cursor?: string | undefined; limit: number },
): { pks: number[]; next: string | null } {
  const sort = o.sort ?? 'started';
  const dir = o.order === 'asc' ? 1 : -1;
  const c = o.cursor ? decodeCursor(o.cursor) : null;
  const cv = c === null ? 0 : Number(c[0]);
  // Rows after the cursor, kept as the best limit + 1 in a sorted array (pages are small).
  const best: Array<[value: number, pk: number]> = [];
  const before = (a: [number, number], b: [number, number]) => (a[0] !== b[0] ? (a[0] - b[0]) * dir < 0 : (a[1] - b[1]) * dir < 0);
  for (const s of slots) {
    const row: [number, number] = [sortValue(d, s, sort), d.pk[s]!];
    if (c !== null && !before([cv, c[1]], row)) continue;
    if (best.length > o.limit && !before(row, best[best.length - 1]!)) continue;
    let i = best.length;
    while (i > 0 && before(row, best[i - 1]!)) i--;
    best.splice(i, 0, row);
    if (best.length > o.limit + 1) best.pop();
  }
  const more = best.length > o.limit;
  const page = best.slice(0, o.limit);
  const last = page[page.length - 1];
  return { pks: page.map(([, pk]) => pk), next: more && last ? encodeCursor([last[0], last[1]]) : null };
}
