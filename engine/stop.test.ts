import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestFootfall, until } from './testing';

describe('stopping', () => {
  it('does not wait on a connection whose request never completes (a browser tab left open)', async () => {
    const t = await startTestFootfall();
    const { port } = new URL(t.ff.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // Headers begun, never finished: Node counts the connection busy, not idle, until its
    // headers timeout (60 s), and Fastify's close would wait for it.
    socket.write(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    await t.close();
    // Stopped, and the connection was closed by the server rather than left to time out.
    await until(() => closed, 2000);
    expect(closed).toBe(true);
  }, 20_000);
});
