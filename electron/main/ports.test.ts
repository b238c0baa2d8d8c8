import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, isPortFree } from './ports';

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Listens on `port` (0: any) and keeps it until the test ends. */
function hold(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      held.push(s);
      const a = s.address();
      resolve(a !== null && typeof a === 'object' ? a.port : -1);
    });
  });
}

/** Two adjacent ports held by this test, found by trying a few. */
async function holdTwoInARow(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await hold(0);
    if (p < 65535) {
      try {
        await hold(p + 1);
        return p;
      } catch {
        // p + 1 is someone else's: try another pair
      }
    }
  }
  throw new Error('could not hold two adjacent ports');
}

describe('isPortFree', () => {
  it('says no for a port something listens on, and yes once it is let go', async () => {
    const p = await hold(0);
    expect(await isPortFree('127.0.0.1', p)).toBe(false);
    await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
    expect(await isPortFree('127.0.0.1', p)).toBe(true);
  });

  it('says no for an address this machine does not have', async () => {
    expect(await isPortFree('192.0.2.1', 8686)).toBe(false); // TEST-NET-1: never assigned
  });
});

describe('findFreePort', () => {
  it('offers the next free port after the taken one, skipping taken ones', async () => {
    const p = await holdTwoInARow();
    const offer = await findFreePort('127.0.0.1', p);
    expect(offer).not.toBeNull();
    expect(offer!).toBeGreaterThan(p + 1);
    expect(offer!).toBeLessThanOrEqual(p + 51);
    expect(await isPortFree('127.0.0.1', offer!)).toBe(true);
  });

  it('falls back to a port the OS picks when none near is free', async () => {
    const offer = await findFreePort('127.0.0.1', 65535);
    expect(offer).not.toBeNull();
    expect(await isPortFree('127.0.0.1', offer!)).toBe(true);
  });

  it('answers null when nothing can listen on the host', async () => {
    expect(await findFreePort('192.0.2.1', 8686, 2)).toBeNull();
  });
});
