import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIVE_LIMITS, type LiveMessage } from '../../shared/api';
import { Footfall } from '../app';
import { loadConfig } from '../config';
import { startTestFootfall, until, type TestFootfall } from '../testing';

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall({ sessionTimeout: 60 });
});
afterEach(async () => {
  await t.close();
});

const visit = (t: TestFootfall, session: string, profile: string, type = 'page-view', extra: object = {}) => ({
  source: { id: t.source },
  session: { id: session },
  profile: { id: profile },
  events: [{ type, context: { page: { url: 'https://shop.test/' } } }],
  ...extra,
});

describe('admin API access', () => {
  it('needs the token: none or a wrong one is 401 with a detail', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic abc' }, { cookie: `footfall_token_${t.ff.port}=wrong` }]) {
      const r = await t.ff.app.inject({ method: 'GET', url: '/api/sessions', headers });
      expect(r.statusCode).toBe(401);
      expect(JSON.parse(r.payload).detail).toContain('token');
    }
    const ok = await t.ff.app.inject({ method: 'GET', url: '/api/sessions', headers: { cookie: `footfall_token_${t.ff.port}=${t.token}` } });
    expect(ok.statusCode).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding), even with the token', async () => {
    const r = await t.ff.app.inject({ method: 'GET', url: '/api/sessions', headers: { host: `evil.example:${t.ff.port}`, authorization: `Bearer ${t.token}` } });
    expect(r.statusCode).toBe(403);
    expect(JSON.parse(r.payload).detail).toContain('evil.example');
    for (const host of [`127.0.0.1:${t.ff.port}`, `localhost:${t.ff.port}`, `[::1]:${t.ff.port}`]) {
      const ok = await t.ff.app.inject({ method: 'GET', url: '/api/sessions', headers: { host, authorization: `Bearer ${t.token}` } });
      expect(ok.statusCode).toBe(200);
    }
    // The collector answers any host: pages reach it by whatever name they use.
    const track = await t.ff.app.inject({ method: 'POST', url: '/track', headers: { host: 'lan-name:8686', 'content-type': 'application/json' }, payload: JSON.stringify(visit(t, 'S', 'P')) });
    expect(track.statusCode).toBe(200);
  });

  it('swaps the dashboard URL token for an HttpOnly SameSite=Strict cookie and cleans the address', async () => {
    const r = await t.ff.app.inject({ method: 'GET', url: `/?token=${encodeURIComponent(t.token)}` });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toContain(`footfall_token_${t.ff.port}=`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const bad = await t.ff.app.inject({ method: 'GET', url: '/?token=nope' });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();
  });

  it('answers unknown routes with 404 and a detail', async () => {
    const r = await t.api('GET', '/api/nothing');
    expect(r.status).toBe(404);
    expect(r.body.detail).toContain('/api/nothing');
  });
});

describe('lists', () => {
  it('pages sessions with a cursor until next is null, newest first, without repeats', async () => {
    for (let i = 0; i < 7; i++) {
      await t.track(visit(t, `s${i}`, `p${i % 3}`));
      t.clock.advance(1000);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: { body: { items: Array<{ id: string }>; next: string | null } } = await t.api('GET', `/api/sessions?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.items.map((s) => s.id));
      cursor = r.body.next;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(['s6', 's5', 's4', 's3', 's2', 's1', 's0']);
  });

  it('filters sessions, profiles and events', async () => {
    await t.track(visit(t, 'a', 'P1'));
    t.clock.advance(1000);
    await t.track(visit(t, 'b', 'P2', 'logout'));
    await t.track(visit(t, 'c', 'P1', 'page-view', { options: { debugger: true } }));
    const active = (await t.api('GET', '/api/sessions?status=active&debug=false')).body.items.map((s: { id: string }) => s.id);
    expect(active).toEqual(['a']);
    const ended = (await t.api('GET', '/api/sessions?status=ended')).body.items.map((s: { id: string }) => s.id);
    expect(ended).toEqual(['b']);
    expect((await t.api('GET', '/api/sessions?profile=P1&debug=false')).body.items).toHaveLength(1);
    const from = new Date(t.clock.now()).toISOString();
    expect((await t.api('GET', `/api/sessions?from=${from}&debug=false`)).body.items.map((s: { id: string }) => s.id)).toEqual(['b']);
    const logouts = (await t.api('GET', '/api/events?type=logout')).body.items;
    expect(logouts).toHaveLength(1);
    expect(logouts[0]).toMatchObject({ type: 'logout', session: { id: 'b' }, profile: { id: 'P2' } });
    expect((await t.api('GET', '/api/events?profile=P1&system=false')).body.items).toHaveLength(2);
    expect((await t.api('GET', '/api/events?session=nope')).body).toEqual({ items: [], next: null });
    expect((await t.api('GET', '/api/profiles?sort=visits')).body.items.length).toBe(2);
  });

  it('refuses bad list parameters with 400 naming them', async () => {
    for (const [url, field] of [
      ['/api/sessions?limit=0', 'limit'],
      ['/api/sessions?limit=abc', 'limit'],
      ['/api/sessions?sort=DROP', 'sort'],
      ['/api/sessions?from=yesterday', 'from'],
      ['/api/sessions?status=maybe', 'status'],
      ['/api/sessions?cursor=bogus', 'cursor'],
      ['/api/events?debug=perhaps', 'debug'],
    ]) {
      const r = await t.api('GET', url!);
      expect(r.status, url).toBe(400);
      expect(r.body.detail, url).toContain(field);
    }
  });
});

describe('sources', () => {
  it('lists the default source, and adds, renames, disables and deletes others', async () => {
    const list = (await t.api('GET', '/api/sources')).body;
    expect(list.next).toBeNull();
    expect(list.items).toEqual([expect.objectContaining({ id: t.source, enabled: true, default: true })]);
    const c = await t.api('POST', '/api/sources', { name: 'Blog' });
    expect(c.status).toBe(201);
    const id = c.body.id as string;
    expect((await t.api('PATCH', `/api/sources/${id}`, { name: 'Blog (staging)' })).body.name).toBe('Blog (staging)');
    expect((await t.api('PATCH', `/api/sources/${id}`, { enabled: false })).body.enabled).toBe(false);
    expect((await t.track({ source: { id }, events: [{ type: 'x' }] })).status).toBe(401);
    expect((await t.api('DELETE', `/api/sources/${id}`)).status).toBe(204);
    expect((await t.api('DELETE', `/api/sources/${id}`)).status).toBe(404);
    expect((await t.api('DELETE', `/api/sources/${t.source}`)).status).toBe(409);
    expect((await t.api('POST', '/api/sources', { name: '' })).status).toBe(422);
    expect((await t.api('POST', '/api/sources', { name: 'x', id: t.source })).status).toBe(409);
  });
});

/** Reads `GET /api/live` into a list of messages. */
async function openLive(t: TestFootfall): Promise<{ messages: LiveMessage[]; close(): void }> {
  const messages: LiveMessage[] = [];
  const req = request({ host: '127.0.0.1', port: t.ff.port, path: '/api/live', headers: { authorization: `Bearer ${t.token}` } });
  await new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      expect(res.headers['content-type']).toContain('text/event-stream');
      let buf = '';
      res.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) messages.push(JSON.parse(data.slice(6)) as LiveMessage);
        }
      });
      resolve();
    });
    req.on('error', reject);
    req.end();
  });
  return { messages, close: () => req.destroy() };
}

describe('live stream', () => {
  it('sends session starts, events and ends as Server-Sent Events', async () => {
    const live = await openLive(t);
    const messages = live.messages;
    await t.track(visit(t, 'L1', 'P1'));
    await t.api('POST', '/api/sessions/L1/end');
    await until(() => messages.length >= 5, 2000);
    live.close();
    expect(messages.map((m) => (m.kind === 'event' ? m.event.type : m.kind))).toEqual(['session-started', 'profile-created', 'visit-started', 'page-view', 'visit-ended', 'session-ended']);
  });

  it('sends the newest of a sweep that ends many sessions at once, then says what it left out', async () => {
    await Promise.all(Array.from({ length: 250 }, (_, i) => t.track(visit(t, `bulk-${i}`, `bulk-p${i}`))));
    const live = await openLive(t);
    t.clock.advance(61_000);
    expect(await t.sweep()).toBe(250);
    await until(() => live.messages.some((m) => m.kind === 'skipped'), 2000);
    live.close();
    const kinds = live.messages.map((m) => m.kind);
    // One commit, sent at once: the last 200 of its 250 visit-ended events, the last 50 sessions it ended, then the count of the rest.
    expect(kinds).toEqual([...Array(LIVE_LIMITS.events).fill('event'), ...Array(LIVE_LIMITS.sessionsEnded).fill('session-ended'), 'skipped']);
    expect(live.messages.at(-1)).toEqual({ kind: 'skipped', events: 50, sessionsStarted: 0, sessionsEnded: 200 });
    const endedIds = live.messages.flatMap((m) => (m.kind === 'session-ended' ? [m.session.id] : []));
    const lastEvents = live.messages.flatMap((m) => (m.kind === 'event' ? [m.event] : []));
    expect(lastEvents.every((e) => e.type === 'visit-ended')).toBe(true);
    // The listed sessions are the ones ended last, and their visit-ended events are among those sent.
    expect(new Set(endedIds).size).toBe(50);
    const sentFor = new Set(lastEvents.map((e) => e.session.id));
    for (const id of endedIds) expect(sentFor.has(id)).toBe(true);
  });
});

describe('settings', () => {
  it('says which of them a flag or environment variable set at start (those win again at the next start)', async () => {
    // The test Footfall is started with --session-timeout and --sweep-interval.
    expect((await t.api('GET', '/api/settings')).body.fromFlags).toEqual(['sessionTimeout', 'sweepInterval']);
    const dir = mkdtempSync(join(tmpdir(), 'footfall-flags-'));
    const plain = await Footfall.start(loadConfig(['--port', '0', '--data-dir', dir], {}), { log: () => {} });
    try {
      const r = await plain.app.inject({ method: 'GET', url: '/api/settings', headers: { authorization: `Bearer ${plain.token}` } });
      expect(JSON.parse(r.payload).fromFlags).toEqual([]);
    } finally {
      await plain.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
