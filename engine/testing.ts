import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { Footfall } from './app';
import { FakeClock } from './clock';
import { loadConfig } from './config';

/** A Footfall on a temporary data folder, a random port and a fake clock, for tests. */
export interface TestFootfall {
  ff: Footfall;
  clock: FakeClock;
  dir: string;
  source: string;
  token: string;
  // `any`: tests read JSON answers of many shapes and assert on their fields directly.
  /** POST /track with a JSON body; answers status and parsed JSON. */
  track(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Calls the admin API with the token. */
  api(method: InjectOptions['method'], url: string, payload?: unknown): Promise<{ status: number; body: any }>;
  /** Runs the sweeper to completion. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

export async function startTestFootfall(
  opts: { sessionTimeout?: number; dir?: string; clock?: FakeClock; log?: (msg: string) => void; /** More flags (`--forward URL`). */ args?: string[] } = {},
): Promise<TestFootfall> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'footfall-test-'));
  const clock = opts.clock ?? new FakeClock();
  const config = loadConfig(['--port', '0', '--data-dir', dir, '--session-timeout', String(opts.sessionTimeout ?? 1800), '--sweep-interval', '3600', ...(opts.args ?? [])], {});
  const ff = await Footfall.start(config, { clock, log: opts.log ?? (() => {}) });
  const parse = (payload: string): unknown => {
    try {
      return JSON.parse(payload);
    } catch {
      return payload;
    }
  };
  return {
    ff,
    clock,
    dir,
    source: ff.defaultSourceId,
    token: ff.token,
    async track(body, headers = {}) {
      const r = await ff.app.inject({
        method: 'POST',
        url: '/track',
        headers: { 'content-type': 'application/json', ...headers },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: r.statusCode, body: parse(r.payload) };
    },
    async api(method, url, payload) {
      const r = await ff.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ff.token}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
      });
      return { status: r.statusCode, body: parse(r.payload) };
    },
    async sweep() {
      return (await ff.sweeper.sweep()).ended;
    },
    async close() {
      await ff.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `cond()` holds, checking every 10 ms; throws after `ms`. */
export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`still waiting after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An HTTP answer read off a raw socket: status line, headers (lower-cased names), body. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `request` (bytes exactly as given, however broken) to a socket and reads the answer
 * until the server closes or the body's Content-Length is in. For requests node:http would
 * refuse to send: two Host headers, a bad chunk, Content-Length with Transfer-Encoding.
 */
export function sendRaw(port: number, text: string | Buffer): Promise<RawAnswer> {
  const request = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const head = request.subarray(0, 5).toString() === 'HEAD ';
    let buf = Buffer.alloc(0);
    const parse = (): RawAnswer | null => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const body = buf.subarray(end + 4);
      // A HEAD answer's Content-Length is that of the GET answer it stands for: no body follows.
      const length = head ? 0 : headers['content-length'] === undefined ? null : Number(headers['content-length']);
      if (length !== null && body.length < length) return null;
      return { status: Number(statusLine!.split(' ')[1]), headers, body: body.subarray(0, length ?? body.length).toString('utf8') };
    };
    const finish = () => {
      const a = parse();
      socket.destroy();
      if (a) resolve(a);
      else reject(new Error(`no complete answer to ${JSON.stringify(String(request).slice(0, 80))}: ${JSON.stringify(buf.toString('latin1').slice(0, 200))}`));
    };
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (parse()?.headers['content-length'] !== undefined) finish();
    });
    socket.on('end', finish);
    socket.on('error', (e) => (buf.length > 0 ? finish() : reject(e)));
    socket.setTimeout(5000, () => finish());
    socket.write(request);
  });
}
