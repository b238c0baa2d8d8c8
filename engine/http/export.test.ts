import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { seed } from '../seed';
import { startTestFootfall, type TestFootfall } from '../testing';
import { csvField } from './export-columns';

/** Export (`/api/export/{events,sessions,profiles}.{ndjson,csv}`) against the lists it exports. */

const UNTIL = Date.UTC(2026, 2, 10, 12, 0);
let dir: string;
let t: TestFootfall;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-export-'));
  await seed({ dataDir: dir, events: 4000, days: 10, seed: 11, until: UNTIL, sessionTimeout: 1800 });
  t = await startTestFootfall({ dir, clock: new FakeClock(UNTIL), sessionTimeout: 1800 });
}, 60_000);

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every item of a list, page after page, as the API answers them. */
async function everything(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = (await t.api('GET', `${path}${sep}limit=500${cursor ? `&cursor=${cursor}` : ''}`)).body as { items: unknown[]; next: string | null };
    out.push(...page.items);
    cursor = page.next;
  } while (cursor !== null);
  return out;
}

async function download(path: string) {
  const r = await t.ff.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${t.token}` } });
  return { status: r.statusCode, headers: r.headers, text: r.payload };
}

/** A CSV file's rows (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

describe('export', () => {
  for (const [kind, list] of [
    ['events', '/api/events'],
    ['sessions', '/api/sessions'],
    ['profiles', '/api/profiles'],
  ] as const) {
    it(`${kind}.ndjson is the list, item for item, over every page`, async () => {
      const want = await everything(list);
      expect(want.length).toBeGreaterThan(kind === 'events' ? 1000 : 100);
      const r = await download(`/api/export/${kind}.ndjson`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(r.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="footfall-${kind}-.*\\.ndjson"$`));
      expect(r.text.endsWith('\n')).toBe(true);
      expect(r.text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(want);
    });
  }

  it('takes the lists’ filters: traffic, type, a property, status, sort', async () => {
    const lines = async (path: string) => (await download(path)).text.trimEnd().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { id: string });
    for (const q of ['traffic=bot', 'type=add-to-cart', 'traffic=all&system=true', 'prop.product=wool-socks', 'traffic=debug']) {
      const want = await everything(`/api/events?${q}`);
      expect(want.length, q).toBeGreaterThan(0);
      expect(await lines(`/api/export/events.ndjson?${q}`), q).toEqual(want);
    }
    for (const q of ['status=ended&sort=duration&order=asc', 'traffic=bot,automation', 'device=mobile&channel=search']) {
      const want = await everything(`/api/sessions?${q}`);
      expect(want.length, q).toBeGreaterThan(0);
      expect(await lines(`/api/export/sessions.ndjson?${q}`), q).toEqual(want);
    }
    // Explore's filter chips (answered from its columns) narrow the download as they narrow the list.
    for (const q of ['filter=event_type:add-to-cart', 'filter=browser!:Chrome&filter=device:desktop&sort=events']) {
      const want = await everything(`/api/sessions?${q}`);
      expect(want.length, q).toBeGreaterThan(0);
      expect(want.length, q).toBeLessThan((await everything('/api/sessions')).length);
      expect(await lines(`/api/export/sessions.ndjson?${q}`), q).toEqual(want);
    }
    expect((await download('/api/export/sessions.ndjson?sort=nonsense')).status).toBe(400);
  });

  it('.csv has a header and one row an item, the same items as the list', async () => {
    const sessions = (await everything('/api/sessions?status=ended')) as Array<{ id: string; stats: { events: number }; context: { landingPage: string | null } }>;
    const r = await download('/api/export/sessions.csv?status=ended');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(r.text);
    expect(header!.slice(0, 5)).toEqual(['id', 'profile', 'source', 'status', 'traffic']);
    expect(rows.map((x) => x[0])).toEqual(sessions.map((s) => s.id));
    const col = (name: string) => header!.indexOf(name);
    expect(rows.map((x) => Number(x[col('events')]))).toEqual(sessions.map((s) => s.stats.events));
    expect(rows.map((x) => x[col('landing_page')])).toEqual(sessions.map((s) => s.context.landingPage ?? ''));

    const events = (await everything('/api/events?type=add-to-cart')) as Array<{ id: string; properties: unknown }>;
    const [eh, ...erows] = parseCsv((await download('/api/export/events.csv?type=add-to-cart')).text);
    expect(erows.map((x) => x[0])).toEqual(events.map((e) => e.id));
    expect(erows.map((x) => JSON.parse(x[eh!.indexOf('properties')]!) as unknown)).toEqual(events.map((e) => e.properties));
    const profiles = await everything('/api/profiles');
    expect(parseCsv((await download('/api/export/profiles.csv')).text)).toHaveLength(profiles.length + 1);
  });

  it('quotes what needs it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\nthen')).toBe('"say ""hi""\nthen"');
    expect(csvField({ a: [1, 'x,y'] })).toBe('"{""a"":[1,""x,y""]}"');
    expect(csvField(null)).toBe('');
    expect(csvField(false)).toBe('false');
  });
});
