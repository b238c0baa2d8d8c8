import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seed } from '../seed';
import { startTestFootfall, type TestFootfall } from '../testing';
import { SHOP_PLAN } from './fixtures';

/** A draft inferred from stored events, checking stored events again, and the plan's coverage. */

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall();
});
afterEach(async () => {
  await t.close();
});

const send = (events: unknown[], session = 'S1') => t.track({ source: { id: t.source }, session: { id: session }, events });

/** A shop's traffic: purchases with a currency from a short list, a revenue once sent as text, an optional coupon. */
async function seedShop(): Promise<void> {
  const currencies = ['EUR', 'USD', 'EUR', 'PLN'];
  for (let i = 0; i < 12; i++) {
    const purchase: Record<string, unknown> = { revenue: i === 5 ? '19.90' : 10 + i, currency: currencies[i % 4], order: `o-${i}`, shipping: { method: i % 2 ? 'post' : 'courier', days: 2 } };
    if (i % 3 === 0) purchase.coupon = `C${i}`;
    expect((await send([{ type: 'purchase', properties: purchase }, { type: 'page-view', properties: { title: `Page ${i}` } }], `S${i}`)).status).toBe(200);
  }
}

describe('POST /api/plan/draft', () => {
  it('infers types, property types, unions flagged as type inconsistent, required, and enums from stored events', async () => {
    await seedShop();
    const r = await t.api('POST', '/api/plan/draft', {});
    expect(r.status).toBe(200);
    const draft = r.body;
    expect(Object.keys(draft.events)).toEqual(['page-view', 'purchase']);
    expect(draft.sampled).toBe(24);
    expect(draft.unplanned).toBe('flag');
    const purchase = draft.events.purchase.properties;
    expect(purchase.required).toEqual(['currency', 'order', 'revenue', 'shipping']);
    expect(purchase.properties.currency).toEqual({ type: 'string', enum: ['EUR', 'PLN', 'USD'] });
    expect(purchase.properties.coupon).toEqual({ type: 'string' });
    // Unique ids are not a choice: no enum.
    expect(purchase.properties.order).toEqual({ type: 'string' });
    expect(purchase.properties.revenue.type).toEqual(['number', 'string']);
    expect(purchase.properties.revenue.description).toContain('type inconsistent');
    expect(purchase.properties.shipping).toEqual({
      type: 'object',
      properties: { days: { type: 'number' }, method: { type: 'string', enum: ['courier', 'post'] } },
      required: ['days', 'method'],
    });
    expect(draft.inconsistent).toEqual([{ type: 'purchase', property: 'revenue', types: { number: 11, string: 1 } }]);
    expect(draft.events['page-view'].properties).toEqual({ type: 'object', properties: { title: { type: 'string' } }, required: ['title'] });
    // Nothing was saved; the draft saves as it is (its extra fields are the answer's, taken back quietly).
    expect((await t.api('GET', '/api/plan')).body.events).toEqual({});
    expect((await t.api('PUT', '/api/plan', draft)).status).toBe(200);
    const after = await send([{ type: 'purchase', properties: { revenue: 5, currency: 'GBP', order: 'x', shipping: { method: 'post', days: 1 } } }]);
    expect(after.body.warnings[0]).toContain("properties.currency: must be one of 'EUR', 'PLN', 'USD', got 'GBP'");
  });

  it('reads only the range asked for, and refuses a range that is not one', async () => {
    await send([{ type: 'early' }]);
    t.clock.advance(60_000);
    const cut = t.clock.now();
    await send([{ type: 'late', properties: { n: 1 } }]);
    expect(Object.keys((await t.api('POST', '/api/plan/draft', { from: cut })).body.events)).toEqual(['late']);
    expect(Object.keys((await t.api('POST', '/api/plan/draft', { to: new Date(cut).toISOString() })).body.events)).toEqual(['early']);
    for (const body of [{ from: 'yesterday' }, { from: cut, to: cut }, { since: 1 }]) {
      const bad = await t.api('POST', '/api/plan/draft', body);
      expect(bad.status, JSON.stringify(body)).toBe(422);
    }
  });
});

describe('POST /api/plan/draft on a seeded database', () => {
  it("finds the seeder's types and their properties, with what every event had required and short lists of strings as enums", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-draft-seed-'));
    try {
      const until = Date.now();
      const r = await seed({ dataDir: dir, events: 4000, days: 7, seed: 3, until });
      expect(r.events).toBeGreaterThan(3000);
      const s = await startTestFootfall({ dir });
      try {
        const draft = (await s.api('POST', '/api/plan/draft', { from: until - 8 * 86_400_000, to: until + 1 })).body;
        // Footfall's own events (visit-started...) are not the user's to plan.
        expect(Object.keys(draft.events)).toEqual(expect.arrayContaining(['page-view', 'purchase', 'add-to-cart', 'search', 'click']));
        expect(Object.keys(draft.events)).not.toContain('visit-started');
        const cart = draft.events['add-to-cart'].properties;
        expect(cart.required).toEqual(['product', 'quantity']);
        // A number is a quantity, not a choice: no enum however few values came.
        expect(cart.properties.quantity).toEqual({ type: 'number' });
        const purchase = draft.events.purchase.properties;
        expect(purchase.required).toEqual(['currency', 'orderId', 'value']);
        expect(purchase.properties.currency).toEqual({ type: 'string', enum: ['EUR'] });
        // Order ids are all different: a string, never a list of them.
        expect(purchase.properties.orderId).toEqual({ type: 'string' });
        expect(draft.events.click.properties.properties.target.enum).toEqual(['button', 'image', 'link', 'menu']);
        // The seeder sends each property with one type: nothing is type inconsistent.
        expect(draft.inconsistent).toEqual([]);
      } finally {
        await s.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('POST /api/plan/revalidate', () => {
  it('checks stored events against the plan in force, answers counts, and shows them in the events and the summary', async () => {
    await send([{ type: 'purchase', properties: { revenue: 'abc', currency: 'EUR' } }, { type: 'purchase', properties: { revenue: 3, currency: 'EUR' } }, { type: 'mystery' }]);
    const before = (await t.api('GET', '/api/events?system=false')).body.items;
    expect(before.every((e: { metadata: { validation: unknown } }) => e.metadata.validation === null)).toBe(true);
    expect((await t.api('PUT', '/api/plan', SHOP_PLAN)).status).toBe(200);
    const r = await t.api('POST', '/api/plan/revalidate', {});
    expect(r.body).toEqual({ checked: 3, valid: 1, invalid: 1, unplanned: 1 });
    const [bad] = (await t.api('GET', '/api/events?validation=invalid')).body.items;
    expect(bad.metadata.validation.errors).toEqual([{ path: 'properties.revenue', message: "must be number, got string 'abc'" }]);
    expect((await t.api('GET', '/api/summary')).body).toMatchObject({ invalid: 1, unplanned: 1 });

    // The plan changes: the old verdicts stand until checked again.
    const relaxed = { ...SHOP_PLAN, events: { ...SHOP_PLAN.events, purchase: { properties: { type: 'object' } }, mystery: {} } };
    expect((await t.api('PUT', '/api/plan', relaxed)).status).toBe(200);
    expect((await t.api('GET', '/api/summary')).body).toMatchObject({ invalid: 1, unplanned: 1 });
    expect((await t.api('POST', '/api/plan/revalidate', {})).body).toEqual({ checked: 3, valid: 3, invalid: 0, unplanned: 0 });
    // No plan: the verdicts go (validation null again).
    expect((await t.api('PUT', '/api/plan', { events: {} })).status).toBe(200);
    expect((await t.api('POST', '/api/plan/revalidate', {})).body).toEqual({ checked: 3, valid: 0, invalid: 0, unplanned: 0 });
    expect(t.ff.db.prepare('SELECT count(*) FROM event_validation').pluck().get()).toBe(0);
  });

  it('a verdict never outlives its event: pks handed out again after a deletion carry no old verdict', async () => {
    expect((await t.api('PUT', '/api/plan', SHOP_PLAN)).status).toBe(200);
    await t.track({ source: { id: t.source }, options: { debugger: true }, events: [{ type: 'purchase', properties: { revenue: 'abc' } }] });
    expect((await t.api('GET', '/api/summary')).body.invalid).toBe(1);
    expect((await t.api('DELETE', '/api/debug-data')).status).toBe(200);
    expect((await t.api('GET', '/api/summary')).body.invalid).toBe(0);
    expect((await t.api('PUT', '/api/plan', { events: {} })).status).toBe(200);
    await send([{ type: 'purchase', properties: { revenue: 'abc' } }]);
    const [e] = (await t.api('GET', '/api/events?system=false')).body.items;
    expect(e.metadata.validation).toBeNull();
  });
});

describe('GET /api/stats/plan', () => {
  it('lists each planned type, seen or never seen, with its verdicts and last time, and the unplanned types that came', async () => {
    await send([{ type: 'page-view' }]);
    expect((await t.api('PUT', '/api/plan', SHOP_PLAN)).status).toBe(200);
    // The next hour: the coverage counts whole hours, as every chart does.
    t.clock.advance(3600_000);
    const hour = t.clock.now();
    await send([{ type: 'purchase', properties: { revenue: 'abc', currency: 'EUR' } }, { type: 'purchase', properties: { revenue: 3, currency: 'EUR' } }, { type: 'mystery' }, { type: 'mystery' }]);
    const last = new Date(t.clock.now()).toISOString();
    const r = await t.api('GET', '/api/stats/plan');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      events: [
        { type: 'purchase', seen: 2, valid: 1, invalid: 1, unchecked: 0, lastSeen: last },
        { type: 'add-to-cart', seen: 0, valid: 0, invalid: 0, unchecked: 0, lastSeen: null },
        // Stored before the plan: not checked.
        { type: 'page-view', seen: 1, valid: 0, invalid: 0, unchecked: 1, lastSeen: expect.any(String) },
      ],
      unplanned: [{ type: 'mystery', seen: 2, lastSeen: last }],
    });
    const earlier = await t.api('GET', `/api/stats/plan?to=${hour}`);
    expect(earlier.body.events[0]).toMatchObject({ type: 'purchase', seen: 0, lastSeen: null });
    expect(earlier.body.events[2]).toMatchObject({ type: 'page-view', seen: 1, unchecked: 1 });
    expect(earlier.body.unplanned).toEqual([]);
    // Bots are left out unless asked for, as everywhere.
    await t.track({ source: { id: t.source }, session: { id: 'B' }, context: { browser: { userAgent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' } }, events: [{ type: 'purchase', properties: { revenue: 'x', currency: 'EUR' } }] });
    expect((await t.api('GET', '/api/stats/plan')).body.events[0]).toMatchObject({ seen: 2, invalid: 1 });
    expect((await t.api('GET', '/api/stats/plan?traffic=all')).body.events[0]).toMatchObject({ seen: 3, invalid: 2 });
  });
});
