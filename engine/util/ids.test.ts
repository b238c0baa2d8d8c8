import { describe, expect, it } from 'vitest';
import { eventIdBatchPrefix, newEventId } from './ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  it('makes RFC 9562 version-7 UUIDs that carry the time in their first 48 bits', () => {
    const at = Date.UTC(2030, 4, 6, 7, 8, 9, 123);
    const id = newEventId(at);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts in the order it made them, within one millisecond (past 4,096 of them) and across', () => {
    const start = Date.UTC(2031, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) ids.push(newEventId(start + Math.floor(i / 5000)));
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps order when the clock steps back', () => {
    const a = newEventId(Date.UTC(2032, 0, 1, 0, 0, 1));
    const b = newEventId(Date.UTC(2032, 0, 1, 0, 0, 0));
    expect(b > a).toBe(true);
  });

  it('varies its random bits', () => {
    const at = Date.UTC(2033, 0, 1);
    const tails = new Set(Array.from({ length: 1000 }, (_, i) => newEventId(at + i * 10).slice(19)));
    expect(tails.size).toBe(1000);
  });

  it('gives batches of ids made in SQL a prefix that keeps them valid, unique and in order', () => {
    const at = Date.UTC(2034, 0, 1);
    const before = newEventId(at);
    const batch = (prefix: string, keys: number[]) => keys.map((k) => prefix + k.toString(16).padStart(12, '0'));
    const first = batch(eventIdBatchPrefix(at), [1, 2, 0xffffffffffff]);
    const second = batch(eventIdBatchPrefix(at), [1, 2, 3]); // same millisecond, same keys
    const all = [before, ...first, ...second];
    for (const id of all) expect(id).toMatch(UUID_V7);
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual(all);
  });
});
