import { DAY_MS, HOUR_MS } from '../../shared/rules';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at instant `ms`, in ms (local = UTC + offset). */
export function tzOffsetMs(tz: string, ms: number): number {
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const p of formatter(tz).formatToParts(ms)) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value);
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
      default:
        break;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000;
}

/**
 * Maps UTC hours (hours since the epoch) to local time in one zone. Offsets are looked up
 * once per UTC day (and per hour only on days the offset changes), so mapping the 2,160
 * hours of 90 days costs a couple of hundred Intl calls, not thousands.
 */
export class LocalHours {
  private readonly days = new Map<number, number | null>();

  constructor(readonly tz: string) {}

  /** Offset (ms) in force at the start of UTC hour `h`. */
  offsetAt(h: number): number {
    const day = Math.floor(h / 24);
    let o = this.days.get(day);
    if (o === undefined) {
      const a = tzOffsetMs(this.tz, day * DAY_MS);
      const b = tzOffsetMs(this.tz, (day + 1) * DAY_MS - 1);
      o = a === b ? a : null;
      this.days.set(day, o);
    }
    return o ?? tzOffsetMs(this.tz, h * HOUR_MS);
  }

  /** Local ms (as if the local wall clock were UTC) of the start of UTC hour `h`. */
  local(h: number): number {
    return h * HOUR_MS + this.offsetAt(h);
  }

  /** Local day number (days since 1970-01-01 on the local calendar) of UTC hour `h`. */
  localDay(h: number): number {
    return Math.floor(this.local(h) / DAY_MS);
  }

  /** Weekday (0 = Monday) and hour of day (0..23) of UTC hour `h` on the local clock. */
  weekHour(h: number): [weekday: number, hour: number] {
    const local = this.local(h);
    const day = Math.floor(local / DAY_MS);
    const hour = Math.floor((local - day * DAY_MS) / HOUR_MS);
    // 1970-01-01 was a Thursday: weekday 3 when Monday is 0.
    return [(((day + 3) % 7) + 7) % 7, hour];
  }
}
