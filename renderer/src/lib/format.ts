/** Numbers, durations and times in the user's locale and time zone (Intl, never hand-made). */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const signedPercent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0, signDisplay: 'exceptZero' });
const unit = (u: 'hour' | 'minute' | 'second') => new Intl.NumberFormat(undefined, { style: 'unit', unit: u, unitDisplay: 'narrow', maximumFractionDigits: 0 });
const hours = unit('hour');
const minutes = unit('minute');
const seconds = unit('second');
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSecFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const shortDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const hourFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });
const dayHourFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const num = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : integer.format(n));
export const dec = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : decimal.format(n));
export const pct = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : percent.format(n));

/** 42 s, 3 min 5 s, 1 h 2 min: a duration in seconds, compact. */
export function duration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  const total = Math.max(0, Math.round(s));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${hours.format(h)} ${minutes.format(m)}`;
  if (m > 0) return `${minutes.format(m)} ${seconds.format(sec)}`;
  return seconds.format(sec);
}

const toDate = (v: string | number | Date): Date => (v instanceof Date ? v : new Date(v));
export const dateTime = (v: string | number | Date | null | undefined): string => (v === null || v === undefined ? '–' : dateTimeFmt.format(toDate(v)));
export const dateTimeSec = (v: string | number | Date): string => dateTimeSecFmt.format(toDate(v));
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

/** "3 minutes ago", "yesterday". */
export function ago(v: string | number | Date, now: number = Date.now()): string {
  const diff = (toDate(v).getTime() - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return relative.format(Math.round(diff), 'second');
  if (abs < 2700) return relative.format(Math.round(diff / 60), 'minute');
  if (abs < 64800) return relative.format(Math.round(diff / 3600), 'hour');
  return relative.format(Math.round(diff / 86400), 'day');
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
