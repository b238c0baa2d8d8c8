import { DAY_MS, HOUR_MS } from '../../../shared/rules';
/**
 * The dashboard's date ranges as plain functions of the URL and the clock: the presets, a
 * custom range, and the period a range is compared with. Presets are cut at local midnight
 * in the user's time zone. (range.svelte.ts keeps the one range of the URL.)
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
      const to = new Date(Math.ceil(now.getTime() / HOUR_MS) * HOUR_MS);
      return { from: new Date(to.getTime() - DAY_MS), to };
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

/** How far back the period before a range lies: calendar days or months on the local clock, or a fixed span. */
type Step = { days: number; months: number; noun: string } | { ms: number; noun: string };

function stepOf(r: ResolvedRange): Step {
  switch (r.preset) {
    case 'today':
    case 'yesterday':
      return { days: 1, months: 0, noun: 'day' };
    case '24h':
      return { ms: DAY_MS, noun: '24 hours' };
    case '7d':
      return { days: 7, months: 0, noun: '7 days' };
    case '30d':
      return { days: 30, months: 0, noun: '30 days' };
    case '90d':
      return { days: 90, months: 0, noun: '90 days' };
    case 'month':
    case 'last-month':
      return { days: 0, months: 1, noun: 'month' };
    case '12m':
      return { days: 0, months: 12, noun: '12 months' };
    case null: {
      const days = Math.round((r.to.getTime() - r.from.getTime()) / DAY_MS);
      return { days, months: 0, noun: days === 1 ? 'day' : `${days} days` };
    }
  }
}

function back(d: Date, step: Step): Date {
  if ('ms' in step) return new Date(d.getTime() - step.ms);
  // The same local time of day that many days or months before (a day may have 23 or 25 hours).
  return new Date(d.getFullYear(), d.getMonth() - step.months, d.getDate() - step.days, d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
}

export interface Comparison {
  from: Date;
  to: Date;
  /** The range is not over: compared with the same stretch of the period before, not all of it. */
  partial: boolean;
  /** What it is compared with, in words: "the month before, up to the same point". */
  before: string;
}

/**
 * The period a range is compared with: the one before it on the calendar (last month for a
 * month, the day before for a day, as many days before for a custom range). A range that
 * ends after `now` is compared with the same stretch of that period: this month so far
 * (Dec 1 00:00 → now) with Nov 1 00:00 → the same day and time of November, never more
 * than the whole of it. A rolling window (the last 24 hours) with the one before.
 */
export function comparison(r: ResolvedRange, now: Date): Comparison {
  const step = stepOf(r);
  const from = back(r.from, step);
  const end = new Date(Math.min(back(r.to, step).getTime(), r.from.getTime()));
  const partial = !('ms' in step) && r.to.getTime() > now.getTime();
  const to = partial ? new Date(Math.max(from.getTime(), Math.min(back(now, step).getTime(), end.getTime()))) : end;
  return { from, to, partial, before: `the ${step.noun} before${partial ? ', up to the same point' : ''}` };
}
