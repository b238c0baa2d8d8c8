import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits';
import { startTestFootfall, type TestFootfall } from '../testing';
import { decodedBody } from './encoding';

/**
 * Compressed request bodies. A tracker or a proxy in front of it may compress: gzip, deflate
 * and br are decoded, the size limit holds for the decoded body (a zip bomb is a 413 that
 * stops inflating at the limit), and any other Content-Encoding is a 415 naming it.
 */

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall();
});
afterEach(async () => {
  await t.close();
});

const events = (t: TestFootfall) => t.ff.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
const payload = (t: TestFootfall, extra: object = {}) => JSON.stringify({ source: { id: t.source }, session: { id: 'Z' }, events: [{ type: 'page-view' }], ...extra });

function send(t: TestFootfall, body: Buffer | string, encoding: string | null, type = 'application/json') {
  return t.ff.app.inject({
    method: 'POST',
    url: '/track',
    headers: { 'content-type': type, ...(encoding === null ? {} : { 'content-encoding': encoding }) },
    payload: body,
  });
}

const ENCODERS: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => gzipSync(b),
  'x-gzip': (b) => gzipSync(b),
  deflate: (b) => deflateSync(b),
  br: (b) => brotliCompressSync(b),
  identity: (b) => b,
};

describe('POST /track with Content-Encoding', () => {
  it('decodes gzip, deflate and br, as JSON or text/plain (sendBeacon)', async () => {
    for (const [name, encode] of Object.entries(ENCODERS)) {
      for (const type of ['application/json', 'text/plain;charset=UTF-8']) {
        const before = events(t);
        const r = await send(t, encode(Buffer.from(payload(t))), name.toUpperCase() === 'BR' ? 'br' : name, type);
        expect(r.statusCode, `${name} ${type}: ${r.payload}`).toBe(200);
        expect(events(t)).toBeGreaterThan(before);
      }
    }
  });

  it('refuses another encoding with 415 naming it, storing nothing', async () => {
    const before = events(t);
    for (const enc of ['compress', 'zstd', 'gzip, br', 'bogus']) {
      const r = await send(t, Buffer.from(payload(t)), enc);
      expect(r.statusCode, enc).toBe(415);
      expect(JSON.parse(r.payload).detail, enc).toContain(`"${enc}"`);
      expect(r.headers['access-control-allow-origin']).toBe('*');
    }
    expect(events(t)).toBe(before);
  });

  it('says so when the body is not what its encoding claims: 400 naming the encoding', async () => {
    for (const enc of ['gzip', 'deflate', 'br']) {
      const r = await send(t, Buffer.from(payload(t)), enc);
      expect(r.statusCode, enc).toBe(400);
      expect(JSON.parse(r.payload).detail, enc).toContain(enc);
    }
  });

  it('holds the size limit after decoding: a small gzip of a large body is a 413', async () => {
    const big = payload(t, { properties: { pad: 'x'.repeat(LIMITS.bodyBytes) } });
    const packed = gzipSync(big);
    expect(packed.length).toBeLessThan(LIMITS.bodyBytes / 100);
    const before = events(t);
    const r = await send(t, packed, 'gzip');
    expect(r.statusCode).toBe(413);
    expect(JSON.parse(r.payload).detail).toMatch(new RegExp(`${LIMITS.bodyBytes}.*decoded|decoded.*${LIMITS.bodyBytes}`));
    expect(events(t)).toBe(before);
    // Just under the limit once decoded: taken.
    const fits = payload(t, { properties: { pad: 'x'.repeat(LIMITS.bodyBytes - 1000) } });
    expect((await send(t, gzipSync(fits), 'gzip')).statusCode).not.toBe(413);
  });
});

describe('decodedBody', () => {
  it('stops inflating a zip bomb at the limit instead of inflating it all', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 32)); // 64 MB of spaces in ~64 KB
    const source = Readable.from([bomb.subarray(0, bomb.length / 2), bomb.subarray(bomb.length / 2)], { objectMode: false });
    const limit = 1024 * 1024;
    const decoded = decodedBody(source, 'gzip', limit);
    if (decoded === null) throw new Error('gzip is decoded');
    let out = 0;
    const err = await new Promise<Error>((resolve) => {
      decoded.on('data', (c: Buffer) => (out += c.length));
      decoded.on('error', resolve);
      decoded.on('end', () => resolve(new Error('ended without refusing')));
    });
    expect(err.message).toMatch(/decoded/);
    expect(out).toBeLessThanOrEqual(limit);
    // It read only the start of the compressed body.
    expect(decoded.receivedEncodedLength).toBeLessThan(bomb.length);
  });
});
