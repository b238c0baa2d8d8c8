import { DAY_MS, HOUR_MS } from '../../../shared/rules';
/**
 * Numbers and dates in the user's locale and time zone (Intl); words in the UI's language,
 * English: durations and "ago" are built here from Intl's numbers, never from Intl's unit
 * or relative-time words (a German browser would get "2 Min. 25 Sek." inside English text).
 */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const signedPercent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0, signDisplay: 'exceptZero' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSecFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const shortDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const shortDayTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const hourFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });
const dayHourFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric' });
const shortTimeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const monthFmt = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric' });

export const num = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : integer.format(n));
export const dec = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : decimal.format(n));
export const pct = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : percent.format(n));

/** "1 page view", "3 page views": a count and its noun, in the plural unless the count is one. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${num(n)} ${n === 1 ? one : many}`;

/** 42s, 3m 5s, 1h 2m: a duration in seconds, compact. */
export function duration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  const total = Math.max(0, Math.round(s));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${num(h)}h ${num(m)}m`;
  if (m > 0) return `${num(m)}m ${num(sec)}s`;
  return `${num(sec)}s`;
}

/** An id for a narrow cell: short ones whole, long ones cut in the middle (their ends tell them apart). */
export function shortId(id: string): string {
  return id.length <= 14 ? id : `${id.slice(0, 6)}…${id.slice(-5)}`;
}

const toDate = (v: string | number | Date): Date => (v instanceof Date ? v : new Date(v));
export const dateTime = (v: string | number | Date | null | undefined): string => (v === null || v === undefined ? '–' : dateTimeFmt.format(toDate(v)));
export const dateTimeSec = (v: string | number | Date): string => dateTimeSecFmt.format(toDate(v));
/** A date and time for a narrow table cell: without the year when it is this year's. */
export const when = (v: string | number | Date): string => {
  const d = toDate(v);
  return d.getFullYear() === new Date().getFullYear() ? shortDayTime.format(d) : dateTimeFmt.format(d);
};
export const time = (v: string | number | Date): string => timeFmt.format(toDate(v));
export const date = (v: string | number | Date | null | undefined): string => (v === null || v === undefined ? '–' : dateFmt.format(toDate(v)));
export const day = (v: string | number | Date): string => shortDay.format(toDate(v));
export const hour = (v: string | number | Date): string => hourFmt.format(toDate(v));
export const dayHour = (v: string | number | Date): string => dayHourFmt.format(toDate(v));

/** A range [from, to) in words: whole local days as dates (the end day included), else times. */
export function rangeText(from: string | Date, to: string | Date): string {
  const a = toDate(from);
  const b = toDate(to);
  const midnight = (d: Date) => d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0;
  if (midnight(a) && midnight(b)) {
    const last = new Date(b.getFullYear(), b.getMonth(), b.getDate() - 1);
    return last.getTime() <= a.getTime() ? dateFmt.format(a) : dateFmt.formatRange(a, last);
  }
  return dateTimeFmt.formatRange(a, b);
}

/** "12s ago", "3 min ago", "5 h ago", "yesterday", "4 days ago". */
export function ago(v: string | number | Date, now: number = Date.now()): string {
  const s = Math.floor((now - toDate(v).getTime()) / 1000);
  // A clock a little ahead of the browser's is not the future.
  if (s < 1) return 'just now';
  if (s < 60) return `${num(s)}s ago`;
  if (s < 3600) return `${num(Math.floor(s / 60))} min ago`;
  if (s < 86400) return `${num(Math.floor(s / 3600))} h ago`;
  const days = Math.floor(s / 86400);
  return days === 1 ? 'yesterday' : `${num(days)} days ago`;
}

/**
 * Labels for points of a time axis from `start` to `end` (fractions of the way), as fine as
 * the span needs: seconds within an hour, times within a day or two, days within a year,
 * months beyond. Points whose
 * label repeats the one before are left out.
 */
export function timeAxis(start: number, end: number, at: readonly number[]): Array<{ at: number; label: string }> {
  const span = end - start;
  const oneDay = new Date(start).toDateString() === new Date(end).toDateString();
  const fmt =
    span <= HOUR_MS ? timeFmt : oneDay ? shortTimeFmt : span <= 2 * DAY_MS ? shortDayTime : span <= 365 * DAY_MS ? shortDay : monthFmt;
  const out: Array<{ at: number; label: string }> = [];
  for (const f of at) {
    const t = start + f * span;
    const label = fmt.format(new Date(t));
    if (out.length === 0 || !out.some((o) => o.label === label)) out.push({ at: t, label });
  }
  return out;
}

export interface Change {
  text: string;
  /** up, down or flat; whether that is good depends on the figure. */
  dir: 'up' | 'down' | 'flat';
}

/** The change of a figure against the previous period, as a signed percentage. */
export function change(value: number | null, previous: number | null): Change | null {
  if (value === null || previous === null) return null;
  if (previous === 0) return value === 0 ? { text: '±0', dir: 'flat' } : { text: 'new', dir: 'up' };
  const r = (value - previous) / previous;
  if (Math.abs(r) < 0.005) return { text: '±0', dir: 'flat' };
  return { text: signedPercent.format(r), dir: r > 0 ? 'up' : 'down' };
}

/** Weekday names Monday first, in the user's language. */
export const weekdays: string[] = Array.from({ length: 7 }, (_, i) =>
  new Intl.DateTimeFormat(undefined, { weekday: 'short' }).format(new Date(Date.UTC(2024, 0, 1 + i, 12))),
);

/** Hour-of-day labels 0..23 in the user's clock style. */
export const hoursOfDay: string[] = Array.from({ length: 24 }, (_, h) => hourFmt.format(new Date(2024, 0, 1, h)));


/** Pretty JSON for display (as text, never as HTML). */
export const json = (v: unknown): string => JSON.stringify(v, null, 2);
