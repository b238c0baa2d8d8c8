/**
 * Ids in admin API paths (`/api/sessions/:id`). An id is any string a tracker sends, so it
 * is percent-encoded; but `.` and `..` stay dot segments even encoded (`%2E%2E`), which a
 * browser removes from a path before sending it (`/api/sessions/..` is fetched as `/api/`).
 * Those two travel in the query instead, behind a placeholder segment: any `:id` route
 * takes `/api/sessions/-?id=..` as the session `..` (engine/http/ids.ts). Without `?id`,
 * `-` is the id `-` as usual.
 */
export const ID_IN_QUERY = '-';

/** `${base}/${id}${rest}`, with the id as a browser can send it. */
export function idPath(base: string, id: string, rest = ''): string {
  if (id === '.' || id === '..') return `${base}/${ID_IN_QUERY}${rest}?id=${encodeURIComponent(id)}`;
  return `${base}/${encodeURIComponent(id)}${rest}`;
}
