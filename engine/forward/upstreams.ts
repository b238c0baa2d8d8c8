import { createHash } from 'node:crypto';

/**
 * The upstreams Footfall forwards to, as URLs: `clickhouse+http(s)://[USER:PASSWORD@]HOST[:PORT]/DATABASE`
 * and `track+http(s)://[USER:PASSWORD@]HOST[:PORT]/PATH?source=ID` (a Tracardi-compatible
 * `/track`). Credentials are for the request only: every URL shown (log, API, dashboard)
 * and the outbox's key is the one without them.
 */

export type UpstreamKind = 'clickhouse' | 'track';

export interface Upstream {
  kind: UpstreamKind;
  /** The URL as given, credentials included: kept in the settings, never shown. */
  raw: string;
  /** The URL without credentials: what is shown, and the outbox's key. */
  url: string;
  /** A short stable id of `url`, for the API's paths. */
  id: string;
  /** Where requests go: `http(s)://HOST:PORT` (ClickHouse) or the `/track` URL itself. */
  endpoint: string;
  username: string | null;
  password: string | null;
  /** ClickHouse: the database the tables are in. */
  database: string;
  /** Track: the upstream's event source. */
  source: string;
  /** Every text that must never be shown: the password, as given and decoded, longest first. */
  secrets: string[];
}

/** A URL that is not an upstream Footfall can use; the message never holds its credentials. */
export class UpstreamUrlError extends Error {
  override readonly name = 'UpstreamUrlError';
}

const SCHEMES: Record<string, { kind: UpstreamKind; transport: 'http' | 'https' }> = {
  'clickhouse+http:': { kind: 'clickhouse', transport: 'http' },
  'clickhouse+https:': { kind: 'clickhouse', transport: 'https' },
  'track+http:': { kind: 'track', transport: 'http' },
  'track+https:': { kind: 'track', transport: 'https' },
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parses an upstream URL; throws UpstreamUrlError saying what is wrong (never quoting a credential). */
export function parseUpstream(raw: string): Upstream {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    // The text itself may hold a password: only its scheme is quoted.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(text)?.[0] ?? '';
    throw new UpstreamUrlError(`${scheme ? `"${scheme}//…"` : 'the upstream'} is not a URL; use clickhouse+http://HOST:PORT/DATABASE or track+http://HOST:PORT/track?source=ID.`);
  }
  const scheme = SCHEMES[u.protocol];
  if (!scheme) {
    throw new UpstreamUrlError(`"${u.protocol}" upstreams are not known; use clickhouse+http(s)://HOST:PORT/DATABASE or track+http(s)://HOST:PORT/track?source=ID.`);
  }
  if (u.hostname === '') throw new UpstreamUrlError(`${u.protocol}// needs a host.`);
  const username = u.username === '' ? null : decoded(u.username);
  const password = u.password === '' ? null : decoded(u.password);
  // The password in each spelling; the user name is who, not a secret, and is shown nowhere either.
  const secrets = [u.password, password].filter((s): s is string => s !== null && s !== '');
  const hostPort = u.port === '' ? u.hostname : `${u.hostname}:${u.port}`;
  const base = `${u.protocol}//${hostPort}`;
  const params = [...u.searchParams.keys()];
  const common = { raw: text, username, password, secrets: [...new Set(secrets)].sort((a, b) => b.length - a.length) };

  if (scheme.kind === 'clickhouse') {
    const db = decoded(u.pathname.replace(/^\/+|\/+$/g, '')) || 'default';
    const shown = `${base}/${db}`;
    if (!IDENTIFIER.test(db)) throw new UpstreamUrlError(`${base}/…: the database name may hold letters, digits and _ only (and not start with a digit).`);
    if (params.length > 0) throw new UpstreamUrlError(`${shown}: "${params[0]}" is not a parameter of a ClickHouse upstream (give user and password as USER:PASSWORD@ before the host).`);
    const port = u.port === '' ? (scheme.transport === 'https' ? '8443' : '8123') : u.port;
    return { ...common, kind: 'clickhouse', url: shown, id: idOf(shown), endpoint: `${scheme.transport}://${u.hostname}:${port}`, database: db, source: '' };
  }

  const path = u.pathname === '' || u.pathname === '/' ? '/track' : u.pathname;
  const sources = u.searchParams.getAll('source');
  const shownBase = `${base}${path}`;
  if (sources.length !== 1 || sources[0]!.trim() === '') throw new UpstreamUrlError(`${shownBase}: needs ?source=ID, the upstream's event source (once).`);
  const other = params.find((p) => p !== 'source');
  if (other !== undefined) throw new UpstreamUrlError(`${shownBase}: "${other}" is not a parameter of a track upstream (only source).`);
  const source = sources[0]!;
  const shown = `${shownBase}?source=${encodeURIComponent(source)}`;
  return { ...common, kind: 'track', url: shown, id: idOf(shown), endpoint: `${scheme.transport}://${hostPort}${path}`, database: '', source };
}

function idOf(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 10);
}

/** `text` with every secret of the upstreams replaced: for error messages that may quote a request. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.replaceAll(s, '[redacted]');
  return out;
}
