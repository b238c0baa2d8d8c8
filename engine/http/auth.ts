import { createHash, timingSafeEqual } from 'node:crypto';
import { networkInterfaces, hostname } from 'node:os';
import { parse as parseCookie } from 'cookie';
import type { FastifyRequest } from 'fastify';
import { parseHost } from './host';

export const cookieName = (port: number): string => `footfall_token_${port}`;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares in constant time (both sides hashed first, so lengths never leak either). */
export function tokenMatches(given: string, token: string): boolean {
  return timingSafeEqual(digest(given), digest(token));
}

/** The token a request carries: `Authorization: Bearer ...` or the dashboard's cookie. */
export function requestToken(req: FastifyRequest, port: number): string | null {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    return m ? m[1]!.trim() : null;
  }
  const header = req.headers.cookie;
  if (header === undefined) return null;
  return parseCookie(header)[cookieName(port)] ?? null;
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/**
 * Host names the admin API answers to. A page on another site that rebinds its own DNS
 * name to 127.0.0.1 still sends its own name in `Host`, so it is refused.
 */
export function allowedHosts(host: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', '::1', host.toLowerCase()]);
  if (host.includes(':') && !host.startsWith('[')) names.add(`[${host.toLowerCase()}]`);
  if (WILDCARD.has(host)) {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) names.add(a.family === 'IPv6' ? `[${a.address.toLowerCase()}]` : a.address);
    }
  }
  return names;
}

/** The host name of a `Host` header, without its port; null when malformed (see host.ts). */
export function hostOf(header: string | undefined): string | null {
  return parseHost(header)?.name ?? null;
}
