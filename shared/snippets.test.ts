import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { curlCommand, footfallSnippet, tracardiSnippet } from './snippets';

const inlineScript = (s: string) => /<script>([\s\S]*?)<\/script>/.exec(s)![1]!;

describe('tracardiSnippet', () => {
  it("points Tracardi's options and loader at the collector, with the source id", () => {
    const s = tracardiSnippet('http://127.0.0.1:8686', '6f0c1d2e-aaaa-bbbb-cccc-0123456789ab');
    const appended: Array<{ src: string }> = [];
    const browser = () => ({ window: {} as Record<string, unknown>, document: { createElement: () => ({ addEventListener() {} }), head: { appendChild: (el: { src: string }) => appended.push(el) } } });
    const options = runInNewContext(`${inlineScript(s)}; options`, browser()) as {
      tracker: { url: { script: string; api: string }; source: { id: string } };
    };
    expect(options.tracker.url).toEqual({ script: 'http://127.0.0.1:8686/tracker', api: 'http://127.0.0.1:8686' });
    expect(options.tracker.source.id).toBe('6f0c1d2e-aaaa-bbbb-cccc-0123456789ab');
    expect(appended.map((e) => e.src)).toEqual(['http://127.0.0.1:8686/tracker/liliput.min.js']);
    // Calls made before the script loads are queued, not a TypeError.
    expect(() => runInNewContext(`${inlineScript(s)}; window.tracker.track('x', {})`, browser())).not.toThrow();
  });

  it('uses the address the collector is reached at (IPv6, another port)', () => {
    expect(tracardiSnippet('http://[::1]:9000', 'S')).toContain('"http://[::1]:9000/tracker"');
    expect(footfallSnippet('http://[::1]:9000', 'S')).toContain('src="http://[::1]:9000/tracker.js"');
  });

  it('cannot be broken out of by a hostile source id', () => {
    const hostile = '</script><script>alert(1)</script>"\'';
    const s = tracardiSnippet('http://127.0.0.1:8686', hostile);
    expect(s.match(/<\/script>/g)).toHaveLength(1);
    const f = footfallSnippet('http://127.0.0.1:8686', hostile);
    expect(f.match(/<\/script>/g)).toHaveLength(1);
    expect(f).toContain('data-source="&lt;/script>&lt;script>alert(1)&lt;/script>&quot;\'"');
  });
});

describe('curlCommand', () => {
  it('quotes the body for a POSIX shell', () => {
    const c = curlCommand('http://127.0.0.1:8686', "it's");
    expect(c).toContain("curl -X POST http://127.0.0.1:8686/track");
    expect(c).toContain(`"id":"it'\\''s"`);
  });
});
