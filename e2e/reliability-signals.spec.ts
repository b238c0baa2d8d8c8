import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { startServer } from './server';
import { inconsistencies, startLoad, storedCounts } from './reliability-tools';

/**
 * SIGTERM and SIGINT under load: the server stops accepting, answers the requests in flight
 * once their events are committed, and exits 0. Afterwards the database holds exactly the
 * events that were answered 200: none lost, none stored without an answer.
 */

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} under load: in-flight requests answered after their commit, exit 0, nothing lost`, async () => {
    test.setTimeout(60_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'footfall-signal-'));
    try {
      const server = await startServer([], { dataDir });
      const load = startLoad({ url: server.url, source: server.source, sessions: Array.from({ length: 30 }, (_, i) => `s${i}`), workers: 24, prefix: signal });
      await new Promise((r) => setTimeout(r, 800));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => server.proc.once('exit', (code, sig) => r({ code, signal: sig })));
      load.stop();
      server.proc.kill(signal);
      const run = await load.done;
      const exit = await exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(server.output.join('\n')).toContain(`${signal}: stopping; committing what was accepted...`);
      expect(server.output.join('\n')).toContain('Footfall stopped.');
      expect(run.inFlightAtStop, 'requests in flight at the signal').toBeGreaterThan(0);
      expect(run.answeredAfterStop, 'requests answered 200 after the signal').toBeGreaterThan(0);
      // Whatever was not answered 200 was refused cleanly (closing) or never connected.
      for (const k of run.statuses.keys()) expect([200, 503, 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']).toContain(k);

      const db = new Database(join(dataDir, 'footfall.db'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const stored = db.prepare('SELECT id FROM events WHERE system = 0').pluck().all() as string[];
        const notOnce = [...storedCounts(db, run.acked.keys())].filter(([, n]) => n !== 1);
        expect(notOnce, 'acknowledged events not stored').toEqual([]);
        const unacknowledged = stored.filter((id) => !run.acked.has(id));
        expect(unacknowledged, 'events stored without a 200').toEqual([]);
        expect(inconsistencies(db)).toEqual([]);
        console.log(`${signal}: ${run.requests} requests, ${run.acked.size} events acknowledged and stored, ${run.inFlightAtStop} in flight at the signal, ${run.answeredAfterStop} answered after it; ${JSON.stringify([...run.statuses])}`);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
