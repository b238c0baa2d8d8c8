// Local dates in a zone with daylight saving, whatever the machine's zone.
process.env.TZ = 'Europe/Warsaw';
import { describe, expect, it } from 'vitest';
import { comparison, resolveRange } from './range';

const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min);
const compare = (query: string, now: Date) => comparison(resolveRange(new URLSearchParams(query), now), now);

describe('the period a range is compared with', () => {
  const now = local(2026, 12, 15, 14, 20);

  it('today: yesterday up to the same time', () => {
    expect(compare('range=today', now)).toMatchObject({ from: local(2026, 12, 14), to: local(2026, 12, 14, 14, 20), partial: true });
  });

  it('this month: the same stretch of last month, not all of it', () => {
    expect(compare('range=month', now)).toMatchObject({ from: local(2026, 11, 1), to: local(2026, 11, 15, 14, 20), partial: true });
  });

  it('this month near its end: at most the whole of a shorter last month', () => {
    const late = local(2026, 3, 30, 10);
    expect(compare('range=month', late)).toMatchObject({ from: local(2026, 2, 1), to: local(2026, 3, 1), partial: true });
  });

  it('last month: the calendar month before, not the same number of days', () => {
    expect(compare('range=last-month', now)).toMatchObject({ from: local(2026, 10, 1), to: local(2026, 11, 1), partial: false });
  });

  it('yesterday: the whole day before, also across a daylight-saving change', () => {
    expect(compare('range=yesterday', now)).toMatchObject({ from: local(2026, 12, 13), to: local(2026, 12, 14), partial: false });
    // 2026-03-29 has 23 hours in Warsaw; the day before it 24.
    expect(compare('range=yesterday', local(2026, 3, 30, 9))).toMatchObject({ from: local(2026, 3, 28), to: local(2026, 3, 29) });
  });

  it('the last 7 days (today included): the 7 days before, up to the same time', () => {
    expect(compare('range=7d', now)).toMatchObject({ from: local(2026, 12, 2), to: local(2026, 12, 8, 14, 20), partial: true });
  });

  it('the last 24 hours: the 24 hours before', () => {
    const r = resolveRange(new URLSearchParams('range=24h'), now);
    const c = comparison(r, now);
    expect(c.to).toEqual(r.from);
    expect(c.to.getTime() - c.from.getTime()).toBe(24 * 3_600_000);
    expect(c.partial).toBe(false);
  });

  it('a custom range in the past: as many days just before it', () => {
    expect(compare('from=2026-11-01&to=2026-11-10', now)).toMatchObject({ from: local(2026, 10, 22), to: local(2026, 11, 1), partial: false });
  });

  it('a custom range ending today: the same stretch of the days before it', () => {
    expect(compare('from=2026-12-11&to=2026-12-15', now)).toMatchObject({ from: local(2026, 12, 6), to: local(2026, 12, 10, 14, 20), partial: true });
  });

  it('says in words what it compares with', () => {
    expect(compare('range=month', now).before).toBe('the month before, up to the same point');
    expect(compare('range=last-month', now).before).toBe('the month before');
    expect(compare('range=today', now).before).toBe('the day before, up to the same point');
    expect(compare('from=2026-11-01&to=2026-11-10', now).before).toBe('the 10 days before');
  });
});
