import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { startTestFootfall, type TestFootfall } from '../testing';

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
    const plan = t.ff.db.prepare('EXPLAIN QUERY PLAN SELECT * FROM sessions WHERE status = 0 AND debug = 0 AND last_at < ? ORDER BY last_at LIMIT ?').all(0, 10) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toContain('USING INDEX sessions_expiry');
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
});
