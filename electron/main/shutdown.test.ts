import { describe, expect, it, vi } from 'vitest';
import { createStopper, exitCode } from './shutdown';

describe('createStopper', () => {
  it('stops once however often quit is asked for, and waits for the stop to finish', async () => {
    let finished = false;
    const stop = vi.fn(async () => {
      await new Promise((r) => setTimeout(r, 20));
      finished = true;
    });
    const quit = createStopper(stop, 1000, () => {});
    const [a, b] = await Promise.all([quit(), quit()]);
    expect([a, b]).toEqual(['stopped', 'stopped']);
    expect(finished).toBe(true);
    expect(await quit()).toBe('stopped');
    expect(stop).toHaveBeenCalledTimes(1);
    expect(exitCode('stopped')).toBe(0);
  });

  it('reports a failed stop and exits non-zero', async () => {
    const log = vi.fn();
    const quit = createStopper(() => Promise.reject(new Error('disk gone')), 1000, log);
    expect(await quit()).toBe('failed');
    expect(log).toHaveBeenCalledWith('Footfall did not stop cleanly: disk gone');
    expect(exitCode('failed')).toBe(1);
  });

  it('gives up on a stop that never ends', async () => {
    const log = vi.fn();
    const quit = createStopper(() => new Promise<void>(() => {}), 30, log);
    expect(await quit()).toBe('timed-out');
    expect(log.mock.calls[0]![0]).toMatch(/did not stop within 0.03 s/);
    expect(exitCode('timed-out')).toBe(1);
  });
});
