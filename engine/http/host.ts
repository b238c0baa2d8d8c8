/** A `Host` header (or the host part of an Origin), parsed: its name and optional port. */
export interface HostPort {
  /** Lower-cased; an IPv6 address keeps its brackets (`[::1]`). */
  name: string;
  port: number | null;
}

// A name is letters, digits, `-`, `_` and dots (IPv4 included); an IPv6 literal is hex,
// colons and dots in brackets. Then at most a `:` and digits. Nothing else: a lenient split
// at the first colon let `localhost:8686@evil` and `localhost:8686.evil.test` through.
const HOST = /^(?:([a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?)|(\[[0-9a-f:.]+\]))(?::(\d{1,5}))?$/i;

/** The parsed header, or null when it is not exactly `name[:port]`. */
export function parseHost(header: string | undefined): HostPort | null {
  if (header === undefined) return null;
  const m = HOST.exec(header);
  if (!m) return null;
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && port > 65535) return null;
  return { name: (m[1] ?? m[2])!.toLowerCase(), port };
}

/** How many `Host` headers a request carried (Node keeps only the first in `headers`). */
export function hostHeaderCount(rawHeaders: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'host') n++;
  return n;
}

/** Why a request's Host is malformed (400), or null when it is one well-formed header. */
export function hostRefusal(rawHeaders: readonly string[], header: string | undefined): string | null {
  const count = hostHeaderCount(rawHeaders);
  if (count > 1) return `The request has ${count} Host headers; send exactly one.`;
  if (parseHost(header) === null) return `Host "${header ?? ''}" is not a host name with an optional :port; send exactly one Host header such as 127.0.0.1:8686.`;
  return null;
}
