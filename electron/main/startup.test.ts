import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StartupError } from '../../engine/errors';
import { describeStartupFailure, shortReason, startupPageHtml, startupPageUrl, STARTUP_PAGE_CSP } from './startup';

const inUse = new StartupError('Port 8686 on 127.0.0.1 is in use by another program. Start Footfall with --port ANOTHER_PORT (or FOOTFALL_PORT).');

describe('describeStartupFailure', () => {
  it('tells a taken port by trying it, and offers the free one', () => {
    const p = describeStartupFailure(inUse, { host: '127.0.0.1', port: 8686, portFree: false, suggestedPort: 8687 });
    expect(p).toMatchObject({ kind: 'port', title: 'Port 8686 is in use', port: 8686, suggestedPort: 8687 });
    expect(p.message).toMatch(/Another program is using port 8686 on 127.0.0.1/);
    expect(shortReason(p)).toBe('port 8686 is in use');
  });

  it('does not blame the port when the port is free (another StartupError)', () => {
    const locked = new StartupError('/d/footfall.db is in use by another Footfall. Quit it first, or start this one with another --data-dir.');
    const p = describeStartupFailure(locked, { host: '127.0.0.1', port: 8686, portFree: true, suggestedPort: null });
    expect(p.kind).toBe('other');
    expect(p.message).toBe(locked.message);
  });

  it('explains a better-sqlite3 built for Node rather than Electron', () => {
    const err = new StartupError("Cannot open /d/footfall.db: The module '/x/better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115.");
    const p = describeStartupFailure(err, { host: '127.0.0.1', port: 8686, portFree: true, suggestedPort: null });
    expect(p.kind).toBe('native-module');
    expect(p.message).toMatch(/npx electron-builder install-app-deps/);
  });
});

describe('the startup page', () => {
  const problem = describeStartupFailure(inUse, { host: '127.0.0.1', port: 8686, portFree: false, suggestedPort: 8687 });

  it('says the port is taken and offers the free one', () => {
    const html = startupPageHtml(problem);
    expect(html).toContain('<h1>Port 8686 is in use</h1>');
    expect(html).toMatch(/<input id="port"[^>]*value="8687">/);
    expect(html).toContain('Start on this port');
  });

  it('allows exactly its own script by hash and nothing else', () => {
    const html = startupPageHtml(problem);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = createHash('sha256').update(script, 'utf8').digest('base64');
    expect(STARTUP_PAGE_CSP).toContain(`script-src 'sha256-${hash}'`);
    expect(STARTUP_PAGE_CSP).toMatch(/^default-src 'none';/);
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('shows messages as text', () => {
    const html = startupPageHtml({ ...problem, kind: 'other', title: 'x', message: '<img src=x onerror=alert(1)>' });
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });

  it('is a self-contained data: URL', () => {
    const url = startupPageUrl(problem);
    expect(url.startsWith('data:text/html;charset=utf-8;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1]!, 'base64').toString('utf8')).toBe(startupPageHtml(problem));
  });
});
