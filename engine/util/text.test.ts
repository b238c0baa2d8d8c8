import { describe, expect, it } from 'vitest';
import { wellFormed } from './text';

describe('wellFormed', () => {
  it('replaces lone surrogates, keeps pairs and everything else', () => {
    expect(wellFormed('a\ud800b')).toBe('a\ufffdb');
    expect(wellFormed('\udfffx\ud800')).toBe('\ufffdx\ufffd');
    expect(wellFormed('𝄞 é 👩‍👩‍👧')).toBe('𝄞 é 👩‍👩‍👧');
    expect(wellFormed('\ud834\udd1e\ud800')).toBe('\ud834\udd1e\ufffd');
  });
});
