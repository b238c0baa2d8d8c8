/** Limits the collector enforces; each has its own error text, and the README lists them. */
export const LIMITS = {
  /** Largest request body accepted by `/track`, in bytes. */
  bodyBytes: 1024 * 1024,
  /** Most events in one request. */
  eventsPerRequest: 1000,
  /** Longest id (source, session, profile, event). */
  idLength: 128,
  /** Longest event type. */
  typeLength: 128,
  /** Deepest nesting inside `properties`, `context` or `options`. */
  depth: 16,
  /** Largest JSON of one event's properties plus context, in characters. */
  eventJsonChars: 64 * 1024,
} as const;
