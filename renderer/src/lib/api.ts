/** An API call that failed: `status` 0 means Footfall could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Any failure as an ApiError; what is not one already (a network error, bad JSON) gets status 0. */
export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, String(e));
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * Calls the admin API (same origin; the HttpOnly cookie set by the dashboard URL carries the
 * token) and answers its JSON. Errors become ApiError with the server's `detail`.
 */
export async function api<T>(path: string, opts: CallOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers: opts.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
      credentials: 'same-origin',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, `Footfall did not answer at ${location.origin}: is it still running?`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: handled below
  }
  if (!res.ok) {
    const detail = json !== null && typeof json === 'object' && 'detail' in json ? String((json as { detail: unknown }).detail) : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, detail);
  }
  return json as T;
}

/** `path?query` from defined, non-empty parameters; a list is the parameter repeated (`filter=a&filter=b`). */
export function withQuery(path: string, params: Record<string, string | number | boolean | readonly string[] | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const x of v) q.append(k, x);
    else if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}
