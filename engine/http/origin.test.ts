import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';

/**
 * Admin writes must come from the dashboard itself. Browsers send the cookie along with a
 * request from any port of the same host (same site), so the cookie proves nothing about
 * who asked: the Origin (or Sec-Fetch-Site) does. The cross-port attack itself, in Chromium,
 * is in e2e/csrf.spec.ts.
 */

let t: TestFootfall;
let self: string;
beforeEach(async () => {
  t = await startTestFootfall();
  self = `127.0.0.1:${t.ff.port}`;
});
afterEach(async () => {
  await t.close();
});

const sourceCount = (t: TestFootfall) => t.ff.db.prepare('SELECT count(*) FROM sources').pluck().get() as number;

/** POST /api/sources as a browser (or client) with these headers would send it. */
function createSource(headers: Record<string, string>, payload = JSON.stringify({ name: 'Injected' })) {
  const opts: InjectOptions = { method: 'POST', url: '/api/sources', headers: { host: self, 'content-type': 'application/json', ...headers }, payload };
  return t.ff.app.inject(opts);
}

const cookie = () => ({ cookie: `footfall_token_${t.ff.port}=${t.token}` });
const bearer = () => ({ authorization: `Bearer ${t.token}` });

describe('admin writes prove they come from the dashboard', () => {
  it('refuses a foreign Origin with the cookie: another port, another name, null', async () => {
    const before = sourceCount(t);
    for (const origin of [`http://127.0.0.1:${t.ff.port + 1}`, `http://localhost:${t.ff.port + 1}`, 'http://127.0.0.1', 'null', `https://127.0.0.1:${t.ff.port}`, `http://evil.test:${t.ff.port}`, 'garbage']) {
      const r = await createSource({ ...cookie(), origin });
      expect(r.statusCode, origin).toBe(403);
      expect(JSON.parse(r.payload).detail, origin).toContain(`Origin "${origin}"`);
    }
    expect(sourceCount(t)).toBe(before);
  });

  it('refuses a foreign Origin even with the Bearer token', async () => {
    const r = await createSource({ ...bearer(), origin: `http://127.0.0.1:${t.ff.port + 1}` });
    expect(r.statusCode).toBe(403);
  });

  it('accepts the dashboard own origin, by whichever allowed name it was opened', async () => {
    const r = await createSource({ ...cookie(), origin: `http://${self}` });
    expect(r.statusCode).toBe(201);
    const l = await createSource({ ...cookie(), host: `localhost:${t.ff.port}`, origin: `http://localhost:${t.ff.port}` });
    expect(l.statusCode).toBe(201);
    // Opened as localhost, a request claiming to come from 127.0.0.1 is another origin.
    const mixed = await createSource({ ...cookie(), host: `localhost:${t.ff.port}`, origin: `http://127.0.0.1:${t.ff.port + 1}` });
    expect(mixed.statusCode).toBe(403);
  });

  it('without Origin, judges Sec-Fetch-Site: only same-origin passes', async () => {
    const before = sourceCount(t);
    for (const site of ['same-site', 'cross-site', 'none']) {
      const r = await createSource({ ...cookie(), 'sec-fetch-site': site });
      expect(r.statusCode, site).toBe(403);
      expect(JSON.parse(r.payload).detail, site).toContain(`Sec-Fetch-Site "${site}"`);
    }
    expect(sourceCount(t)).toBe(before);
    expect((await createSource({ ...cookie(), 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
  });

  it('with neither header (not a browser), needs the Bearer token, not the cookie', async () => {
    const r = await createSource(cookie());
    expect(r.statusCode).toBe(403);
    expect(JSON.parse(r.payload).detail).toContain('Bearer');
    expect((await createSource(bearer())).statusCode).toBe(201);
  });

  it('covers every write method: POST, PATCH, DELETE', async () => {
    await t.track({ source: { id: t.source }, session: { id: 'S' }, events: [{ type: 'page-view' }] });
    const foreign = { ...cookie(), host: self, origin: `http://127.0.0.1:${t.ff.port + 1}` };
    const json = { ...foreign, 'content-type': 'application/json' };
    const tries: InjectOptions[] = [
      { method: 'POST', url: '/api/sessions/S/end', headers: foreign },
      { method: 'PATCH', url: `/api/sources/${t.source}`, headers: json, payload: '{"enabled":false}' },
      { method: 'DELETE', url: `/api/sources/${t.source}`, headers: foreign },
      { method: 'PATCH', url: '/api/settings', headers: json, payload: '{"sessionTimeout":5}' },
      { method: 'DELETE', url: '/api/debug-data', headers: foreign },
    ];
    for (const o of tries) expect((await t.ff.app.inject(o)).statusCode, `${o.method} ${o.url}`).toBe(403);
    expect((await t.api('GET', '/api/sessions/S')).body.metadata.status).toBe('active');
    expect((await t.api('GET', '/api/settings')).body.sessionTimeout).toBe(1800);
  });

  it('leaves reads and the public collector alone', async () => {
    const read = await t.ff.app.inject({ method: 'GET', url: '/api/sources', headers: { ...cookie(), host: self, origin: `http://127.0.0.1:${t.ff.port + 1}` } });
    expect(read.statusCode).toBe(200);
    const track = await t.track({ source: { id: t.source }, events: [{ type: 'page-view' }] }, { origin: 'http://127.0.0.1:9999', 'sec-fetch-site': 'same-site' });
    expect(track.status).toBe(200);
  });
});

describe('admin writes take JSON only', () => {
  it('answers 415 naming the content type, whoever sends it', async () => {
    const before = sourceCount(t);
    const body = JSON.stringify({ name: 'Injected' });
    for (const ct of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/json-seq']) {
      for (const headers of [{ ...cookie(), origin: `http://${self}` }, bearer()]) {
        const r = await createSource({ ...headers, 'content-type': ct }, body);
        expect(r.statusCode, ct).toBe(415);
        expect(JSON.parse(r.payload).detail, ct).toContain(`"${ct}"`);
      }
    }
    const none = await t.ff.app.inject({ method: 'POST', url: '/api/sources', headers: { host: self, ...bearer() }, payload: body });
    expect(none.statusCode).toBe(415);
    expect(sourceCount(t)).toBe(before);
    expect((await createSource({ ...bearer(), 'content-type': 'application/json; charset=utf-8' }, body)).statusCode).toBe(201);
  });

  it('needs no content type on a write without a body', async () => {
    await t.track({ source: { id: t.source }, session: { id: 'S' }, events: [{ type: 'page-view' }] });
    const r = await t.ff.app.inject({ method: 'POST', url: '/api/sessions/S/end', headers: { host: self, ...bearer() } });
    expect(r.statusCode).toBe(200);
  });
});
