import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Footfall } from '../app';
import { FakeClock } from '../clock';
import { loadConfig } from '../config';
import { sendRaw } from '../testing';
import { WRITE_ROUTES } from '../../e2e/write-routes';
import { tokenMatches } from './auth';

/**
 * Walks every route the server registers and checks who may call it. A route added later
 * without the token check fails here, not in a user's browser.
 */

interface Route {
  method: string;
  path: string;
}

/**
 * The routes of `printRoutes({ commonPrefix: false })`: a tree whose lines are
 * `├── segment (GET, HEAD)`, each segment relative to the line above it one level up.
 */
export function parseRoutes(tree: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack.push(path);
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) routes.push({ method, path });
  }
  return routes;
}

interface Answer {
  status: number;
  body: string;
}

/** A request over a real socket: the raw path reaches the server as written (no URL normalising). */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        // The live stream never ends on its own: its head is the answer.
        res.destroy();
        return resolve({ status: res.statusCode!, body: '' });
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${path}: no answer within 5 s`)));
    req.end();
  });
}

let ff: Footfall;
let dir: string;
let routes: Route[];
const STATIC_FILES = ['/index.html', '/assets/app.js', '/favicon.svg'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-routes-'));
  // A stand-in for the built dashboard, so its static routes are registered and walked too.
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Footfall</title><script src="/assets/app.js"></script>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(renderer, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const config = loadConfig(['--port', '0', '--data-dir', join(dir, 'data'), '--sweep-interval', '3600'], {});
  ff = await Footfall.start(config, { clock: new FakeClock(), rendererDir: renderer, log: () => {} });
  routes = parseRoutes(ff.app.printRoutes({ commonPrefix: false }));
});

afterAll(async () => {
  await ff.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Routes anyone may call: the collector, the tracker, the health check, the dashboard page and its files. */
function isPublicRoute(r: Route): boolean {
  if (r.path === '/track' && (r.method === 'POST' || r.method === 'OPTIONS')) return true;
  if (r.path.startsWith('/tracker') && (r.method === 'GET' || r.method === 'HEAD')) return true;
  if ((r.path === '/health' || r.path === '/' || STATIC_FILES.includes(r.path)) && (r.method === 'GET' || r.method === 'HEAD')) return true;
  return false;
}

const concrete = (path: string) => path.replace(/:\w+/g, 'x').replace(/\*/g, 'x');

describe('every registered route', () => {
  it('is found by the walk (the list is not empty or misread)', () => {
    const has = (method: string, path: string) => routes.some((r) => r.method === method && r.path === path);
    expect(has('POST', '/track')).toBe(true);
    expect(has('GET', '/tracker/liliput.min.js')).toBe(true);
    expect(has('POST', '/api/sessions/:id/end')).toBe(true);
    expect(has('GET', '/api/live')).toBe(true);
    expect(has('GET', '/assets/app.js')).toBe(true);
    expect(routes.filter((r) => !isPublicRoute(r)).length).toBeGreaterThanOrEqual(20);
  });

  it('that changes something is attacked by the cross-port CSRF test (e2e/write-routes.ts)', () => {
    const writes = routes.filter((r) => !isPublicRoute(r) && !['GET', 'HEAD', 'OPTIONS'].includes(r.method)).map((r) => `${r.method} ${r.path}`);
    expect(writes.length).toBeGreaterThanOrEqual(5);
    expect(writes.sort()).toEqual(WRITE_ROUTES.map((w) => `${w.method} ${w.route}`).sort());
  });

  it('answers 401 with a detail without the token, except the public ones', async () => {
    const open: string[] = [];
    for (const r of routes) {
      const a = await raw(ff.port, r.method, concrete(r.path));
      if (isPublicRoute(r)) {
        expect(a.status, `${r.method} ${r.path}`).not.toBe(401);
        continue;
      }
      if (a.status !== 401) open.push(`${r.method} ${r.path} → ${a.status}`);
      else if (r.method !== 'HEAD') expect(JSON.parse(a.body).detail, `${r.method} ${r.path}`).toMatch(/token/);
    }
    expect(open, 'routes answering without the admin token').toEqual([]);
  });

  it('answers 401 to a wrong token, by header or by cookie', async () => {
    for (const r of routes.filter((x) => !isPublicRoute(x))) {
      const wrong: Array<Record<string, string>> = [{ authorization: 'Bearer wrong' }, { authorization: `Bearer ${ff.token}x` }, { cookie: `footfall_token_${ff.port}=${ff.token.slice(1)}` }];
      for (const headers of wrong) {
        expect((await raw(ff.port, r.method, concrete(r.path), headers)).status, `${r.method} ${r.path}`).toBe(401);
      }
    }
  });

  it('lets the token through on every admin route (so the 401s above are about the token)', async () => {
    for (const r of routes.filter((x) => !isPublicRoute(x))) {
      const a = await raw(ff.port, r.method, concrete(r.path), { authorization: `Bearer ${ff.token}` });
      expect([401, 403], `${r.method} ${r.path} → ${a.status}`).not.toContain(a.status);
    }
  });

  it('refuses a foreign Host on everything but the collector, even with the token (DNS rebinding)', async () => {
    for (const r of routes) {
      const collector = r.path === '/track' || r.path.startsWith('/tracker') || r.path === '/health';
      const a = await raw(ff.port, r.method, concrete(r.path), { host: `rebind.evil.test:${ff.port}`, authorization: `Bearer ${ff.token}` });
      if (collector) expect(a.status, `${r.method} ${r.path}`).not.toBe(403);
      else expect(a.status, `${r.method} ${r.path}`).toBe(403);
    }
  });

  it('cannot be reached without the token by spelling its path differently', async () => {
    const admin = routes.filter((r) => !isPublicRoute(r) && r.method === 'GET');
    const leaks: string[] = [];
    for (const r of admin) {
      const p = concrete(r.path);
      const variants = [
        p.replace('/api', '/%61pi'), // percent-encoded letters decode to the same route
        p.replace('/api/', '/api/%') + '', // a broken escape
        p.replace(/\/(\w)/g, (_, c: string) => `/%${c.charCodeAt(0).toString(16).toUpperCase()}`),
        `${p}/`,
        `/track/..${p}`,
        `/tracker/../..${p}`,
        `/health/..${p}`,
        `/track%2f..${p}`,
        `${p}?token=${encodeURIComponent(ff.token)}`, // the dashboard's URL token is for `/` only
        `${p}#x`,
      ];
      for (const v of variants) {
        const a = await raw(ff.port, 'GET', v);
        if (a.status < 400) leaks.push(`GET ${v} → ${a.status}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

/** Every query parameter name a route of Footfall reads, and a few it does not. */
const PARAM_NAMES = ['token', 'limit', 'cursor', 'order', 'sort', 'from', 'to', 'tz', 'interval', 'dim', 'status', 'session', 'profile', 'type', 'debug', 'bots', 'bot', 'system', 'source', 'device', 'channel', 'browser', 'os', 'traffic', 'wait', 'min', 'x'];
const collectorRoute = (r: Route) => r.path === '/track' || r.path.startsWith('/tracker') || r.path === '/health';
const detailOf = (a: Answer): string => (JSON.parse(a.body) as { detail: string }).detail;
/** Parameters a route cannot answer without, so that a walk reaches the one it varies. */
const REQUIRED: Record<string, string> = { '/api/stats/breakdown': 'dim=browser&' };
const withQuery = (r: Route, q: string) => `${concrete(r.path)}?${REQUIRED[r.path] ?? ''}${q}`;

describe('query parameters', () => {
  it('a repeated one answers 400 naming it on every admin route, never a 5xx anywhere', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      for (const name of PARAM_NAMES) {
        for (const auth of [{}, { authorization: `Bearer ${ff.token}` }] as Array<Record<string, string>>) {
          const value = name === 'token' ? encodeURIComponent(ff.token) : '1';
          const a = await raw(ff.port, r.method, `${concrete(r.path)}?${name}=${value}&${name}=${value}`, auth);
          const what = `${r.method} ${r.path} ?${name}× → ${a.status} ${a.body.slice(0, 120)}`;
          const reads = r.path.startsWith('/api/') || (r.path === '/' && name === 'token');
          if (a.status >= 500) wrong.push(what);
          else if (reads && (a.status !== 400 || (r.method !== 'HEAD' && !detailOf(a).includes(`"${name}"`)))) wrong.push(what);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the dashboard link with its token twice is a 400, and no cookie', async () => {
    const t = encodeURIComponent(ff.token);
    const a = await raw(ff.port, 'GET', `/?token=${t}&token=${t}`);
    expect(a.status).toBe(400);
    expect(detailOf(a)).toContain('"token"');
    expect(a.body).not.toContain(ff.token);
  });

  it('a time outside 1970..9999 answers 400 naming it on every route that reads it, never a 5xx', async () => {
    const auth = { authorization: `Bearer ${ff.token}` };
    const OUT = ['8640000000000000', '8640000000000001', '99999999999999999999', '+275760-09-13T00:00:00.000Z', '+010000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z', '253402300800000'];
    const wrong: string[] = [];
    for (const r of routes.filter((x) => x.method === 'GET' && !isPublicRoute(x))) {
      for (const name of ['from', 'to']) {
        // Does the route read this parameter as a time? Then it refuses one that is not a time.
        const probe = await raw(ff.port, 'GET', withQuery(r, `${name}=yesterday`), auth);
        const reads = probe.status === 400 && detailOf(probe).includes(name);
        for (const v of OUT) {
          const other = name === 'from' ? `&to=${encodeURIComponent(v)}` : '';
          const a = await raw(ff.port, 'GET', withQuery(r, `${name}=${encodeURIComponent(v)}${other}`), auth);
          const what = `${r.path}?${name}=${v} → ${a.status} ${a.body.slice(0, 120)}`;
          if (a.status >= 500) wrong.push(what);
          else if (reads && (a.status !== 400 || !detailOf(a).includes(name))) wrong.push(what);
        }
        // The edges themselves are times.
        for (const v of ['0', '253402300799999', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
          const a = await raw(ff.port, 'GET', withQuery(r, `${name}=${encodeURIComponent(v)}`), auth);
          if (a.status >= 500 || (a.status === 400 && /1970|9999|not a time/.test(a.body))) wrong.push(`${r.path}?${name}=${v} → ${a.status} ${a.body.slice(0, 120)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // And the walk did find the routes that read times.
    const stats = await raw(ff.port, 'GET', '/api/stats/overview?from=8640000000000000&to=8640000003600000', auth);
    expect(stats.status).toBe(400);
    expect(detailOf(stats)).toMatch(/^from: .*1970.*9999/);
  });
});

describe('the Host header', () => {
  const MALFORMED = (port: number) => [`localhost:${port}@evil`, `localhost:${port}.evil.test`, `127.0.0.1:${port}.evil.test`, '[::1].evil.test', 'localhost:evil.test', `localhost:${port}:1`, `localhost :${port}`, `localhost:${port}/x`, 'localhost:', `127.0.0.1:99999`, ''];

  it('is parsed strictly: anything but name[:port] is a 400 on every admin and dashboard route, even with the token', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      for (const host of MALFORMED(ff.port)) {
        const a = await sendRaw(ff.port, `${r.method} ${concrete(r.path)} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${ff.token}\r\nConnection: close\r\n\r\n`);
        const what = `${r.method} ${r.path} Host ${JSON.stringify(host)} → ${a.status} ${a.body.slice(0, 100)}`;
        if (a.status >= 500) wrong.push(what);
        else if (collectorRoute(r)) {
          if (a.status === 400 || a.status === 403) wrong.push(what);
        } else if (a.status !== 400 || (r.method !== 'HEAD' && !a.body.includes('"detail"'))) wrong.push(what);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('must be one header: two are a 400 on the admin API and the dashboard', async () => {
    for (const path of ['/api/info', '/']) {
      const a = await sendRaw(ff.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${ff.port}\r\nHost: evil.test\r\nAuthorization: Bearer ${ff.token}\r\nConnection: close\r\n\r\n`);
      expect(a.status, path).toBe(400);
      expect(detailOf(a), path).toContain('2 Host headers');
    }
    const ok = await sendRaw(ff.port, `GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:${ff.port}\r\nAuthorization: Bearer ${ff.token}\r\nConnection: close\r\n\r\n`);
    expect(ok.status).toBe(200);
  });
});

describe('the token', () => {
  it('is compared in constant time over hashes: equal only when equal, any length', () => {
    expect(tokenMatches(ff.token, ff.token)).toBe(true);
    for (const other of ['', 'x', ff.token.slice(0, -1), `${ff.token} `, ff.token.toUpperCase(), 'a'.repeat(10_000)]) {
      expect(tokenMatches(other, ff.token)).toBe(false);
    }
  });

  it('is never echoed in an answer', async () => {
    const r = await raw(ff.port, 'GET', '/api/info', { authorization: `Bearer ${ff.token}` });
    expect(r.status).toBe(200);
    expect(r.body).not.toContain(ff.token);
    const bad = await raw(ff.port, 'GET', '/api/info', { authorization: `Bearer ${ff.token}x` });
    expect(bad.body).not.toContain(ff.token);
  });
});
