import type { ExploreData } from '../explore/data';
import type { FunnelStats, FunnelStep } from '../../shared/explore';

/** A host/path pattern as a regular expression: `*` matches any characters, everything else itself. */
export function pagePattern(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** How far each session got through a funnel, and when it reached each step. */
export interface FunnelWalk {
  /** Per session of `slots`: how many steps it reached (0..steps). */
  reached: Uint8Array;
  /** Seconds from step k-1 to step k, for every session that reached step k (index k; [0] empty). */
  gaps: number[][];
}

/**
 * Walks each session's events in stored order, matching the steps greedily: step k is the
 * first event after the one that matched step k-1 (and not earlier in time) with the step's
 * type and, if given, a page matching its pattern. Greedy earliest matching reaches the
 * most steps a session can reach; one event matches at most one step, so a repeated step
 * needs a repeated event.
 */
export function walkFunnel(d: ExploreData, slots: Int32Array, steps: readonly FunnelStep[]): FunnelWalk {
  const types = steps.map((s) => d.strings.find(s.type) ?? -1);
  const patterns = steps.map((s) => (s.page === undefined || s.page === '' ? null : pagePattern(s.page)));
  /** Per step, per page id: 0 not checked yet, 1 matches, 2 does not. */
  const pageOk = steps.map(() => new Uint8Array(d.strings.size));
  const matches = (k: number, page: number): boolean => {
    const re = patterns[k];
    if (re === null) return true;
    if (page < 0) return false;
    const memo = pageOk[k]!;
    if (memo[page] === 0) memo[page] = re!.test(d.strings.values[page]!) ? 1 : 2;
    return memo[page] === 1;
  };
  const reached = new Uint8Array(slots.length);
  const gaps: number[][] = steps.map(() => []);
  const n = steps.length;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    let k = 0;
    let last = -Infinity;
    for (let e = d.first[s]!; e >= 0 && k < n; e = d.nextOf(e)) {
      const t = d.timeAt(e);
      if (d.type[e] !== types[k] || t < last || !matches(k, d.page[e]!)) continue;
      if (k > 0) gaps[k]!.push((t - last) / 1000);
      last = t;
      k++;
    }
    reached[i] = k;
  }
  return { reached, gaps };
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Each step's sessions, conversion from the first and from the previous step, and median time from the previous. */
export function funnelSteps(walk: FunnelWalk, steps: number): FunnelStats['steps'] {
  const at = new Array<number>(steps).fill(0);
  for (const k of walk.reached) for (let j = 0; j < k; j++) at[j]!++;
  return at.map((sessions, k) => ({
    sessions,
    conversion: at[0]! > 0 ? sessions / at[0]! : 0,
    fromPrevious: k === 0 ? (sessions > 0 ? 1 : 0) : at[k - 1]! > 0 ? sessions / at[k - 1]! : 0,
    medianSeconds: k === 0 ? null : median(walk.gaps[k]!),
  }));
}
