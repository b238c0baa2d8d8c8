// The demo site's web server: static files from demo/site, with the collector's address and
// the event source filled into the pages, on its own port (another origin than Footfall).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SITE = join(dirname(fileURLToPath(import.meta.url)), 'site');

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
      const body = type.startsWith('text/') ? Buffer.from(fill(raw.toString('utf8'))) : raw;
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
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
