import { router } from './router.svelte';
import { formatFilter, parseFilter, type Filter } from '../../../shared/explore';
import { DEFAULT_PRESET, comparison, resolveRange, type PresetId } from './range';

export { PRESETS, DEFAULT_PRESET, isoDate, presetRange, resolveRange, type PresetId, type ResolvedRange } from './range';

/** The user's IANA time zone: charts are cut in it and times shown in it. */
export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * What every view filters by, kept in the URL: the date range (`range=<preset>` or custom
 * `from=YYYY-MM-DD&to=YYYY-MM-DD`, local dates, both included) and whether bot and debug
 * traffic count. The one place the dashboard turns the traffic toggle into API parameters.
 */
class Filters {
  range = $derived(resolveRange(router.params));
  /** Include bot and debug traffic (off by default: charts show people). */
  all = $derived(router.params.get('all') === '1');
  /** Explore's filters (`filter=DIM:VALUE`, repeatable; shared/explore.ts), shown as chips under the header. */
  list = $derived(router.params.getAll('filter').map(parseFilter).filter((f): f is Filter => typeof f !== 'string'));
  /**
   * The period the range is compared with (the same stretch of the one before, while the
   * range is not over), as of when the range was chosen, like the range itself.
   */
  compare = $derived(comparison(this.range, new Date()));

  /** Parameters of every stats call. */
  stats = $derived({
    from: this.range.from.toISOString(),
    to: this.range.to.toISOString(),
    tz: timeZone,
    bots: this.all ? 'true' : null,
    debug: this.all ? 'true' : null,
    filter: this.list.map(formatFilter),
  });

  /** The same, as the JSON body of a POST read (a funnel). */
  body = $derived({ from: this.stats.from, to: this.stats.to, tz: timeZone, bots: this.all, debug: this.all, filter: this.stats.filter });

  /** Adds a filter (the same one twice is one). */
  addFilter(f: Filter): void {
    const raw = this.list.map(formatFilter);
    if (!raw.includes(formatFilter(f))) router.update({ filter: [...raw, formatFilter(f)] });
  }

  removeFilter(i: number): void {
    router.update({ filter: this.list.filter((_, j) => j !== i).map(formatFilter) });
  }

  /** Turns "is" into "is not" and back. */
  negateFilter(i: number): void {
    router.update({ filter: this.list.map((f, j) => formatFilter(j === i ? { ...f, negate: !f.negate } : f)) });
  }

  clearFilters(): void {
    router.update({ filter: null });
  }

  /** The overview's: the stats parameters and the period to compare with. */
  overview = $derived({ ...this.stats, compareFrom: this.compare.from.toISOString(), compareTo: this.compare.to.toISOString() });

  /** Traffic parameters of the session and profile lists (off: people only; on: everything). */
  lists = $derived({ debug: this.all ? null : 'false', bot: this.all ? null : 'false' });

  setPreset(id: PresetId): void {
    router.update({ range: id === DEFAULT_PRESET ? null : id, from: null, to: null });
  }

  setCustom(from: string, to: string): void {
    router.update({ range: null, from, to });
  }

  setAll(all: boolean): void {
    router.update({ all: all ? '1' : null });
  }
}

export const filters = new Filters();
