import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';
import { redactUrl } from './redact';

/** No log line holds the admin token: URLs are logged with it redacted, and the log itself scrubs it. */

let t: TestFootfall;
let lines: string[];
beforeEach(async () => {
  lines = [];
  t = await startTestFootfall({ log: (m) => lines.push(m) });
});
afterEach(async () => {
  await t.close();
});

const fail = (code?: string) => () => {
  throw Object.assign(new Error('boom'), code === undefined ? {} : { code });
};

describe('the log', () => {
  it('never holds the token of a URL, on an internal error, a storage error or a damaged database', async () => {
    const tok = encodeURIComponent(t.token);
    for (const code of [undefined, 'SQLITE_FULL', 'SQLITE_CORRUPT']) {
      t.ff.ctx.queries.lists.listSessions = fail(code);
      for (const url of [`/api/sessions?token=${tok}`, `/api/sessions?limit=5&TOKEN=${tok}`, `/api/sessions?%74oken=${tok}&x=1`, `/api/sessions?x=1&token=${tok}#frag`]) {
        const r = await t.api('GET', url);
        expect(r.status, `${code} ${url}`).toBeGreaterThanOrEqual(500);
      }
    }
    expect(lines.length).toBe(12);
    for (const l of lines) {
      expect(l).not.toContain(t.token);
      expect(l).toContain('/api/sessions?');
    }
    expect(lines[0]).toContain('token=[redacted]');
  });

  it('never holds the token from the dashboard link given twice (it was a 500 that logged the URL)', async () => {
    const tok = encodeURIComponent(t.token);
    const r = await t.ff.app.inject({ method: 'GET', url: `/?token=${tok}&token=${tok}` });
    expect(r.statusCode).toBeLessThan(500);
    expect(lines.join('\n')).not.toContain(t.token);
  });

  it('scrubs the token from whatever else a line says (an error message that quotes it)', async () => {
    t.ff.ctx.queries.lists.listSessions = () => {
      throw new Error(`cannot list with ${t.token}`);
    };
    expect((await t.api('GET', '/api/sessions')).status).toBe(500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(t.token);
    expect(lines[0]).toContain('cannot list with');
  });
});

describe('redactUrl', () => {
  it('replaces the value of every token parameter, however its name is spelled', () => {
    expect(redactUrl('/?token=abc')).toBe('/?token=[redacted]');
    expect(redactUrl('/api/x?a=1&Token=abc&b=2')).toBe('/api/x?a=1&Token=[redacted]&b=2');
    expect(redactUrl('/?%74oken=abc&token=def')).toBe('/?%74oken=[redacted]&token=[redacted]');
    expect(redactUrl('/?token')).toBe('/?token');
    expect(redactUrl('/?tokens=abc&mytoken=x')).toBe('/?tokens=abc&mytoken=x');
    expect(redactUrl('/api/sessions/token=abc')).toBe('/api/sessions/token=abc');
    expect(redactUrl('/?token=a%ZZb')).toBe('/?token=[redacted]');
    expect(redactUrl('/?%ZZ=1&token=abc')).toBe('/?%ZZ=1&token=[redacted]');
  });
});
