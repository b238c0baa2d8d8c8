import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { startServer, type ServerHandle } from './server';
import { rebuildActiveSessions } from '../engine/sessions/counters';
import { DEFAULT_KEY_EVENT_TYPES } from '../shared/rules';
import { get, inconsistencies, post, startLoad, storedCounts, type SentRequest } from './reliability-tools';

/**
 * The built server under sustained load is killed with SIGKILL mid-stream, several times,
 * and restarted on the same data folder. Every event that was answered 200 must be stored
 * exactly once, the file must pass `PRAGMA integrity_check`, and sessions must be right:
 * those still within the timeout stay active and go on, those that expired while the server
 * was down are ended at the restart, and the sweeper ends the rest.
 */

const TIMEOUT_S = 4;
const SWEEP_S = 0.25;
const ROUNDS = 4;
const ARGS = ['--session-timeout', String(TIMEOUT_S), '--sweep-interval', String(SWEEP_S)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CrashedSession {
  id: string;
  lastAt: number;
  events: number;
}

/** Copies the database as the crash left it (file and WAL) and opens the copy, leaving the original for the restart. */
function openCrashCopy(dataDir: string): { db: Database.Database; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-crash-copy-'));
  for (const f of ['footfall.db', 'footfall.db-wal', 'footfall.db-shm']) {
    if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(dir, f));
  }
  const db = new Database(join(dir, 'footfall.db'));
  return {
    db,
    dispose() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function session(server: ServerHandle, id: string) {
  const r = await get(server.url, `/api/sessions/${encodeURIComponent(id)}`, { authorization: `Bearer ${server.token}` });
  expect(r.status, `GET /api/sessions/${id}: ${r.body}`).toBe(200);
  return JSON.parse(r.body) as { id: string; metadata: { status: string; endReason: string | null; time: { update: string; end: string | null } }; stats: { events: number } };
}

let dataDir = '';
let live: ServerHandle | null = null;
test.afterEach(async () => {
  // Also when the test failed half-way: no server left running, no folder left behind.
  if (live && live.proc.exitCode === null && live.proc.signalCode === null) live.proc.kill('SIGKILL');
  live = null;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('SIGKILL under load, restarted on the same folder, loses nothing acknowledged and keeps sessions right', async () => {
  test.setTimeout(180_000);
  dataDir = mkdtempSync(join(tmpdir(), 'footfall-crash-'));
  const acked = new Map<string, string>();
  let retries: SentRequest[] = [];
  let crashedActive: CrashedSession[] = [];
  const summary: string[] = [];

  /** After a restart: sessions active at the crash are ended if they expired meanwhile, else still active and go on. */
  const checkRestart = async (server: ServerHandle, spawnedAt: number) => {
    let ended = 0;
    let active = 0;
    let continued = false;
    for (const s of crashedActive) {
      const view = await session(server, s.id);
      expect(view.stats.events, `session ${s.id} after the restart`).toBe(s.events);
      if (s.lastAt + TIMEOUT_S * 1000 < spawnedAt) {
        // Expired while the server was down: ended by the sweep at start, at its last activity.
        expect(view.metadata.status, `${s.id} expired while down`).toBe('ended');
        expect(view.metadata.endReason).toBe('timeout');
        expect(view.metadata.time.end).toBe(new Date(s.lastAt).toISOString());
        ended++;
      } else if (s.lastAt + TIMEOUT_S * 1000 > Date.now() + 1000) {
        expect(view.metadata.status, `${s.id} is within the timeout`).toBe('active');
        active++;
        if (!continued) {
          // An event for it now continues the same visit, counted on top of what survived.
          const r = await post(server.url, '/track', JSON.stringify({ source: { id: server.source }, session: { id: s.id }, profile: { id: `P-${s.id}` }, events: [{ id: `${s.id}-after-restart`, type: 'click' }] }));
          expect(r.status).toBe(200);
          expect(JSON.parse(r.body).session.id).toBe(s.id);
          acked.set(`${s.id}-after-restart`, s.id);
          expect((await session(server, s.id)).stats.events).toBe(s.events + 1);
          continued = true;
        }
      }
    }
    // Retry what got no answer, as a tracker would: stored once, whether or not the killed
    // server had committed it before it died.
    for (const req of retries) {
      const r = await post(server.url, '/track', req.body);
      expect(r.status, r.body).toBe(200);
      for (const id of req.eventIds) acked.set(id, req.session);
    }
    return { ended, active, retried: retries.length };
  };

  for (let round = 0; round < ROUNDS; round++) {
    const spawnedAt = Date.now();
    const server = (live = await startServer(ARGS, { dataDir }));
    const restart = round > 0 ? await checkRestart(server, spawnedAt) : null;

    const load = startLoad({ url: server.url, source: server.source, sessions: Array.from({ length: 40 }, (_, i) => `r${round}-s${i}`), workers: 24, prefix: `r${round}` });
    await sleep(700 + Math.floor(Math.random() * 900));
    const exited = new Promise<NodeJS.Signals | null>((r) => server.proc.once('exit', (_code, signal) => r(signal)));
    load.stop();
    server.proc.kill('SIGKILL');
    const run = await load.done;
    expect(await exited).toBe('SIGKILL');
    expect(run.inFlightAtStop, 'requests in flight when the server was killed').toBeGreaterThan(0);
    expect(run.acked.size, "events acknowledged before the kill").toBeGreaterThan(20);

    // The database as the crash left it.
    const { db, dispose } = openCrashCopy(dataDir);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = storedCounts(db, run.acked.keys());
      const notOnce = [...stored].filter(([, n]) => n !== 1);
      expect(notOnce, 'acknowledged events not stored exactly once').toEqual([]);
      const misplaced = db
        .prepare('SELECT w.id, s.client_id FROM wanted w JOIN events e ON e.id = w.id JOIN sessions s ON s.pk = e.session_pk')
        .all()
        .filter((r) => run.acked.get((r as { id: string }).id) !== (r as { client_id: string }).client_id);
      expect(misplaced, 'events stored in another session than the one they were sent with').toEqual([]);
      // Active sessions' counters are written in batches and rebuilt from the events when a
      // crashed folder is opened: do what the restart does, then everything must agree.
      rebuildActiveSessions(db, DEFAULT_KEY_EVENT_TYPES);
      expect(inconsistencies(db)).toEqual([]);
      crashedActive = db.prepare('SELECT id, last_at AS lastAt, events FROM sessions WHERE status = 0 AND debug = 0').all() as CrashedSession[];
      const unackedStored = [...storedCounts(db, run.unanswered.flatMap((r) => r.eventIds)).values()].filter((n) => n > 0).length;
      summary.push(
        `round ${round + 1}: ${run.requests} requests, ${run.acked.size} events acknowledged, ${run.inFlightAtStop} in flight at the kill ` +
          `(${unackedStored} of their events committed unanswered), ${crashedActive.length} sessions active at the crash` +
          (restart ? `; after the restart ${restart.active} still active, ${restart.ended} ended by the catch-up sweep, ${restart.retried} requests retried` : ''),
      );
    } finally {
      dispose();
    }
    for (const [id, s] of run.acked) acked.set(id, s);
    retries = run.unanswered;
    // Every other round the server stays down past the session timeout: its sessions expire meanwhile.
    if (round % 2 === 1) await sleep(TIMEOUT_S * 1000 + 300);
  }

  // A last restart: retries, then the sweeper ends every session, then a clean stop.
  const spawnedAt = Date.now();
  const server = (live = await startServer(ARGS, { dataDir }));
  const last = await checkRestart(server, spawnedAt);
  summary.push(`final restart: ${last.active} still active, ${last.ended} ended by the catch-up sweep, ${last.retried} requests retried`);
  await expect
    .poll(async () => JSON.parse((await get(server.url, '/api/sessions?status=active&debug=false&limit=5', { authorization: `Bearer ${server.token}` })).body).items.length, {
      timeout: (TIMEOUT_S + 5) * 1000,
      message: 'the sweeper ends every idle session',
    })
    .toBe(0);
  expect(await server.stop('SIGTERM')).toBe(0);

  const db = new Database(join(dataDir, 'footfall.db'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const notOnce = [...storedCounts(db, acked.keys())].filter(([, n]) => n !== 1);
    expect(notOnce, 'acknowledged events not stored exactly once').toEqual([]);
    expect(inconsistencies(db)).toEqual([]);
    expect(db.prepare("SELECT count(*) FROM sessions WHERE status != 1 OR end_reason != 'timeout'").pluck().get()).toBe(0);
    summary.push(`in all: ${acked.size} acknowledged events, each stored once; ${db.prepare('SELECT count(*) FROM sessions').pluck().get()} sessions, all ended by the sweeper`);
  } finally {
    db.close();
  }
  console.log(summary.join('\n'));
});
