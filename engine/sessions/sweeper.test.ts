import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { startTestFootfall, type TestFootfall } from '../testing';
import { DB_FILE } from '../db/database';
import { Sweeper } from './sweeper';
import { ENDING_EVENTS_SQL, ENDING_STRINGS_SQL, ENDING_UPDATE_SQL, PICK_EXPIRED_SQL } from './statements';

const open: TestFootfall[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function start(opts: Parameters<typeof startTestFootfall>[0] = {}) {
  const t = await startTestFootfall(opts);
  open.push(t);
  return t;
}

const visit = (t: TestFootfall, id: string) => ({ source: { id: t.source }, session: { id }, profile: { id: `p-${id}` }, events: [{ type: 'page-view' }] });

describe('the sweeper', () => {
  it('finds expired sessions through the partial index, not a table scan', async () => {
    const t = await start();
    const plan = t.ff.db.prepare(`EXPLAIN QUERY PLAN ${PICK_EXPIRED_SQL}`).all(0, 10) as Array<{ detail: string }>;
    const detail = plan.map((p) => p.detail).join(' ');
    expect(detail).toMatch(/USING (COVERING )?INDEX sessions_expiry/);
    expect(detail).not.toContain('TEMP B-TREE'); // read in index order, no sort
  });

  it('ends a chunk by looking up each of its sessions by key, never by scanning the sessions', async () => {
    const t = await start();
    // A table of many sessions, with statistics, is where a planner could prefer a scan.
    const db = t.ff.db;
    db.exec('ANALYZE');
    const statements: Array<[string, unknown[]]> = [
      [ENDING_EVENTS_SQL, [{ now: 0, reason: 'timeout', idPrefix: '', typeRef: 1 }]],
      [ENDING_STRINGS_SQL, []],
      [ENDING_UPDATE_SQL, ['timeout']],
    ];
    for (const [sql, params] of statements) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>)
        .map((p) => p.detail)
        .join(' | ');
      expect(plan).toMatch(/SEARCH (s|sessions) USING INTEGER PRIMARY KEY/);
      expect(plan).not.toMatch(/SCAN (s|sessions)\b/);
    }
  });

  it('ends only sessions idle longer than the timeout, each once', async () => {
    const t = await start({ sessionTimeout: 60 });
    await t.track(visit(t, 'a'));
    t.clock.advance(30_000);
    await t.track(visit(t, 'b'));
    t.clock.advance(30_000); // a: exactly 60 s idle — not longer than the timeout
    expect(await t.sweep()).toBe(0);
    t.clock.advance(1);
    expect(await t.sweep()).toBe(1);
    expect(await t.sweep()).toBe(0);
    expect((await t.api('GET', '/api/sessions/a')).body.metadata.status).toBe('ended');
    expect((await t.api('GET', '/api/sessions/b')).body.metadata.status).toBe('active');
  });

  it('ends thousands in chunks, giving the event loop back between them', async () => {
    const t = await start({ sessionTimeout: 60 });
    const batch = Array.from({ length: 3000 }, (_, i) => t.track(visit(t, `s${i}`)));
    await Promise.all(batch);
    t.clock.advance(61_000);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const r = await t.ff.sweeper.sweep();
    clearInterval(ticker);
    expect(r.ended).toBe(3000);
    expect(ticks).toBeGreaterThan(0); // the loop ran timers while the sweep was under way
    expect(t.ff.db.prepare("SELECT count(*) FROM events WHERE type = 'visit-ended'").pluck().get()).toBe(3000);
    expect(t.ff.db.prepare('SELECT sum(ended) FROM agg_sessions WHERE g = 0').pluck().get()).toBe(3000);
  });

  /**
   * 4,000 expired sessions swept by a sweeper whose stopwatch is the test's: ending a session
   * costs `msEach`, charged by a listener on each commit (like the Live view turning every
   * ended session into a message); everything else costs nothing. So the chunks it picks,
   * one per commit, are exact.
   */
  async function sweepAtCost(msEach: number) {
    const t = await start({ sessionTimeout: 60 });
    await Promise.all(Array.from({ length: 4000 }, (_, i) => t.track(visit(t, `s${i}`))));
    t.clock.advance(61_000);
    let elapsed = 0;
    const chunks: number[] = [];
    const off = t.ff.engine.onCommit((n) => {
      chunks.push(n.ended.length);
      elapsed += n.ended.length * msEach;
    });
    const sweeper = new Sweeper(t.ff.engine, { intervalSeconds: 3600, budgetMs: 15, chunk: 1000, stopwatch: () => elapsed });
    const r = await sweeper.sweep();
    off();
    return { ...r, chunks };
  }

  it('sizes its chunks to the budget by what a session has been costing (a listener on every commit)', async () => {
    const r = await sweepAtCost(1 / 16);
    expect(r.ended).toBe(4000);
    // The first chunk is small, to learn the cost; then as many as fill the 15 ms budget
    // (240), not the 1,000 allowed, which would hold the loop 62.5 ms in the listener alone.
    expect(r.chunks).toEqual([250, ...new Array<number>(15).fill(240), 150]);
    expect(r.maxBlockMs).toBe(250 / 16);
    expect(r.maxBlockMs).toBeLessThan(50);
  });

  it('ends several chunks in one stretch while they are cheap, up to the most allowed each', async () => {
    const r = await sweepAtCost(1 / 1024);
    expect(r.ended).toBe(4000);
    expect(r.chunks).toEqual([250, 1000, 1000, 1000, 750]);
    expect(r.maxBlockMs).toBe(4000 / 1024); // all of it in one stretch: under the budget
  });

  it('runs on its timer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-sweep-'));
    try {
      const t = await start({ dir, sessionTimeout: 60 });
      t.ff.sweeper.setInterval(0.02);
      await t.track(visit(t, 'x'));
      t.clock.advance(61_000);
      await new Promise((r) => setTimeout(r, 150));
      expect((await t.api('GET', '/api/sessions/x')).body.metadata.status).toBe('ended');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('catches up at start on sessions that expired while Footfall was closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-catchup-'));
    try {
      const clock = new FakeClock();
      const first = await startTestFootfall({ dir, clock, sessionTimeout: 60 });
      await first.track(visit(first, 'gone'));
      clock.advance(20_000);
      await first.track(visit(first, 'gone'));
      await first.close();
      clock.advance(3_600_000);
      const second = await start({ dir, clock, sessionTimeout: 60 });
      await second.ff.sweeper.sweep(); // the sweep started by start() may still be running: wait for it
      const s = (await second.api('GET', '/api/sessions/gone')).body;
      expect(s.metadata.status).toBe('ended');
      expect(s.metadata.time.duration).toBe(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deletes events older than the retention period', async () => {
    const t = await start({ sessionTimeout: 60 });
    await t.track(visit(t, 'old'));
    t.clock.advance(3 * 86_400_000);
    await t.track(visit(t, 'new'));
    await t.api('PATCH', '/api/settings', { retentionDays: 2 });
    await t.sweep();
    expect((await t.api('GET', '/api/sessions/old')).status).toBe(404);
    expect((await t.api('GET', '/api/events?session=new')).body.items.length).toBeGreaterThan(0);
    expect(t.ff.db.prepare('SELECT count(*) FROM agg_sessions WHERE g = 1').pluck().get()).toBe(1);
  });

  it('deletes the rollups of the buckets before the retention period a batch at a time, keeping the later ones', async () => {
    const t = await start({ sessionTimeout: 60 });
    const h = (pattern: string) => t.ff.db.prepare(`SELECT count(*) FROM agg_dims WHERE ${pattern}`).pluck().get() as number;
    // An hour apart: a bucket of agg_sessions each.
    for (let i = 0; i < 4; i++) {
      await t.track(visit(t, `old${i}`));
      t.clock.advance(3_600_000);
    }
    t.clock.advance(3 * 86_400_000);
    await t.track(visit(t, 'new'));
    await t.sweep();
    const cutoff = t.clock.now() - 2 * 86_400_000;
    const hour = Math.floor(cutoff / 3_600_000);
    const day = Math.floor(cutoff / 86_400_000);
    const old = `(g = 0 AND t < ${hour}) OR (g = 1 AND t < ${day})`;
    const before = { old: h(old), kept: h(`NOT (${old})`) };
    expect(before.old).toBeGreaterThan(6);
    expect(before.kept).toBeGreaterThan(0);
    const sessionsOld = t.ff.db.prepare(`SELECT count(*) FROM agg_sessions WHERE ${old}`).pluck().get() as number;
    const sessionsKept = t.ff.db.prepare(`SELECT count(*) FROM agg_sessions WHERE NOT (${old})`).pluck().get() as number;
    expect(sessionsOld).toBeGreaterThan(3);
    // Batches of at most 3 rows, agg_sessions' too (a month of hours is thousands of them).
    const batches: number[] = [];
    for (let n = 3; n >= 3; ) batches.push((n = t.ff.engine.deleteRollupsBefore(cutoff, 3)));
    expect(batches.length).toBeGreaterThan(2);
    expect(Math.max(...batches)).toBeLessThanOrEqual(3);
    expect(h(old)).toBe(0);
    expect(h(`NOT (${old})`)).toBe(before.kept);
    expect(t.ff.db.prepare(`SELECT count(*) FROM agg_sessions WHERE ${old}`).pluck().get()).toBe(0);
    expect(t.ff.db.prepare('SELECT count(*) FROM agg_sessions').pluck().get()).toBe(sessionsKept);
  });

  /** `n` visits of `events` page views each, ended, then three days later one more. */
  async function oldVisits(t: TestFootfall, n: number, events: number, props: Record<string, string> = {}) {
    for (let i = 0; i < n; i++) {
      const evs = Array.from({ length: events }, () => ({ type: 'page-view', properties: props }));
      await t.track({ source: { id: t.source }, session: { id: `old${i}` }, profile: { id: `p-old${i}` }, events: evs });
    }
    t.clock.advance(3 * 86_400_000);
    await t.track(visit(t, 'new'));
    await t.sweep(); // ends the old visits
    return t.clock.now() - 2 * 86_400_000;
  }

  it('deletes by events, not sessions: about `limit` events and session rows a call, and stops early when overdue', async () => {
    const t = await start({ sessionTimeout: 60 });
    // Each session: its 3 events (as its row counts them) and the row = 4 units.
    const cutoff = await oldVisits(t, 6, 3);
    const sessions = () => t.ff.db.prepare('SELECT count(*) FROM sessions').pluck().get() as number;
    expect(sessions()).toBe(7);
    // 6 units: two sessions (the second one takes it past 6).
    expect(t.ff.engine.deleteOlderThan(cutoff, 6)).toBe(8);
    expect(sessions()).toBe(5);
    // Overdue from the first session on: one session, whatever the limit.
    expect(t.ff.engine.deleteOlderThan(cutoff, 1000, () => true)).toBe(4);
    expect(sessions()).toBe(4);
    // The rest, caught up: fewer than asked.
    expect(t.ff.engine.deleteOlderThan(cutoff, 1000)).toBe(12);
    expect(sessions()).toBe(1);
  });

  it('starts retention with a small chunk and grows it at most fourfold a step', async () => {
    const t = await start({ sessionTimeout: 60 });
    await oldVisits(t, 40, 20);
    const limits: number[] = [];
    const engine = t.ff.engine;
    const real = engine.deleteOlderThan.bind(engine);
    engine.deleteOlderThan = (cutoff, limit, overdue) => {
      limits.push(limit);
      return real(cutoff, limit, overdue);
    };
    // A stopwatch that never moves: every chunk looks free, so only the growth limit holds it.
    const sweeper = new Sweeper(engine, { intervalSeconds: 3600, retentionDays: 2, stopwatch: () => 0 });
    await sweeper.sweep();
    expect(limits.slice(0, 3)).toEqual([64, 256, 1000]);
    expect(t.ff.db.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(1);
  });

  it('gives the space of what retention deleted back: the file shrinks', async () => {
    const t = await start({ sessionTimeout: 60 });
    // About 6 MB of events, nearly all of them older than the retention period.
    await oldVisits(t, 60, 50, { blob: 'x'.repeat(2000) });
    const db = t.ff.db;
    const size = () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      return statSync(join(t.dir, DB_FILE)).size;
    };
    const pagesBefore = db.pragma('page_count', { simple: true }) as number;
    const before = size();
    expect(before).toBeGreaterThan(5_000_000);
    await t.api('PATCH', '/api/settings', { retentionDays: 2 });
    await t.sweep();
    expect(db.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(1);
    expect(db.pragma('page_count', { simple: true })).toBeLessThan(pagesBefore / 3);
    expect(size()).toBeLessThan(before / 3);
  });

  it('ends a chunk exactly as ending each session alone does: rows, visit-ended events and rollups', async () => {
    // The sweeper ends sessions with set-based SQL; `endSessionById` ends one in JavaScript.
    // Both must write the same thing. One clock drives two Footfalls through the same visits.
    const clock = new FakeClock(Date.UTC(2026, 2, 1, 9, 30));
    const bySweep = await start({ clock, sessionTimeout: 3600 });
    const byOne = await start({ clock, sessionTimeout: 3600 });
    const chrome = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' };
    const bot = { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' };
    type Step = { after: number; type: string; url?: string; headers?: Record<string, string> };
    const page = (after: number, path: string, headers = chrome): Step => ({ after, type: 'page-view', url: `https://shop.test${path}`, headers });
    const visits: Record<string, Step[]> = {
      bounce: [page(0, '/?utm_source=mail')],
      twoPages: [page(0, '/'), page(3_000, '/products/a?ref=x#top')],
      exactlyTen: [page(0, '/about'), { after: 10_000, type: 'scroll' }],
      justUnderTen: [page(0, '/about'), { after: 9_999, type: 'scroll' }],
      keyEvent: [page(0, '/cart'), { after: 500, type: 'purchase' }],
      noPageView: [{ after: 0, type: 'scroll' }],
      long: [page(0, '/blog'), page(700_000, '/blog/post-1'), page(600_000, '/blog/post-2')],
      crawler: [page(0, '/', bot), page(45_000, '/sitemap', bot)],
    };
    for (const [id, steps] of Object.entries(visits)) {
      for (const step of steps) {
        clock.advance(step.after);
        const body = {
          source: { id: bySweep.source },
          session: { id },
          profile: { id: `p-${id}` },
          events: [{ type: step.type, ...(step.url ? { context: { page: { url: step.url } } } : {}) }],
        };
        for (const t of [bySweep, byOne]) {
          expect((await t.track({ ...body, source: { id: t.source } }, step.headers ?? chrome)).status).toBe(200);
        }
      }
      clock.advance(7_200_000); // past the timeout; the next visit starts in another hour bucket
    }
    expect(await bySweep.sweep()).toBe(Object.keys(visits).length);
    for (const id of Object.keys(visits)) expect(byOne.ff.engine.endSessionById(id, 'timeout')).toBe('ended');

    const read = (t: TestFootfall) => {
      const db = t.ff.db;
      return {
        sessions: db.prepare('SELECT id, status, started_at, last_at, ended_at, duration, end_reason, events, page_views, key_events, landing_page, exit_page FROM sessions ORDER BY id').all(),
        // The properties as stored, text for text: the same JSON either way.
        ended: (db.prepare(`SELECT s.id AS session, e.time, e.page_url, e.debug, e.system, e.properties AS json, e.context FROM events e JOIN sessions s ON s.pk = e.session_pk
            WHERE e.type = 'visit-ended' ORDER BY s.id`).all() as Array<{ session: string; page_url: string | null; json: string }>).map((e) => ({ ...e, properties: JSON.parse(e.json) })),
        aggSessions: db.prepare('SELECT * FROM agg_sessions ORDER BY g, t, cls').all(),
        aggDims: db.prepare('SELECT * FROM agg_dims ORDER BY dim, g, t, cls, value').all(),
      };
    };
    const a = read(bySweep);
    const b = read(byOne);
    expect(a.ended).toHaveLength(Object.keys(visits).length);
    expect(a).toEqual(b);
    // And what they agree on is right: a spot check of each rule.
    const props = Object.fromEntries(a.ended.map((e) => [e.session, e.properties]));
    expect(props.bounce).toEqual({ reason: 'timeout', duration: 0, events: 1, pageViews: 1, keyEvents: 0, engaged: false });
    expect([props.twoPages.engaged, props.exactlyTen.engaged, props.justUnderTen.engaged, props.keyEvent.engaged]).toEqual([true, true, false, true]);
    expect(props.long.duration).toBe(1300);
    const pageUrl = Object.fromEntries(a.ended.map((e) => [e.session, e.page_url]));
    expect(pageUrl.long).toBe('https://shop.test/blog/post-2'); // the exit page
    expect(pageUrl.noPageView).toBeNull();
    const dims = (dim: string) => (a.aggDims as Array<{ dim: string; g: number; value: string; cls: number; n: number }>).filter((d) => d.dim === dim && d.g === 1);
    const perValue = (dim: string) => {
      const out: Record<string, number> = {};
      for (const d of dims(dim)) out[`${d.value}:${d.cls}`] = (out[`${d.value}:${d.cls}`] ?? 0) + d.n;
      return out;
    };
    // 0, 3, 9.999, 0.5 and 0 s; 10 s; the crawler's 45 s (class 1, bots); 1,300 s.
    expect(perValue('duration')).toEqual({ '0-10s:0': 5, '10-30s:0': 1, '30-60s:1': 1, '10-30m:0': 1 });
    expect(dims('exit').find((d) => d.value.includes('post-2'))).toBeDefined();
  });
});
