import { EVENT_FILTER_DIMS, PATH_DIM, PROP_PREFIX, SESSION_FILTER_DIMS, pathOf, type Filter } from '../../../shared/explore';

const NAMES: Record<string, string> = {
  browser: 'Browser',
  os: 'OS',
  device: 'Device',
  channel: 'Channel',
  referrer: 'Referrer',
  utm_source: 'UTM source',
  utm_medium: 'UTM medium',
  utm_campaign: 'UTM campaign',
  landing: 'Landing page',
  exit: 'Exit page',
  visit_number: 'Visit number',
  source: 'Event source',
  page: 'Visited page',
  event_type: 'Has event',
  path: 'Path',
};

/** What a filter's dimension is called on a chip. */
export function dimLabel(dim: string): string {
  return dim.startsWith(PROP_PREFIX) ? `Property ${dim.slice(PROP_PREFIX.length)}` : (NAMES[dim] ?? dim);
}

/** A filter's value as a chip shows it (a path as its pages in order). */
export function valueLabel(f: Filter): string {
  return f.dim === PATH_DIM ? (pathOf(f.value) ?? []).join(' → ') : f.value;
}

/** Breakdown dimensions a click can filter by (duration buckets are not a filter). */
export const FILTERABLE: ReadonlySet<string> = new Set([...SESSION_FILTER_DIMS, ...EVENT_FILTER_DIMS]);
