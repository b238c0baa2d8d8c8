import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sweeper } from './sweeper';
import type { SessionEngine } from './engine';
import { until } from '../testing';

/**
 * A sweep that fails (the disk is full) must not take the process down: in plain Node an
 * unhandled rejection ends it, and the timer-driven sweeps have nobody awaiting them.
 */
describe('the sweeper on a failing disk', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('reports each failed sweep, keeps its timer, and ends the sessions once the disk has room', async () => {
    let full = true;
    let ended = 0;
    const engine = {
      sweepChunk: (limit: number) => {
        if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        const n = Math.min(limit, 3 - ended);
        ended += n;
        return n;
      },
      now: () => 0,
      deleteOlderThan: () => 0,
    } as unknown as SessionEngine;
    const errors: unknown[] = [];
    const sweeper = new Sweeper(engine, { intervalSeconds: 0.01, onError: (e) => errors.push(e) });
    // Started the way the app starts it: nobody awaits the catch-up sweep.
    void sweeper.start();
    try {
      // Timers are slow on a busy machine: wait for what is expected, with a generous limit.
      await until(() => errors.length >= 3);
      expect((errors[0] as Error).message).toContain('full');
      full = false;
      await until(() => ended === 3);
    } finally {
      await sweeper.stop();
    }
    // Let any stray rejection surface before looking.
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
  });

  it('still rejects a sweep someone awaits, so callers can tell', async () => {
    const engine = {
      sweepChunk: () => {
        throw new Error('disk I/O error');
      },
      now: () => 0,
      deleteOlderThan: () => 0,
    } as unknown as SessionEngine;
    const sweeper = new Sweeper(engine, { intervalSeconds: 3600, onError: () => {} });
    await expect(sweeper.sweep()).rejects.toThrow('disk I/O error');
    await sweeper.stop();
  });
});
