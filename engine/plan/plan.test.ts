import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';
import { SHOP_PLAN } from './fixtures';

/** The tracking plan over HTTP: the plan itself, each event checked as it is stored, where it shows. */

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall();
});
afterEach(async () => {
  await t.close();
});


const send = (events: unknown[], session = 'S1') => t.track({ source: { id: t.source }, session: { id: session }, events });
const tracked = async (query = '') => (await t.api('GET', `/api/events?system=false&order=asc${query}`)).body.items as Array<{ type: string; properties: unknown; metadata: { validation: unknown } }>;

describe('without a plan', () => {
  it('stores an event as before, with metadata.validation null and no warning', async () => {
    const r = await send([{ type: 'purchase', properties: { revenue: 'abc' } }]);
    expect(r.status).toBe(200);
    expect(r.body.warnings).toEqual([]);
    const [e] = await tracked();
    expect(e!.metadata.validation).toBeNull();
    expect((await t.api('GET', '/api/plan')).body).toMatchObject({ events: {}, unplanned: 'allow' });
    expect((await t.api('GET', '/api/summary')).body).toMatchObject({ invalid: 0, unplanned: 0 });
  });
});

describe('PUT /api/plan and each event checked as it is stored', () => {
  beforeEach(async () => {
    const r = await t.api('PUT', '/api/plan', SHOP_PLAN);
    expect(r.status).toBe(200);
  });

  it('answers the plan it keeps', async () => {
    const plan = (await t.api('GET', '/api/plan')).body;
    expect(plan).toMatchObject(SHOP_PLAN);
    expect(plan.file).toBeNull();
  });

  it('stores an invalid event, answers 200, and says what is wrong in warnings and metadata.validation', async () => {
    const r = await send([{ type: 'purchase', properties: { revenue: 'abc', currency: 'EUR' } }]);
    expect(r.status).toBe(200);
    expect(r.body.warnings).toHaveLength(1);
    expect(r.body.warnings[0]).toContain('events[0]');
    expect(r.body.warnings[0]).toContain("properties.revenue: must be number, got string 'abc'");
    const [e] = await tracked();
    expect(e!.properties).toEqual({ revenue: 'abc', currency: 'EUR' });
    expect(e!.metadata.validation).toEqual({ status: 'invalid', errors: [{ path: 'properties.revenue', message: "must be number, got string 'abc'" }] });
  });

  it('names the property and the rule of every error, each kind of rule', async () => {
    await send([{ type: 'purchase', properties: { revenue: -5, currency: 'eur', items: 150, method: 'cash', coupon: 'SUPERSAVER2024X' } }]);
    await send([{ type: 'purchase', properties: { items: 0 } }]);
    await send([{ type: 'add-to-cart', properties: { product: 7 } }]);
    const [all, missing, cart] = await tracked();
    expect(all!.metadata.validation).toEqual({
      status: 'invalid',
      errors: [
        { path: 'properties.revenue', message: 'must be >= 0, got -5' },
        { path: 'properties.currency', message: "must match pattern ^[A-Z]{3}$, got 'eur'" },
        { path: 'properties.items', message: 'must be <= 99, got 150' },
        { path: 'properties.method', message: "must be one of 'card', 'paypal', got 'cash'" },
        { path: 'properties.coupon', message: "must NOT have more than 12 characters, got 'SUPERSAVER2024X'" },
      ],
    });
    expect(missing!.metadata.validation).toEqual({
      status: 'invalid',
      errors: [
        { path: 'properties.revenue', message: 'is required, but missing' },
        { path: 'properties.currency', message: 'is required, but missing' },
        { path: 'properties.items', message: 'must be >= 1, got 0' },
      ],
    });
    expect(cart!.metadata.validation).toEqual({ status: 'invalid', errors: [{ path: 'properties.product', message: 'must be string, got number 7' }] });
  });

  it('a valid event is valid, with no errors and no warning', async () => {
    const r = await send([{ type: 'purchase', properties: { revenue: 42.5, currency: 'EUR', method: 'card' } }, { type: 'page-view', properties: { title: 'Home' } }]);
    expect(r.body.warnings).toEqual([]);
    const events = await tracked();
    expect(events.map((e) => e.metadata.validation)).toEqual([
      { status: 'valid', errors: [] },
      { status: 'valid', errors: [] },
    ]);
  });

  it('an unplanned type is stored as unplanned, warned about while the plan flags them, not when it allows them', async () => {
    const r = await send([{ type: 'checkout-started', properties: {} }]);
    expect(r.status).toBe(200);
    expect(r.body.warnings).toEqual(['events[0]: type "checkout-started" is not in the tracking plan.']);
    expect((await tracked())[0]!.metadata.validation).toEqual({ status: 'unplanned', errors: [] });
    expect((await t.api('PUT', '/api/plan', { ...SHOP_PLAN, unplanned: 'allow' })).status).toBe(200);
    const again = await send([{ type: 'checkout-started', properties: {} }]);
    expect(again.body.warnings).toEqual([]);
    expect((await tracked())[1]!.metadata.validation).toEqual({ status: 'unplanned', errors: [] });
  });

  it("Footfall's own events are not checked (their validation is null)", async () => {
    await send([{ type: 'page-view' }]);
    const own = (await t.api('GET', '/api/events?system=true')).body.items as Array<{ type: string; metadata: { validation: unknown } }>;
    expect(own.map((e) => e.type).sort()).toEqual(['profile-created', 'visit-started']);
    expect(own.every((e) => e.metadata.validation === null)).toBe(true);
  });

  it('filters the event list and export by validation, and counts in /api/summary', async () => {
    await send([
      { type: 'purchase', properties: { revenue: 'abc', currency: 'EUR' } },
      { type: 'purchase', properties: { revenue: 1, currency: 'EUR' } },
      { type: 'mystery' },
      { type: 'page-view' },
    ]);
    expect((await tracked('&validation=invalid')).map((e) => e.type)).toEqual(['purchase']);
    expect((await tracked('&validation=unplanned')).map((e) => e.type)).toEqual(['mystery']);
    expect((await tracked('&validation=valid')).map((e) => e.type)).toEqual(['purchase', 'page-view']);
    expect((await tracked('&validation=invalid,unplanned')).map((e) => e.type)).toEqual(['purchase', 'mystery']);
    const bad = await t.api('GET', '/api/events?validation=wrong');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('validation');
    const csv = await t.ff.app.inject({ method: 'GET', url: '/api/export/events.ndjson?validation=invalid&system=false', headers: { authorization: `Bearer ${t.token}` } });
    expect(csv.payload.trim().split('\n')).toHaveLength(1);
    const table = await t.ff.app.inject({ method: 'GET', url: '/api/export/events.csv?validation=invalid&system=false', headers: { authorization: `Bearer ${t.token}` } });
    const [head, row] = table.payload.trim().split('\n');
    expect(head).toContain(',validation,validation_errors');
    expect(row).toContain(',invalid,');
    expect(row).toContain("properties.revenue: must be number, got string 'abc'");
    expect((await t.api('GET', '/api/summary')).body).toMatchObject({ invalid: 1, unplanned: 1 });
  });

  it('refuses a bad schema with 422 naming the event type and the problem, keeping the plan in force', async () => {
    const typo = await t.api('PUT', '/api/plan', { events: { purchase: { properties: { type: 'object', properties: { revenue: { type: 'numbr' } } } } } });
    expect(typo.status).toBe(422);
    expect(typo.body.detail).toContain('events.purchase');
    expect(typo.body.detail).toMatch(/type/);
    const keyword = await t.api('PUT', '/api/plan', { events: { signup: { properties: { type: 'object', requried: ['email'] } } } });
    expect(keyword.status).toBe(422);
    expect(keyword.body.detail).toContain('events.signup');
    expect(keyword.body.detail).toContain('requried');
    for (const body of [{}, { events: [] }, { events: {}, unplanned: 'block' }, { events: { ' ': { properties: {} } } }, { events: { a: { properties: {} } }, extra: 1 }]) {
      const r = await t.api('PUT', '/api/plan', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.detail).toBeTruthy();
    }
    expect((await t.api('GET', '/api/plan')).body).toMatchObject(SHOP_PLAN);
  });

  it('an empty plan is no plan: events are no longer checked', async () => {
    expect((await t.api('PUT', '/api/plan', { events: {} })).status).toBe(200);
    await send([{ type: 'purchase', properties: { revenue: 'abc' } }]);
    expect((await tracked())[0]!.metadata.validation).toBeNull();
  });

  it('a reset keeps the plan and forgets every verdict with the events', async () => {
    await send([{ type: 'purchase', properties: { revenue: 'abc', currency: 'EUR' } }]);
    expect((await t.api('POST', '/api/reset', { confirm: 'reset' })).status).toBe(200);
    expect((await t.api('GET', '/api/summary')).body).toMatchObject({ invalid: 0, unplanned: 0 });
    expect((await t.api('GET', '/api/plan')).body).toMatchObject(SHOP_PLAN);
    expect(t.ff.db.prepare('SELECT count(*) FROM event_validation').pluck().get()).toBe(0);
  });
});
