import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { trackerSnippet } from './snippet';

describe('trackerSnippet', () => {
  it("points Tracardi's options and the script at the collector, with the source id", () => {
    const s = trackerSnippet('http://127.0.0.1:8686', '6f0c1d2e-aaaa-bbbb-cccc-0123456789ab');
    expect(s).toContain('<script async src="http://127.0.0.1:8686/tracker/liliput.min.js"></script>');
    const inline = /<script>([\s\S]*?)<\/script>/.exec(s)![1]!;
    const options = runInNewContext(`${inline}; options`) as { tracker: { url: { script: string; api: string }; source: { id: string } } };
    expect(options.tracker.url).toEqual({ script: 'http://127.0.0.1:8686/tracker', api: 'http://127.0.0.1:8686' });
    expect(options.tracker.source.id).toBe('6f0c1d2e-aaaa-bbbb-cccc-0123456789ab');
  });

  it('uses the address the collector is reached at (IPv6, another port)', () => {
    expect(trackerSnippet('http://[::1]:9000', 'S')).toContain('src="http://[::1]:9000/tracker/liliput.min.js"');
  });

  it('cannot be broken out of by a hostile source id', () => {
    const s = trackerSnippet('http://127.0.0.1:8686', '</script><script>alert(1)</script>"\'');
    expect(s.match(/<\/script>/g)).toHaveLength(2);
    const inline = /<script>([\s\S]*?)<\/script>/.exec(s)![1]!;
    const options = runInNewContext(`${inline}; options`) as { tracker: { source: { id: string } } };
    expect(options.tracker.source.id).toBe('</script><script>alert(1)</script>"\'');
  });
});
