/**
 * Keeping the admin token out of logs. Every URL a log line quotes goes through redactUrl;
 * and Footfall's log function scrubs the token (and every upstream's password) from whatever
 * else a line says (an error message, a stack), so a log site added later cannot leak it either.
 */

const SHOWN = '[redacted]';

/** The query parameter's name as the server reads it, or the raw text where it does not decode. */
function paramName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** `url` with the value of every `token` parameter (any spelling of the name) replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const end = hash < 0 ? url.length : hash;
  const parts = url
    .slice(q + 1, end)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq >= 0 && paramName(p.slice(0, eq)).toLowerCase() === 'token' ? `${p.slice(0, eq + 1)}${SHOWN}` : p;
    });
  return `${url.slice(0, q + 1)}${parts.join('&')}${url.slice(end)}`;
}

/** A log function that never writes any of `secrets`, as given or URL-encoded. */
export function scrubbingLog(log: (msg: string) => void, secrets: () => ReadonlyArray<string | null>): (msg: string) => void {
  return (msg) => {
    let out = msg;
    for (const s of secrets()) {
      if (s === null || s === '') continue;
      out = out.replaceAll(s, SHOWN);
      const encoded = encodeURIComponent(s);
      if (encoded !== s) out = out.replaceAll(encoded, SHOWN);
    }
    log(out);
  };
}
