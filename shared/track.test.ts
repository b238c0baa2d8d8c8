import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits';
import { jsonDepth } from './track';

/** The definition, written plainly: 0 for a scalar, 1 + the deepest child for an object or array. */
function reference(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(v).map(reference));
}

function nested(levels: number, wrap: (inner: unknown) => unknown): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = wrap(v);
  return v;
}

describe('jsonDepth', () => {
  it('is the nesting depth of any JSON value up to the limit, and over the limit once past it', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: LIMITS.depth + 4 }), (v) => {
        const want = reference(v);
        const got = jsonDepth(v);
        if (want <= LIMITS.depth) expect(got).toBe(want);
        else expect(got).toBeGreaterThan(LIMITS.depth);
      }),
      { numRuns: 2000 },
    );
  });

  it('answers at once for input nested far deeper than the stack could recurse', () => {
    const deep = nested(200_000, (inner) => ({ a: inner }));
    expect(jsonDepth(deep)).toBe(LIMITS.depth + 1);
    expect(jsonDepth(nested(200_000, (inner) => [inner]))).toBe(LIMITS.depth + 1);
  });

  it('counts arrays and objects alike, and only own keys', () => {
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth([[], {}])).toBe(2);
    expect(jsonDepth({ a: [1, { b: null }] })).toBe(3);
    expect(jsonDepth(Object.create({ inherited: { deep: { deeper: {} } } }))).toBe(1);
    expect(jsonDepth(nested(LIMITS.depth, (inner) => ({ x: inner })))).toBe(LIMITS.depth);
  });
});
