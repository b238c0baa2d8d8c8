import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Footfall } from '../app';
import { FakeClock } from '../clock';
import { loadConfig } from '../config';
import { startTestFootfall } from '../testing';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('GET /tracker/liliput.min.js', () => {
  it('answers 404 saying how to build it where the tracker is not built, with CORS so a page can read why', async () => {
    const t = await startTestFootfall();
    cleanups.push(() => t.close());
    const r = await t.ff.app.inject({ method: 'GET', url: '/tracker.js' });
    expect(r.statusCode).toBe(404);
    expect(JSON.parse(r.payload).detail).toMatch(/npm run build/);
    expect(r.headers['access-control-allow-origin']).toBe('*');
  });

  it('serves the built file and a rebuild at once, without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-tracker-'));
    const file = join(dir, 'liliput.min.js');
    writeFileSync(file, 'console.info("v1")');
    const config = loadConfig(['--port', '0', '--data-dir', join(dir, 'data'), '--sweep-interval', '3600'], {});
    const ff = await Footfall.start(config, { clock: new FakeClock(), trackerFile: file, log: () => {} });
    cleanups.push(async () => {
      await ff.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const first = await ff.app.inject({ method: 'GET', url: '/tracker/liliput.min.js' });
    expect(first.statusCode).toBe(200);
    expect(first.payload).toBe('console.info("v1")');
    expect(first.headers['content-type']).toBe('text/javascript; charset=utf-8');

    writeFileSync(file, 'console.info("version 2")');
    const second = await ff.app.inject({ method: 'GET', url: '/tracker.js', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(second.statusCode).toBe(200);
    expect(second.payload).toBe('console.info("version 2")');
    expect(second.headers.etag).not.toBe(first.headers.etag);
  });

  it('is found beside the dashboard folder by default (the desktop app passes only that)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-tracker-'));
    mkdirSync(join(dir, 'out', 'renderer'), { recursive: true });
    mkdirSync(join(dir, 'out', 'tracker'), { recursive: true });
    writeFileSync(join(dir, 'out', 'tracker', 'liliput.min.js'), '/*tracker*/');
    const config = loadConfig(['--port', '0', '--data-dir', join(dir, 'data'), '--sweep-interval', '3600'], {});
    const ff = await Footfall.start(config, { clock: new FakeClock(), rendererDir: join(dir, 'out', 'renderer'), log: () => {} });
    cleanups.push(async () => {
      await ff.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const r = await ff.app.inject({ method: 'GET', url: '/tracker/liliput.min.js' });
    expect(r.payload).toBe('/*tracker*/');
  });
});
