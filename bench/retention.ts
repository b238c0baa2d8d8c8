import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from './load';
import { paced } from './pace';
import { Visitors } from './payload';
import { startChild } from './proc';
import type { RetentionReport } from './retention-server';

export interface RetentionMeasured {
  fields: Record<string, number>;
  rows: Array<[metric: string, value: string, target: string, met: boolean | null]>;
  notes: string[];
}

export interface RetentionOptions {
  /** The built helpers' folder (OUT/bench, with retention-server.js). */
  helpers: string;
  /** A seeded data folder (`seed --days D`); it is copied, never changed. */
  seeded: string;
  /** The days the seed spans (default 365): retention keeps `days - dropDays`. */
  days?: number;
  /** How many of the oldest days retention deletes (default 30). */
  dropDays?: number;
  /** /track requests a second meanwhile (default 200). */
  rate?: number;
  log?: (m: string) => void;
}

function patch(url: string, token: string, path: string, body: unknown): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const mb = (b: number) => (b / 1024 / 1024).toFixed(1);

/**
 * Retention deleting the oldest month of a seeded history while the collector takes steady
 * load: the longest event-loop stall of the server meanwhile, the collector's latency, what
 * went, how long it took, and the database file before and after (log checkpointed).
 */
export async function measureRetention(o: RetentionOptions): Promise<RetentionMeasured> {
  const log = o.log ?? ((m: string) => console.error(m));
  const days = o.days ?? 365;
  const dropDays = o.dropDays ?? 30;
  const rate = o.rate ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'footfall-bench-retention-'));
  const child = (() => {
    log(`copying ${o.seeded}`);
    cpSync(o.seeded, dir, { recursive: true, filter: (src) => !src.endsWith('footfall.lock') });
    return startChild([join(o.helpers, 'retention-server.js'), dir], { ipc: true });
  })();
  try {
    // A first start converts an old database to incremental auto-vacuum (one VACUUM): give it time.
    const m = await child.waitFor(/listening on (\S+) source (\S+) token (\S+)/, 900_000);
    const conversion = child.output.find((l) => /^Converted the database/.test(l));
    const [url, source, token] = [m[1]!, m[2]!, m[3]!];
    const visitors = new Visitors({ sourceId: source, runId: 'retention-load' });
    const during: Array<[due: number, ms: number]> = [];
    const loadStart = performance.now();
    const probe = paced({ url, path: '/track', rate, seconds: 1800, connections: 50, body: () => visitors.next(), onResponse: (due, ms) => during.push([due, ms]) });
    await new Promise((r) => setTimeout(r, 1500));
    // The server says 'done' when retention and explore's catch-up are over, then, once told
    // the load has stopped, counts what is left and sends its report.
    const messages: unknown[] = [];
    let wake = () => {};
    child.proc.on('message', (m) => {
      messages.push(m);
      wake();
    });
    const nextMessage = async (): Promise<unknown> => {
      while (messages.length === 0) await new Promise<void>((r) => (wake = r));
      return messages.shift();
    };
    const start = performance.now() - loadStart;
    const status = await patch(url, token, '/api/settings', { retentionDays: days - dropDays });
    if (status !== 200) throw new Error(`PATCH /api/settings answered ${status}`);
    if ((await nextMessage()) !== 'done') throw new Error('the retention server sent its report before saying it was done');
    const end = performance.now() - loadStart;
    await new Promise((r) => setTimeout(r, 500));
    probe.stop();
    const result = await probe.done;
    child.proc.send('stopped');
    const report = (await nextMessage()) as RetentionReport;
    if (result.failed > 0) throw new Error(`collector during retention: ${result.failed} of ${result.sent} requests failed`);
    const inside = during.filter(([due]) => due >= start && due <= end).map(([, ms]) => ms);
    const p99 = percentile(inside, 99);
    const maxLat = Math.max(0, ...inside);
    const deleted = report.eventsBefore - report.eventsAfter;
    log(
      `retention: ${deleted} events (${report.sessionsDeleted} sessions) in ${report.retentionMs.toFixed(0)} ms; longest event-loop stall ${report.loopMaxMs.toFixed(1)} ms ` +
        `(sweeper slice ${report.sliceMaxMs.toFixed(1)} ms, longest transaction ${report.txMaxMs.toFixed(1)} ms of ${report.transactions}, ${report.txMaxCommitMs.toFixed(1)} ms of it in COMMIT; longest COMMIT ${report.txCommitMaxMs.toFixed(1)} ms); ` +
        `collector p99 ${p99.toFixed(0)} ms, max ${maxLat.toFixed(0)} ms; file ${mb(report.fileBefore)} -> ${mb(report.fileAfter)} MB (auto_vacuum ${report.autoVacuum}, ${report.freePagesAfter} free pages)`,
    );
    log(`  explore caught up afterwards in ${report.exploreMs.toFixed(0)} ms, longest stall ${report.exploreLoopMaxMs.toFixed(1)} ms`);
    log(`  resident memory ${report.rssBeforeMb.toFixed(0)} MB before, at most ${report.rssMaxMb.toFixed(0)} MB until explore caught up`);
    for (const [name, st] of Object.entries(report.steps)) log(`  ${name}: ${st.count} steps, ${st.units} units, longest ${st.maxMs.toFixed(1)} ms (CPU ${st.cpuMsAtMax.toFixed(1)} ms; ${st.unitsAtMax} units)`);
    return {
      fields: {
        retention_deleted_events: deleted,
        retention_ms: Math.round(report.retentionMs),
        retention_max_block_ms: Math.round(report.loopMaxMs * 10) / 10,
        retention_collector_max_ms: Math.round(maxLat),
        retention_explore_max_block_ms: Math.round(report.exploreLoopMaxMs * 10) / 10,
        retention_file_before_bytes: report.fileBefore,
        retention_file_after_bytes: report.fileAfter,
      },
      rows: [
        ['retention_max_block_ms', `${report.loopMaxMs.toFixed(1)} ms`, '≤ 50 ms', report.loopMaxMs <= 50],
        ['retention_explore_max_block_ms', `${report.exploreLoopMaxMs.toFixed(1)} ms`, '≤ 50 ms', report.exploreLoopMaxMs <= 50],
        ['retention_file_after', `${mb(report.fileBefore)} → ${mb(report.fileAfter)} MB`, 'falls', report.fileAfter < report.fileBefore],
      ],
      notes: [
        `- Retention: retentionDays set to ${days - dropDays} on a ${days}-day history of ${report.eventsBefore.toLocaleString('en')} events through the settings API, while the collector was sent ${rate} req/s (paced, open loop); ` +
          `it deleted ${deleted.toLocaleString('en')} events and ${report.sessionsDeleted.toLocaleString('en')} sessions in ${report.retentionMs.toFixed(0)} ms, with rollups and the space given back. ` +
          `Longest event-loop stall (1 ms timer) ${report.loopMaxMs.toFixed(1)} ms, p99 ${report.loopP99Ms.toFixed(1)} ms; the sweeper's longest slice ${report.sliceMaxMs.toFixed(1)} ms; longest write transaction ${report.txMaxMs.toFixed(1)} ms of ${report.transactions} (${report.txMaxCommitMs.toFixed(1)} ms of it in COMMIT; the longest COMMIT ${report.txCommitMaxMs.toFixed(1)} ms). ` +
          `Requests due meanwhile: ${inside.length}, latency from when due p99 ${p99.toFixed(0)} ms, max ${maxLat.toFixed(0)} ms. ` +
          `Explore then caught up with the deletion in ${report.exploreMs.toFixed(0)} ms, longest stall ${report.exploreLoopMaxMs.toFixed(1)} ms; resident memory ${report.rssBeforeMb.toFixed(0)} MB before retention, at most ${report.rssMaxMb.toFixed(0)} MB until explore caught up. ` +
          `Steps: ${Object.entries(report.steps).map(([k, st]) => `${k} ${st.count}, longest ${st.maxMs.toFixed(1)} ms (CPU ${st.cpuMsAtMax.toFixed(1)} ms)`).join('; ')}. ` +
          `File (log checkpointed) ${mb(report.fileBefore)} MB before, ${mb(report.fileAfter)} MB after.${conversion ? ` At start: ${conversion}` : ''}`,
      ],
    };
  } finally {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
