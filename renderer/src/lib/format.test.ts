import { describe, expect, it } from 'vitest';
import { ago, duration, plural, shortId, timeAxis } from './format';
import { systemSummary } from './events';
import type { EventView } from '../../../shared/api';

describe('duration', () => {
  it('is built from the UI’s own words (h, m, s), whatever Intl would call the units', () => {
    expect(duration(0)).toBe('0s');
    expect(duration(42)).toBe('42s');
    expect(duration(145)).toBe('2m 25s');
    expect(duration(3725)).toBe('1h 2m');
    expect(duration(null)).toBe('–');
  });
});

describe('ago', () => {
  const now = Date.UTC(2026, 11, 15, 12, 0, 0);
  it('says how long ago in English words, with the numbers in the locale', () => {
    expect(ago(now - 3_000, now)).toBe('3s ago');
    expect(ago(now - 3 * 60_000, now)).toBe('3 min ago');
    expect(ago(now - 5 * 3_600_000, now)).toBe('5 h ago');
    expect(ago(now - 30 * 3_600_000, now)).toBe('yesterday');
    expect(ago(now - 4 * 86_400_000, now)).toBe('4 days ago');
    // A clock a little ahead of the browser's is "just now", never "in 2 seconds".
    expect(ago(now + 2_000, now)).toBe('just now');
  });
});

describe('plural', () => {
  it('puts the noun in the plural only when the count is not one', () => {
    expect(plural(1, 'page view')).toBe('1 page view');
    expect(plural(0, 'page view')).toBe('0 page views');
    expect(plural(1234, 'visit')).toBe('1,234 visits');
    expect(plural(2, 'medium', 'media')).toBe('2 media');
  });

  it('is what the timeline says of a visit that ended after one page', () => {
    const e = { type: 'visit-ended', properties: { reason: 'timeout', duration: 145, pageViews: 1 } } as unknown as EventView;
    expect(systemSummary(e)).toBe('ended by timeout after 2m 25s, 1 page view');
  });
});

describe('shortId', () => {
  it('keeps short ids whole and cuts long ones in the middle, keeping both ends', () => {
    expect(shortId('S1')).toBe('S1');
    expect(shortId('@debug-session')).toBe('@debug-session');
    expect(shortId('seed-x7k2a1-s12345')).toBe('seed-x…12345');
    expect(shortId('0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b')).toBe('0193a1…f5a6b');
  });
});

describe('timeAxis', () => {
  const start = Date.UTC(2026, 11, 1, 9, 0);
  it.each([
    ['ten minutes', 10 * 60_000],
    ['three hours', 3 * 3_600_000],
    ['two days', 2 * 86_400_000],
    ['three months', 92 * 86_400_000],
    ['three years', 3 * 365 * 86_400_000],
  ])('labels the start and three ticks over %s, no two alike', (_, span) => {
    const ticks = timeAxis(start, start + span, [0, 0.25, 0.5, 0.75]);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    const labels = ticks.map((t) => t.label);
    expect(new Set(labels).size, labels.join(' | ')).toBe(labels.length);
    expect(ticks[0]!.at).toBe(start);
  });
});
