import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { sendRaw, startTestFootfall, until, type RawAnswer, type TestFootfall } from '../testing';

/**
 * Requests broken below the routes: Node's HTTP parser refuses them before Fastify sees a
 * request, or Fastify's router does before any handler. Each answer is still the contract's
 * `{"detail": "..."}`, naming what was wrong, with the right status.
 */

let t: TestFootfall;
beforeAll(async () => {
  t = await startTestFootfall();
});
afterAll(async () => {
  await t.close();
});

const host = () => `127.0.0.1:${t.ff.port}`;
const body = () => JSON.stringify({ source: { id: t.source }, events: [{ type: 'page-view' }] });

function expectDetail(a: RawAnswer, status: number, ...needles: RegExp[]): void {
  expect(a.status, a.body).toBe(status);
  expect(a.headers['content-type']).toMatch(/^application\/json/);
  const parsed = JSON.parse(a.body) as Record<string, unknown>;
  expect(Object.keys(parsed)).toEqual(['detail']);
  for (const n of needles) expect(parsed.detail).toMatch(n);
}

describe('transport errors answer {detail}', () => {
  it('a header too large: 431', async () => {
    const a = await sendRaw(t.ff.port, `GET /health HTTP/1.1\r\nHost: ${host()}\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
    expectDetail(a, 431, /header/i, /too large|larger/i);
  });

  it('a bad chunk size: 400', async () => {
    const a = await sendRaw(t.ff.port, `POST /track HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`);
    expectDetail(a, 400, /chunk/i);
  });

  it('Content-Length with Transfer-Encoding: 400', async () => {
    const b = body();
    const a = await sendRaw(t.ff.port, `POST /track HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\nTransfer-Encoding: chunked\r\n\r\n${b.length.toString(16)}\r\n${b}\r\n0\r\n\r\n`);
    expectDetail(a, 400, /Content-Length/, /Transfer-Encoding/);
  });

  it('two Content-Lengths: 400', async () => {
    const b = body();
    const a = await sendRaw(t.ff.port, `POST /track HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\nContent-Length: ${b.length + 1}\r\n\r\n${b}`);
    expectDetail(a, 400, /Content-Length/);
  });

  it('a Content-Length that is not a number: 400', async () => {
    const a = await sendRaw(t.ff.port, `POST /track HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n${body()}`);
    expectDetail(a, 400, /Content-Length/);
  });

  it('an unknown method, a broken request line, a bad header name: 400', async () => {
    expectDetail(await sendRaw(t.ff.port, `BREW /track HTTP/1.1\r\nHost: ${host()}\r\n\r\n`), 400, /method/i);
    expectDetail(await sendRaw(t.ff.port, 'GARBAGE\r\n\r\n'), 400, /request/i);
    expectDetail(await sendRaw(t.ff.port, `GET /health HTTP/1.1\r\nHost: ${host()}\r\nBad Header: x\r\n\r\n`), 400, /header/i);
  });

  it('HTTP/1.1 without Host: 400 on the admin API, the collector still answers', async () => {
    expectDetail(await sendRaw(t.ff.port, `GET /api/info HTTP/1.1\r\nAuthorization: Bearer ${t.token}\r\nConnection: close\r\n\r\n`), 400, /Host/);
    const b = body();
    const track = await sendRaw(t.ff.port, `POST /track HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n${b}`);
    expect(track.status).toBe(200);
  });

  it('a path that is not valid percent-encoding: 400', async () => {
    for (const path of ['/api/sessions/%E0%A4%A', '/track/%', '/%zz']) {
      expectDetail(await sendRaw(t.ff.port, `GET ${path} HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${t.token}\r\nConnection: close\r\n\r\n`), 400, /URL|path/i);
    }
  });

  it('the longest id, percent-encoded, is a path the router takes (not a 414)', async () => {
    const id = '€'.repeat(128);
    await t.track({ source: { id: t.source }, session: { id }, events: [{ type: 'page-view' }] });
    const a = await sendRaw(t.ff.port, `GET /api/sessions/${encodeURIComponent(id)} HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${t.token}\r\nConnection: close\r\n\r\n`);
    expect(a.status, a.body).toBe(200);
    expect(JSON.parse(a.body).id).toBe(id);
    const longer = await sendRaw(t.ff.port, `GET /api/sessions/${'x'.repeat(3000)} HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${t.token}\r\nConnection: close\r\n\r\n`);
    expectDetail(longer, 414, /long/i);
  });

  it('the server keeps answering after all of them', async () => {
    const a = await sendRaw(t.ff.port, `GET /health HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
    expect(a.status).toBe(200);
  });
});

describe('while stopping', () => {
  it('a request that arrives then: 503 with a detail', async () => {
    const c = await startTestFootfall();
    const b = JSON.stringify({ source: { id: c.source }, events: [{ type: 'page-view' }] });
    const where = `127.0.0.1:${c.ff.port}`;
    // A second request pipelined behind one still in flight reaches the server after it began closing.
    const socket = connect(c.ff.port, '127.0.0.1');
    let got = '';
    socket.on('data', (chunk: Buffer) => (got += chunk.toString()));
    const inFlight = new Promise((resolve) => c.ff.app.server.once('request', resolve));
    socket.write(`POST /track HTTP/1.1\r\nHost: ${where}\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\n\r\n${b.slice(0, 10)}`);
    await inFlight;
    const stopping = c.close();
    socket.write(`${b.slice(10)}GET /health HTTP/1.1\r\nHost: ${where}\r\n\r\n`);
    await until(() => got.split('HTTP/1.1 ').length >= 3);
    socket.destroy();
    await stopping;
    const answers = got.split('HTTP/1.1 ').slice(1);
    expect(answers[0]).toMatch(/^200 /);
    expect(answers[1]).toMatch(/^503 /);
    expect(JSON.parse(answers[1]!.slice(answers[1]!.indexOf('\r\n\r\n') + 4))).toEqual({ detail: 'Footfall is shutting down; retry in a moment.' });
  });
});
