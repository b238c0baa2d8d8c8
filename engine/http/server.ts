import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AppContext } from '../context';
import { LIMITS } from '../../shared/limits';
import { registerApi } from './api';
import { registerStats } from './stats';
import { registerExplore } from './explore';
import { allowedHosts, cookieName, hostOf, requestToken, tokenMatches } from './auth';
import { collectorPlugin } from './collector';
import { installErrorHandlers } from './errors';
import { LiveHub } from './live';

const PUBLIC_PREFIXES = ['/track', '/tracker', '/health'];

function isPublic(url: string): boolean {
  return PUBLIC_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`) || url.startsWith(`${p}.`));
}

/**
 * The path the access checks judge: the pattern of the route the router matched. The router
 * decodes percent-escapes, so `/%61pi/sessions` reaches the `/api/sessions` handler; judging
 * the raw URL let it through without the token. Unmatched requests: their decoded path.
 */
function checkedPath(req: FastifyRequest): string {
  const route = req.routeOptions.url;
  if (route !== undefined) return route;
  const path = req.url.split('?')[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Footfall</title>
<p>The dashboard is not built. Run <code>npm run build</code> (or <code>npm run serve</code>, which builds first).</p>`;

export interface BuiltServer {
  app: FastifyInstance;
  live: LiveHub;
}

export async function buildServer(ctx: AppContext): Promise<BuiltServer> {
  const app = Fastify({
    bodyLimit: LIMITS.bodyBytes,
    logger: false,
    // Be liberal: a key named __proto__ or constructor is dropped, not a reason to refuse.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });
  const live = new LiveHub(ctx.engine, ctx.queries);
  installErrorHandlers(app, ctx.log);

  // sendBeacon can only send text/plain: its body is JSON all the same.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: LIMITS.bodyBytes }, app.getDefaultJsonParser('remove', 'remove'));

  const hosts = allowedHosts(ctx.host);
  app.addHook('onRequest', async (req, reply) => {
    const path = checkedPath(req);
    if (isPublic(path)) return;
    const host = hostOf(req.headers.host);
    if (host === null || !hosts.has(host)) {
      return reply.status(403).send({ detail: `Host "${req.headers.host ?? ''}" is not this Footfall's address; open it as http://127.0.0.1:${ctx.port}/.` });
    }
    if (path.startsWith('/api/') || path === '/api') {
      const token = requestToken(req, ctx.port);
      if (token === null || !tokenMatches(token, ctx.token)) {
        return reply.status(401).send({ detail: 'Missing or wrong admin token: send "Authorization: Bearer TOKEN" or open the dashboard URL printed at start.' });
      }
      // Active sessions' counters are written in batches: bring them up to date first, so
      // every answer reflects every acknowledged event. (If the disk is full, reads still
      // answer, from what is committed.)
      ctx.engine.syncCounters();
    }
    return undefined;
  });

  app.get('/health', async () => ({ status: 'ok' }));
  await app.register(async (scope) => collectorPlugin(scope, ctx));

  registerApi(app, ctx);
  registerStats(app, ctx);
  registerExplore(app, ctx);
  app.get('/api/live', (req, reply) => live.attach(req, reply));

  const dashboard = ctx.rendererDir !== null && existsSync(join(ctx.rendererDir, 'index.html')) ? ctx.rendererDir : null;
  if (dashboard !== null) {
    await app.register(fastifyStatic, { root: dashboard, index: false, wildcard: false, serve: true, prefix: '/' });
  }
  const sendIndex = (reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return dashboard === null ? reply.type('text/html').send(NOT_BUILT) : reply.sendFile('index.html');
  };

  // The dashboard URL printed at start carries the token once: it is swapped for an
  // HttpOnly cookie and the address bar is cleaned with a redirect.
  app.get('/', async (req: FastifyRequest<{ Querystring: { token?: string } }>, reply) => {
    const token = req.query.token;
    if (token !== undefined) {
      if (!tokenMatches(token, ctx.token)) {
        return reply.status(401).type('text/html').send('<!doctype html><meta charset="utf-8"><title>Footfall</title><p>This dashboard link has a wrong token. Use the URL Footfall printed when it started.</p>');
      }
      reply.header('set-cookie', `${cookieName(ctx.port)}=${encodeURIComponent(ctx.token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000`);
      return reply.redirect('/', 303);
    }
    return sendIndex(reply);
  });

  app.setNotFoundHandler((req, reply) => {
    const wantsPage = req.method === 'GET' && !req.url.startsWith('/api') && (req.headers.accept ?? '').includes('text/html');
    if (wantsPage) return sendIndex(reply);
    return reply.status(404).send({ detail: `No route ${req.method} ${req.url.split('?')[0]}.` });
  });

  return { app, live };
}
