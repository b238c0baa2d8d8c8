import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../engine/testing';
import { FootfallClient, FootfallError } from './footfall-client';
import { SHOP_PLAN } from '../engine/plan/fixtures';

/** The test helper against a real Footfall over HTTP, as a user's suite calls it. */

let t: TestFootfall;
let footfall: FootfallClient;
beforeAll(async () => {
  t = await startTestFootfall();
  footfall = new FootfallClient({ url: t.ff.url, token: t.token });
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await footfall.reset();
  await t.api('PUT', '/api/plan', { events: {} });
});

const send = (events: unknown[], session = 'S1') =>
  fetch(`${t.ff.url}/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: { id: t.source }, session: { id: session }, events }),
  });

describe('FootfallClient', () => {
  it('waits for events and answers them oldest first, once enough have arrived', async () => {
    const waiting = footfall.waitForEvents({ type: 'purchase', properties: { currency: 'EUR' } }, { min: 2 });
    await send([{ type: 'purchase', properties: { currency: 'EUR', n: 1 } }, { type: 'purchase', properties: { currency: 'USD' } }]);
    await send([{ type: 'purchase', properties: { currency: 'EUR', n: 2 } }]);
    const got = await waiting;
    expect(got.map((e) => e.properties.n)).toEqual([1, 2]);
    expect(got[0]!.metadata.traffic).toBe('automation'); // Node's fetch
  });

  it('says what arrived instead when the events never come', async () => {
    await send([{ type: 'page-view' }, { type: 'page-view' }, { type: 'add-to-cart' }]);
    const err = await footfall.waitForEvents({ type: 'purchase', session: 'S1' }, { timeout: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FootfallError);
    expect((err as Error).message).toBe('Footfall: expected 1 purchase, got 0; 3 events arrived (session S1): page-view ×2, add-to-cart.');
    const none = await footfall.waitForEvents({ type: 'signup' }, { min: 2, timeout: 50 }).catch((e: unknown) => (e as Error).message);
    expect(none).toBe('Footfall: expected 2 signup events, got 0; 3 events arrived: page-view ×2, add-to-cart.');
  });

  it('tells of refused requests when the events never come', async () => {
    await fetch(`${t.ff.url}/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"source":' });
    const message = await footfall.waitForEvents({ type: 'purchase' }, { timeout: 50 }).catch((e: unknown) => (e as Error).message);
    expect(message).toBe("Footfall: expected 1 purchase, got 0; no events arrived. 1 request was refused: see rejected() or the dashboard's Rejected view.");
    const [r] = await footfall.rejected();
    expect(r).toMatchObject({ status: 400, body: '{"source":' });
    expect(await footfall.clearRejected()).toBe(1);
  });

  it('summarises, ends idle sessions, reads a session, resets', async () => {
    await send([{ type: 'page-view', context: { page: { url: 'https://shop.test/' } } }]);
    expect(await footfall.summary()).toMatchObject({ events: { total: 3 }, sessions: { active: 1, ended: 0 }, profiles: 1 });
    expect(await footfall.endIdleSessions()).toBe(1);
    const [ended] = await footfall.waitForEvents({ type: 'visit-ended', system: true });
    expect(ended!.properties).toMatchObject({ reason: 'api', pageViews: 1 });
    expect((await footfall.session('S1')).metadata).toMatchObject({ status: 'ended', endReason: 'api' });
    expect(await footfall.reset()).toEqual({ events: 4, sessions: 1, profiles: 1, rejected: 0 });
  });

  it('explains a wrong token or an unreachable Footfall', async () => {
    const wrong = new FootfallClient({ url: t.ff.url, token: 'nope' });
    await expect(wrong.summary()).rejects.toThrow(/Footfall answered 401 to GET \/api\/summary: Missing or wrong admin token/);
    const gone = new FootfallClient({ url: 'http://127.0.0.1:9', token: 'x' });
    await expect(gone.summary()).rejects.toThrow(/Footfall did not answer at http:\/\/127\.0\.0\.1:9/);
    expect(() => new FootfallClient({ url: '' })).toThrow(/needs the url and token/);
  });

  it('expectNoInvalidEvents passes when every event follows the plan, and lists every broken rule when not', async () => {
    await expect(footfall.expectNoInvalidEvents()).rejects.toThrow(/no tracking plan: nothing was checked/);
    await footfall.setPlan(SHOP_PLAN);
    expect((await footfall.plan()).unplanned).toBe('flag');
    await send([{ type: 'purchase', properties: { revenue: 5, currency: 'EUR' } }, { type: 'page-view' }]);
    await footfall.expectNoInvalidEvents();
    await send([{ type: 'purchase', properties: { revenue: 'abc', currency: 'eur' } }], 'S2');
    await send([{ type: 'checkout-started' }], 'S3');
    const err = (await footfall.expectNoInvalidEvents().catch((e: unknown) => e)) as FootfallError;
    expect(err).toBeInstanceOf(FootfallError);
    expect(err.message).toContain('2 events do not follow the tracking plan');
    expect(err.message).toContain("purchase (session S2): properties.revenue: must be number, got string 'abc'; properties.currency: must match pattern ^[A-Z]{3}$, got 'eur'");
    expect(err.message).toContain('checkout-started (session S3): not in the plan');
    // One session's events only; unplanned types are fine while the plan allows them.
    await footfall.expectNoInvalidEvents({ session: 'S1' });
    await footfall.setPlan({ ...SHOP_PLAN, unplanned: 'allow' });
    await expect(footfall.expectNoInvalidEvents({ session: 'S3' })).resolves.toBeUndefined();
    expect(await footfall.summary()).toMatchObject({ invalid: 1, unplanned: 1 });
    const [bad] = await footfall.events({ validation: ['invalid'] });
    expect(bad!.metadata.validation?.errors[0]).toEqual({ path: 'properties.revenue', message: "must be number, got string 'abc'" });
  });
});
