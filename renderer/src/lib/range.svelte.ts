import { router } from './router.svelte';
import { formatFilter, parseFilter, type Filter } from '../../../shared/explore';

/**
 * The dashboard's one date range, kept in the URL: `range=<preset>` or custom
 * `from=YYYY-MM-DD&to=YYYY-MM-DD` (local dates, both included). Presets are cut at local
 * midnight in the user's time zone.
 */
export const PRESETS = [
  { id: 'today', label: 'Today' },
  { id: 'yesterday', label: 'Yesterday' },
  { id: '24h', label: 'Last 24 hours' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
  { id: '90d', label: 'Last 90 days' },
  { id: 'month', label: 'This month' },
  { id: 'last-month', label: 'Last month' },
  { id: '12m', label: 'Last 12 months' },
] as const;
export type PresetId = (typeof PRESETS)[number]['id'];
export const DEFAULT_PRESET: PresetId = '7d';

export interface ResolvedRange {
  from: Date;
  to: Date;
  /** The preset, or null for a custom range. */
  preset: PresetId | null;
  /** Inclusive local dates of a custom range, as YYYY-MM-DD. */
  fromDate: string;
  toDate: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function midnight(y: number, m: number, d: number): Date {
  return new Date(y, m, d, 0, 0, 0, 0);
}

/** YYYY-MM-DD of a local date. */
export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function parseDate(s: string | null): Date | null {
  const m = s === null ? null : DATE_RE.exec(s);
  if (!m) return null;
  const d = midnight(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d;
}

function addDays(d: Date, n: number): Date {
  return midnight(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

export function presetRange(id: PresetId, now: Date): { from: Date; to: Date } {
  const today = midnight(now.getFullYear(), now.getMonth(), now.getDate());
  const tomorrow = addDays(today, 1);
  switch (id) {
    case 'today':
      return { from: today, to: tomorrow };
    case 'yesterday':
      return { from: addDays(today, -1), to: today };
    case '24h': {
      const to = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
      return { from: new Date(to.getTime() - 86_400_000), to };
    }
    case '7d':
      return { from: addDays(today, -6), to: tomorrow };
    case '30d':
      return { from: addDays(today, -29), to: tomorrow };
    case '90d':
      return { from: addDays(today, -89), to: tomorrow };
    case 'month':
      return { from: midnight(now.getFullYear(), now.getMonth(), 1), to: midnight(now.getFullYear(), now.getMonth() + 1, 1) };
    case 'last-month':
      return { from: midnight(now.getFullYear(), now.getMonth() - 1, 1), to: midnight(now.getFullYear(), now.getMonth(), 1) };
    case '12m':
      return { from: midnight(now.getFullYear() - 1, now.getMonth(), now.getDate() + 1), to: tomorrow };
  }
}

export function resolveRange(params: URLSearchParams, now: Date = new Date()): ResolvedRange {
  const from = parseDate(params.get('from'));
  const to = parseDate(params.get('to'));
  if (from && to && from <= to) {
    return { from, to: addDays(to, 1), preset: null, fromDate: isoDate(from), toDate: isoDate(to) };
  }
  const asked = params.get('range');
  const preset = PRESETS.find((p) => p.id === asked)?.id ?? DEFAULT_PRESET;
  const r = presetRange(preset, now);
  return { ...r, preset, fromDate: isoDate(r.from), toDate: isoDate(addDays(r.to, -1)) };
}

/** The user's IANA time zone: charts are cut in it and times shown in it. */
export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** What every view filters by: the range and whether bot and debug traffic count. */
class Filters {
  range = $derived(resolveRange(router.params));
  /** Include bot and debug traffic (off by default: charts show people). */
  all = $derived(router.params.get('all') === '1');
  /** Explore's filters (`filter=DIM:VALUE`, repeatable; shared/explore.ts), shown as chips under the header. */
  list = $derived(router.params.getAll('filter').map(parseFilter).filter((f): f is Filter => typeof f !== 'string'));

  /** Parameters of every stats call. */
  stats = $derived({
    from: this.range.from.toISOString(),
    to: this.range.to.toISOString(),
    tz: timeZone,
    bots: this.all ? 'true' : null,
    debug: this.all ? 'true' : null,
    filter: this.list.map(formatFilter),
  });

  /** The same, as the JSON body of a POST read (a funnel). */
  body = $derived({ from: this.stats.from, to: this.stats.to, tz: timeZone, bots: this.all, debug: this.all, filter: this.stats.filter });

  /** Adds a filter (the same one twice is one). */
  addFilter(f: Filter): void {
    const raw = this.list.map(formatFilter);
    if (!raw.includes(formatFilter(f))) router.update({ filter: [...raw, formatFilter(f)] });
  }

  removeFilter(i: number): void {
    router.update({ filter: this.list.filter((_, j) => j !== i).map(formatFilter) });
  }

  /** Turns "is" into "is not" and back. */
  negateFilter(i: number): void {
    router.update({ filter: this.list.map((f, j) => formatFilter(j === i ? { ...f, negate: !f.negate } : f)) });
  }

  clearFilters(): void {
    router.update({ filter: null });
  }

  setPreset(id: PresetId): void {
    router.update({ range: id === DEFAULT_PRESET ? null : id, from: null, to: null });
  }

  setCustom(from: string, to: string): void {
    router.update({ range: null, from, to });
  }

  setAll(all: boolean): void {
    router.update({ all: all ? '1' : null });
  }
}

export const filters = new Filters();
