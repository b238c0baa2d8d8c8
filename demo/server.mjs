// The demo site's web server: static files from demo/site, with the parts the pages share
// (demo/parts) and the collector's address and event source filled into the pages, on its own
// port (another origin than Footfall).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SITE = join(dirname(fileURLToPath(import.meta.url)), 'site');
/** What several pages share, kept once: outside SITE, so never served on its own. */
const PARTS = join(dirname(fileURLToPath(import.meta.url)), 'parts');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The file a request path maps to; `null` when it leaves the site folder. */
function fileFor(pathname) {
  // The single-page app owns every path under /app (history API routes).
  if (pathname === '/app' || pathname.startsWith('/app/')) return join(SITE, 'app.html');
  let p = pathname.endsWith('/') ? `${pathname}index.html` : pathname;
  if (extname(p) === '') p += '.html';
  const file = normalize(join(SITE, decodeURIComponent(p)));
  return file.startsWith(SITE + sep) ? file : null;
}

/** A part that cannot be filled in: the page is broken (500), not missing. */
class PartError extends Error {}

/** A line `<!--#include NAME key="value" … -->` in a page, standing for demo/parts/NAME. */
const INCLUDE = /^<!--#include ([\w-]+\.html)((?: \w+="[^"]*")*) -->\n/gm;

/**
 * `text` (a part) with its `{{key}}` placeholders replaced by the marker's values; the key
 * `current="HREF"` instead marks the part's link `<a href="HREF">` as the page the visitor is
 * on (`aria-current`). A value the part does not use, or one it needs and lacks, is an error.
 */
function fillPart(name, text, attrs) {
  const values = new Map([...attrs.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
  const current = values.get('current');
  values.delete('current');
  if (current !== undefined) {
    const link = `<a href="${current}">`;
    if (!text.includes(link)) throw new PartError(`${name} has no link ${link}`);
    text = text.replace(link, `<a href="${current}" aria-current="page">`);
  }
  for (const key of values.keys()) {
    if (!text.includes(`{{${key}}}`)) throw new PartError(`${name} has no {{${key}}}`);
  }
  return text.replace(/\{\{(\w+)\}\}/g, (_, key) => {
    const value = values.get(key);
    if (value === undefined) throw new PartError(`${name} needs ${key}="…"`);
    return value;
  });
}

/** A page with each include line replaced by its part, filled in: what the browser receives. */
async function withParts(page) {
  const markers = [...page.matchAll(INCLUDE)];
  const parts = await Promise.all(
    markers.map(async ([, name]) => {
      try {
        return await readFile(join(PARTS, name), 'utf8');
      } catch {
        throw new PartError(`no part ${name} in demo/parts`);
      }
    }),
  );
  let i = 0;
  const filled = page.replace(INCLUDE, (_, name, attrs) => fillPart(name, parts[i++], attrs));
  const stray = /^.*<!--#include.*$/m.exec(filled);
  if (stray) throw new PartError(`an include line not of the form <!--#include NAME.html key="value" -->: ${stray[0]}`);
  return filled;
}

/**
 * Starts the demo site. `collector` is Footfall's base URL as a browser reaches it
 * (`http://127.0.0.1:8686`), `source` the event source the pages send to.
 * Resolves `{url, close}`; `url` uses `siteHost` (default `localhost`) so the site is
 * another origin and another site than the collector on 127.0.0.1.
 */
export async function startDemoSite({ collector, source, port = 0, host = '127.0.0.1', siteHost = 'localhost' }) {
  const collectorHost = new URL(collector).host;
  const fill = (text) => text.replaceAll('%%FOOTFALL%%', collectorHost).replaceAll('%%SOURCE%%', source);
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://demo');
    const file = fileFor(pathname);
    try {
      if (file === null || (req.method !== 'GET' && req.method !== 'HEAD')) throw new Error('no such page');
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      const raw = await readFile(file);
      let body = raw;
      if (type.startsWith('text/')) {
        const text = raw.toString('utf8');
        body = Buffer.from(fill(type.startsWith('text/html') ? await withParts(text) : text));
      }
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      if (err instanceof PartError) {
        console.error(`Demo site: ${pathname}: ${err.message}`);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`This demo page is broken: ${err.message}\n`);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><title>Not found</title><p>No such page on the demo site. <a href="/">Home</a></p>');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const url = `http://${siteHost}:${address.port}/`;
  return {
    url,
    port: address.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
