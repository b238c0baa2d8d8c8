/**
 * The machine's ceiling for storing events: a bare better-sqlite3 loop, no HTTP, no
 * validation, no session logic, on Footfall's own schema and pragmas (`openDatabase`: WAL,
 * the same indexes), each transaction synced to disk at its commit (synchronous = FULL). Each transaction writes what one 100-event request
 * of the batch benchmark must: 100 event rows (the same columns and JSON as the tracker's
 * events), then the visit's session counters once (profiles hold no per-event counters).
 *
 *   node OUT/bench/sqlite-baseline.js DATA_DIR SECONDS
 *
 * Prints one JSON line: {"events": N, "seconds": S, "eventsPerSecond": R}.
 */
import { openDatabase } from '../engine/db/database';
import { newEventId } from '../engine/util/ids';
import { Visitors } from './payload';

interface Row {
  type: string;
  pageUrl: string | null;
  properties: string;
  context: string;
}

function main(): void {
  const [dataDir, secondsArg] = process.argv.slice(2);
  if (!dataDir || !secondsArg) throw new Error('usage: sqlite-baseline DATA_DIR SECONDS');
  const seconds = Number(secondsArg);
  const db = openDatabase(dataDir);
  // The plain way to make each transaction durable before the next: sync in the commit.
  // (Footfall reaches the same durability with an fsync of its own, off the event loop.)
  db.pragma('synchronous = FULL');
  const now = Date.now();
  db.prepare("INSERT INTO sources (id, name, enabled, is_default, created_at) VALUES ('bench', 'Bench', 1, 1, ?)").run(now);

  // Rows to write, made before the clock starts: this measures SQLite, not JSON.
  const visitors = new Visitors({ sourceId: 'bench', runId: 'sqlite', concurrentVisits: 1000, meanRequests: 2, seed: 5 });
  const rows: Row[] = [];
  for (let i = 0; i < 50; i++) {
    const payload = JSON.parse(visitors.nextBatch(100, now).body) as { events: Array<{ type: string; properties: unknown; context: { page: { url: string } } }> };
    for (const e of payload.events) rows.push({ type: e.type, pageUrl: e.context.page.url, properties: JSON.stringify(e.properties), context: JSON.stringify(e.context) });
  }
  const SESSIONS = 1000;
  const insertProfile = db.prepare('INSERT INTO profiles (id, created_at, updated_at) VALUES (?, ?, ?)');
  const insertSession = db.prepare(`INSERT INTO sessions (id, client_id, profile_pk, source_id, status, started_at, last_at)
    VALUES (?, ?, ?, 'bench', 0, ?, ?)`);
  db.transaction(() => {
    for (let i = 1; i <= SESSIONS; i++) {
      insertProfile.run(`p${i}`, now, now);
      insertSession.run(`s${i}`, `s${i}`, i, now, now);
    }
  })();

  // The rows as the engine stores them (migration 012): type and source as keys into
  // event_strings, the page URL and context inline (the bench's contexts never repeat).
  const key = new Map<string, number>();
  const insertString = db.prepare<[string]>('INSERT INTO event_strings (value) VALUES (?)');
  db.transaction(() => {
    for (const v of ['bench', ...new Set(rows.map((r) => r.type))]) key.set(v, Number(insertString.run(v).lastInsertRowid));
  })();
  const source = key.get('bench')!;
  const insertEvent = db.prepare(`INSERT INTO event_rows (id, type_ref, time, session_pk, profile_pk, source_ref, debug, system, page_url, properties, context)
    VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`);
  const updateSession = db.prepare('UPDATE sessions SET last_at = ?, events = events + ?, page_views = page_views + ?, exit_page = ? WHERE pk = ?');
  const write = db.transaction((pk: number, from: number) => {
    const t = Date.now();
    let views = 0;
    let last: Row | null = null;
    for (let i = 0; i < 100; i++) {
      const r = rows[(from + i) % rows.length]!;
      insertEvent.run(newEventId(t), key.get(r.type)!, t, pk, pk, source, r.pageUrl, r.properties, r.context);
      if (r.type === 'page-view') views++;
      last = r;
    }
    updateSession.run(t, 100, views, last?.pageUrl ?? null, pk);
  });

  let events = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    write(1 + ((events / 100) % SESSIONS), events);
    events += 100;
    if (events % 1000 === 0) elapsed = performance.now() - t0;
  }
  elapsed = performance.now() - t0;
  db.close();
  console.log(JSON.stringify({ events, seconds: elapsed / 1000, eventsPerSecond: events / (elapsed / 1000) }));
}

main();
