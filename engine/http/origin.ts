import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseHost } from './host';

/** Methods that never change anything: the guard below leaves them alone. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a request that changes something may not, or null when it may. Browsers treat every
 * port of one host as the same *site*, so the dashboard's SameSite=Strict cookie goes along
 * with a request from the user's test site on another port: the cookie proves nothing about
 * who asked. What a page cannot forge is where the browser says it comes from:
 * - `Origin` (sent on every POST/PATCH/DELETE by current browsers, forms and beacons too)
 *   must be the origin the request was sent to, `http://` + its Host;
 * - without Origin, `Sec-Fetch-Site` must say `same-origin`;
 * - with neither, it is not a browser (curl, a script, CI): it must show the Bearer token,
 *   which no page can make a browser attach.
 */
export function writeRefusal(req: FastifyRequest): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (sameOrigin(origin, req.headers.host)) return null;
    return `Origin "${origin}" is not this dashboard's origin (http://${req.headers.host ?? ''}): admin changes are taken from the Footfall dashboard itself, or from a client with "Authorization: Bearer TOKEN" and no Origin.`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) {
    if (site === 'same-origin') return null;
    return `Sec-Fetch-Site "${site}": admin changes are taken from the Footfall dashboard itself (same origin) only.`;
  }
  if (/^Bearer\s/i.test(req.headers.authorization ?? '')) return null;
  return 'A request without Origin or Sec-Fetch-Site (not from a browser) must authenticate with "Authorization: Bearer TOKEN" to change anything; the dashboard cookie is not enough.';
}

/** `Origin` names exactly the scheme, host and port of the request's own Host header. */
function sameOrigin(origin: string, hostHeader: string | undefined): boolean {
  const host = parseHost(hostHeader);
  if (host === null) return false;
  const m = /^http:\/\/([^/?#]+)$/i.exec(origin);
  if (!m) return false;
  const from = parseHost(m[1]);
  if (from === null) return false;
  return from.name === host.name && (from.port ?? 80) === (host.port ?? 80);
}

/**
 * Why a write's body is refused, or null: admin writes take `application/json` only, so a
 * form or a beacon (`text/plain`, form encodings) never reaches a handler as JSON.
 */
export function bodyRefusal(req: FastifyRequest): string | null {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody) return null;
  const ct = req.headers['content-type'];
  const essence = ct?.split(';')[0]!.trim().toLowerCase();
  if (essence === 'application/json') return null;
  return `Content-Type "${ct ?? '(none)'}" is not accepted for admin changes: send the body as application/json.`;
}

/**
 * Installs the guard on every admin request that changes something (`isAdmin` tells the
 * admin paths from the public collector). Runs after the token check, so a request without
 * the token still hears that it needs one.
 */
export function installWriteGuard(app: FastifyInstance, isAdmin: (req: FastifyRequest) => boolean): void {
  app.addHook('onRequest', async (req, reply) => {
    if (SAFE_METHODS.has(req.method) || !isAdmin(req)) return undefined;
    const refused = writeRefusal(req);
    if (refused !== null) return reply.status(403).send({ detail: refused });
    const badBody = bodyRefusal(req);
    if (badBody !== null) return reply.status(415).send({ detail: badBody });
    return undefined;
  });
}
