import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import type { AppContext } from '../context';
import { LIMITS } from '../../shared/limits';
import { registerApi } from './api';
import { registerForwarding } from './forwarding';
import { registerStats } from './stats';
import { registerExport } from './export';
import { registerTester } from './tester';
import { registerExplore } from './explore';
import { registerPlan } from './plan';
import { allowedHosts, cookieName, hostOf, requestToken, tokenMatches } from './auth';
import { collectorPlugin } from './collector';
import { installBodyDecoding } from './encoding';
import { installJsonParsers } from './raw-body';
import { installErrorHandlers } from './errors';
import { installRequestChecks } from './guards';
import { installIdInQuery } from './ids';
import { parseWith, repeatedParam } from './query';
import { trafficParams, trafficSet } from './traffic';
import { installWriteGuard } from './origin';
import { LiveHub } from './live';
import { clientErrorHandler, frameworkErrors, installClosingAnswer, MAX_PARAM_LENGTH } from './transport';

const PUBLIC_PREFIXES = ['/track', '/tracker', '/health'];

const isApiPath = (path: string): boolean => path.startsWith('/api/') || path === '/api';

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
    // Each answers {detail} (transport.ts), where Fastify's own would be {error, message, statusCode}.
    return503OnClosing: false,
    clientErrorHandler,
    frameworkErrors,
    // A request without Host reaches the Host check (a 400 that says so) instead of Node's bare 400.
    http: { requireHostHeader: false },
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
  });
  installClosingAnswer(app);
  installIdInQuery(app);
  const live = new LiveHub(ctx.engine, ctx.queries.asCommitted);
  installErrorHandlers(app, ctx.log);

  installBodyDecoding(app, LIMITS.bodyBytes);
  installJsonParsers(app, LIMITS.bodyBytes);

  const hosts = allowedHosts(ctx.host);
  installRequestChecks(app, { isPublic: (req) => isPublic(checkedPath(req)), isApi: (req) => isApiPath(checkedPath(req)) });
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
    }
    return undefined;
  });
  // After the token check: a request without the token hears that first.
  installWriteGuard(app, (req) => !isPublic(checkedPath(req)));

  app.get('/health', async () => ({ status: 'ok' }));
  await app.register(async (scope) => collectorPlugin(scope, ctx));

  registerApi(app, ctx);
  registerForwarding(app, ctx);
  registerStats(app, ctx);
  registerExplore(app, ctx);
  registerPlan(app, ctx);
  registerTester(app, ctx);
  registerExport(app, ctx);
  const liveQuery = z.object(trafficParams);
  app.get('/api/live', (req, reply) => live.attach(req, reply, trafficSet(parseWith(liveQuery, req.query))));

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
  app.get('/', async (req: FastifyRequest<{ Querystring: { token?: string | string[] } }>, reply) => {
    const token = req.query.token;
    if (Array.isArray(token)) return reply.status(400).send({ detail: repeatedParam({ token }) });
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
