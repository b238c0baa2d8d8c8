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

export async function startTestFootfall(opts: { sessionTimeout?: number; dir?: string; clock?: FakeClock } = {}): Promise<TestFootfall> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'footfall-test-'));
  const clock = opts.clock ?? new FakeClock();
  const config = loadConfig(['--port', '0', '--data-dir', dir, '--session-timeout', String(opts.sessionTimeout ?? 1800), '--sweep-interval', '3600'], {});
  const ff = await Footfall.start(config, { clock, log: () => {} });
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
