import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { HttpError } from './errors';

/**
 * Where the tracker is served. `/tracker/liliput.min.js` is what Tracardi's loader asks for
 * when its `url.script` is `//HOST:PORT/tracker` (it appends `/liliput.min.js`); with a
 * slash at the end of `url.script` it asks for `/tracker//liliput.min.js`, served too.
 */
export const TRACKER_PATHS = ['/tracker/liliput.min.js', '/tracker.js', '/tracker//liliput.min.js'] as const;

interface Loaded {
  mtimeMs: number;
  size: number;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * The built tracker file, re-read when it changes on disk (a rebuild while the server runs),
 * gzipped once per version.
 */
export class TrackerFile {
  private loaded: Loaded | null = null;

  constructor(readonly path: string | null) {}

  get(): Loaded | null {
    if (this.path === null) return null;
    let st;
    try {
      st = statSync(this.path);
    } catch {
      return null;
    }
    const hit = this.loaded;
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    const body = readFileSync(this.path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    this.loaded = { mtimeMs: st.mtimeMs, size: st.size, body, gzip: gzipSync(body, { level: 9 }), etag };
    return this.loaded;
  }
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

/**
 * `GET /tracker/liliput.min.js` and `/tracker.js`: Footfall's tracker for any page on any
 * origin. Registered inside the collector's scope, whose hook adds the open CORS headers.
 */
export function registerTracker(app: FastifyInstance, ctx: AppContext): void {
  const file = new TrackerFile(ctx.trackerFile);
  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    const t = file.get();
    if (t === null) {
      throw new HttpError(404, 'The tracker is not built: run `npm run build` (or `npm run serve`, which builds first), then reload the page.');
    }
    reply.header('content-type', 'text/javascript; charset=utf-8');
    // Short: a rebuilt or upgraded tracker reaches test pages within minutes; the ETag
    // makes the revalidation cheap.
    reply.header('cache-control', 'public, max-age=300');
    reply.header('etag', t.etag);
    reply.header('vary', 'accept-encoding');
    reply.header('x-content-type-options', 'nosniff');
    // Pages that isolate themselves (COEP) may still load it.
    reply.header('cross-origin-resource-policy', 'cross-origin');
    if (etagMatches(req.headers['if-none-match'], t.etag)) return reply.status(304).send();
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      reply.header('content-encoding', 'gzip');
      return reply.send(t.gzip);
    }
    return reply.send(t.body);
  };
  for (const path of TRACKER_PATHS) app.get(path, serve);
}
