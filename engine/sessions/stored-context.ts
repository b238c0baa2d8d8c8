import { browserContext } from './enrich';

/** Most characters of JSON a session keeps of its first request's context. */
export const CONTEXT_CHARS = 16_384;

type Ctx = Record<string, unknown>;

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' ? v.slice(0, max) : undefined);
const obj = (v: unknown): Ctx => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Ctx) : {});
const UTM = ['source', 'medium', 'campaign', 'term', 'content'] as const;

/**
 * The keys Footfall reads back from a stored context, each with the few fields it reads:
 * what a key is cut down to when even the kept keys are too large (cutting a string value
 * keeps the JSON valid; cutting the JSON text does not).
 */
const KEPT: Record<string, (ctx: Ctx) => unknown> = {
  device: (c) => {
    const d = obj(c.device);
    return { brand: str(d.brand, 128) ?? null, model: str(d.model, 128) ?? null, resolution: str(d.resolution, 32) ?? null };
  },
  screen: (c) => browserContext(c).screen ?? {},
  browser: (c) => {
    const b = browserContext(c);
    return { userAgent: b.userAgent, language: b.language };
  },
  userAgent: (c) => str(c.userAgent, 1024),
  time: (c) => ({ tz: str(obj(c.time).tz, 64) }),
  utm: (c) => {
    const u = obj(c.utm);
    return Object.fromEntries(UTM.map((k) => [k, str(u[k] ?? u[`utm_${k}`], 512)]).filter(([, v]) => v !== undefined));
  },
};

/** Characters a member adds to an object's JSON: `"key":value`, and a comma unless it is alone. */
function memberChars(key: string, valueJson: string, members: number): number {
  return JSON.stringify(key).length + 1 + valueJson.length + (members > 1 ? 1 : 0);
}

function names(keys: readonly string[]): string {
  const shown = keys.slice(0, 10).map((k) => `context.${k.length > 64 ? `${k.slice(0, 61)}...` : k}`);
  return keys.length > 10 ? `${shown.join(', ')} and ${keys.length - 10} more` : shown.join(', ');
}

/**
 * The context a session stores, as JSON of at most `limit` characters: as it came when it
 * fits; else without the largest keys Footfall does not read, as many as it takes; else with
 * the keys it reads cut down to their fields. `warning` says what was left out, for the
 * /track answer's `warnings`.
 */
export function fitStoredContext(ctx: Ctx, limit = CONTEXT_CHARS): { json: string; warning: string | null } {
  const whole = JSON.stringify(ctx);
  if (whole.length <= limit) return { json: whole, warning: null };

  const out: Ctx = { ...ctx };
  let size = whole.length;
  let members = Object.keys(out).length;
  const measured = (k: string) => JSON.stringify(out[k]) ?? '';
  const others = Object.keys(out)
    .filter((k) => !Object.hasOwn(KEPT, k))
    .map((k) => [k, measured(k)] as const)
    .sort((a, b) => b[1].length - a[1].length);
  const dropped: string[] = [];
  for (const [k, v] of others) {
    if (size <= limit) break;
    size -= memberChars(k, v, members--);
    delete out[k];
    dropped.push(k);
  }
  const trimmed: string[] = [];
  if (size > limit) {
    const kept = Object.keys(out)
      .map((k) => [k, measured(k)] as const)
      .sort((a, b) => b[1].length - a[1].length);
    for (const [k] of kept) {
      if (JSON.stringify(out).length <= limit) break;
      out[k] = KEPT[k]!(ctx);
      trimmed.push(k);
    }
  }
  let json = JSON.stringify(out);
  // Cannot happen with the fields above (they add up to a few KB); never store more anyway.
  if (json.length > limit) json = JSON.stringify({ device: KEPT.device!(ctx) });

  const parts: string[] = [];
  if (dropped.length > 0) parts.push(`${names(dropped)} left out`);
  if (trimmed.length > 0) parts.push(`${names(trimmed)} trimmed to the fields Footfall reads`);
  return { json, warning: `The session's stored context holds at most ${limit} characters of JSON: ${parts.join('; ')}.` };
}
