import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalSync } from './durable';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-walsync-'));
  file = join(dir, 'x.db-wal');
  writeFileSync(file, 'frames');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An fsync that finishes only when the test says so. */
function heldDisk() {
  const calls: Array<(err: Error | null) => void> = [];
  return { calls, sync: (_fd: number, cb: (err: Error | null) => void) => void calls.push(cb) };
}

describe('WalSync', () => {
  it('answers only after an fsync that started after the request', () => {
    const disk = heldDisk();
    const w = new WalSync(file, disk.sync);
    const done: string[] = [];
    w.afterSync(() => done.push('a'));
    expect(disk.calls).toHaveLength(1);
    // b arrives while a's fsync runs: that fsync may have started before b's commit.
    w.afterSync(() => done.push('b'));
    w.afterSync(() => done.push('c'));
    expect(done).toEqual([]);
    disk.calls[0]!(null);
    expect(done).toEqual(['a']);
    // b and c share the next fsync.
    expect(disk.calls).toHaveLength(2);
    disk.calls[1]!(null);
    expect(done).toEqual(['a', 'b', 'c']);
    expect(disk.calls).toHaveLength(2);
    w.close();
  });

  it('passes a failing disk on to everyone waiting', () => {
    const disk = heldDisk();
    const w = new WalSync(file, disk.sync);
    const errors: Array<string | null> = [];
    w.afterSync((e) => errors.push(e?.message ?? null));
    disk.calls[0]!(new Error('EIO'));
    expect(errors).toEqual(['EIO']);
    w.close();
  });

  it('syncs the real file', async () => {
    const w = new WalSync(file);
    await new Promise<void>((resolve, reject) => w.afterSync((e) => (e ? reject(e) : resolve())));
    w.close();
  });
});
