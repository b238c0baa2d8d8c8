import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';
import { CONTEXT_CHARS, fitStoredContext } from './stored-context';

/**
 * A session keeps the context of its first request, at most CONTEXT_CHARS of JSON. What
 * Footfall reads back from it (screen, device, browser, user agent, time zone, UTM tags) is
 * kept; other keys that do not fit are dropped, largest first, and the answer says which.
 * It is never cut in the middle (cut JSON reads back as nothing at all).
 */

const pad = (n: number) => 'x'.repeat(n);

describe('fitStoredContext', () => {
  it('stores a context that fits as it is', () => {
    const ctx = { screen: { width: 390, height: 844 }, time: { tz: 'Europe/Warsaw' }, app: { v: 3 } };
    const r = fitStoredContext(ctx);
    expect(JSON.parse(r.json)).toEqual(ctx);
    expect(r.warning).toBeNull();
  });

  it('drops the largest other keys first, until it fits, and keeps what Footfall reads', () => {
    const ctx = {
      screen: { width: 390, height: 844 },
      device: { brand: 'Apple', model: 'iPhone', resolution: '390x844' },
      browser: { userAgent: 'UA', language: 'pl' },
      userAgent: 'UA',
      time: { tz: 'Europe/Warsaw' },
      utm: { source: 'news' },
      huge: pad(CONTEXT_CHARS),
      big: pad(Math.floor(CONTEXT_CHARS * 0.9)),
      medium: pad(CONTEXT_CHARS / 4),
      small: { a: 1 },
    };
    const r = fitStoredContext(ctx);
    expect(r.json.length).toBeLessThanOrEqual(CONTEXT_CHARS);
    const stored = JSON.parse(r.json) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['browser', 'device', 'medium', 'screen', 'small', 'time', 'userAgent', 'utm']);
    expect(stored.screen).toEqual(ctx.screen);
    expect(r.warning).toMatch(/context\.huge, context\.big/);
    expect(r.warning).not.toMatch(/medium|small/);
  });

  it('trims a kept key to the fields Footfall reads when even that is too large', () => {
    const ctx = {
      browser: { userAgent: 'Mozilla/5.0', language: 'en-GB', plugins: pad(CONTEXT_CHARS * 2) },
      screen: { width: 1440, height: 900, junk: pad(CONTEXT_CHARS) },
      time: { tz: 'UTC', history: pad(CONTEXT_CHARS) },
      utm: { source: 'a', extra: pad(CONTEXT_CHARS) },
      userAgent: pad(CONTEXT_CHARS),
    };
    const r = fitStoredContext(ctx);
    expect(r.json.length).toBeLessThanOrEqual(CONTEXT_CHARS);
    const stored = JSON.parse(r.json) as Record<string, Record<string, unknown>>;
    expect(stored.browser).toEqual({ userAgent: 'Mozilla/5.0', language: 'en-GB' });
    expect(stored.screen).toEqual({ width: 1440, height: 900 });
    expect(stored.time).toEqual({ tz: 'UTC' });
    expect(stored.utm).toEqual({ source: 'a' });
    expect(r.warning).toMatch(/trimmed/);
  });

  it('always answers JSON within the limit, whatever the context', () => {
    const nasty: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) nasty[`k${i}`] = { v: pad(200), '"\\': '\u2028' };
    nasty.browser = { userAgent: pad(5000), language: pad(5000) };
    nasty.utm = Object.fromEntries(['source', 'medium', 'campaign', 'term', 'content'].map((k) => [k, pad(5000)]));
    const r = fitStoredContext(nasty);
    expect(r.json.length).toBeLessThanOrEqual(CONTEXT_CHARS);
    expect(() => JSON.parse(r.json)).not.toThrow();
  });
});

describe('a session started with a large context (POST /track)', () => {
  let t: TestFootfall;
  beforeEach(async () => {
    t = await startTestFootfall();
  });
  afterEach(async () => {
    await t.close();
  });

  it('keeps its screen and device, and the answer says what was left out', async () => {
    const r = await t.track({
      source: { id: t.source },
      session: { id: 'big-ctx' },
      context: { screen: { width: 390, height: 844 }, time: { tz: 'Europe/Warsaw' }, performance: { entries: pad(20_000) } },
      events: [{ type: 'page-view' }],
    });
    expect(r.status).toBe(200);
    expect(r.body.warnings).toEqual([expect.stringContaining('context.performance')]);
    const s = (await t.api('GET', '/api/sessions/big-ctx')).body;
    expect(s.device.resolution).toBe('390x844');
    expect(s.context.screen).toEqual({ width: 390, height: 844 });
    expect(s.context.performance).toBeUndefined();
    // Stored as valid JSON, as every context is.
    const raw = t.ff.db.prepare('SELECT context FROM session_context').pluck().all() as string[];
    for (const j of raw) expect(() => JSON.parse(j)).not.toThrow();
  });

  it('says nothing when the context fits, or when the session already had one', async () => {
    const small = await t.track({ source: { id: t.source }, session: { id: 's' }, context: { screen: { width: 1, height: 1 } }, events: [{ type: 'page-view' }] });
    expect(small.body.warnings).toEqual([]);
    const later = await t.track({ source: { id: t.source }, session: { id: 's' }, context: { big: pad(20_000) }, events: [{ type: 'click' }] });
    expect(later.body.warnings).toEqual([]);
  });
});
