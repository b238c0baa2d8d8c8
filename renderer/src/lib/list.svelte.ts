import type { Page } from '../../../shared/api';
import type { TrafficCounts } from '../../../shared/traffic';
import { withQuery } from './api';
import { Paging } from './paging.svelte';
import { Query } from './query.svelte';

type Params = Record<string, string | number | boolean | readonly string[] | null | undefined>;

/**
 * A list the API pages with cursors (`GET path?params` → `{ items, next }`), as a table shows
 * it: the current page (in the URL), paging back and forth, and whether an empty page means
 * nothing has been recorded yet rather than nothing matching the filters. With `counted`,
 * also how many items match in all (asked once per set of filters, not per page). Construct
 * it during component setup (it owns its Query effects).
 */
export class PagedList<T> {
  readonly #paging = new Paging();
  readonly query: Query<Page<T>>;
  /** Asked only when the filtered list is empty: is there anything at all? */
  readonly #any: Query<Page<T>>;
  readonly #count: Query<Page<T>> | null;

  constructor(path: string, params: () => Params, opts: { counted?: boolean } = {}) {
    this.query = new Query(() => withQuery(path, { ...params(), cursor: this.#paging.cursor }));
    // Of any traffic class: what the traffic filter hides has been recorded all the same.
    this.#any = new Query(() => (this.query.data && this.query.data.items.length === 0 ? `${path}?limit=1&traffic=all` : null));
    // The count does not depend on the order: a new sort does not count again.
    this.#count = opts.counted ? new Query(() => withQuery(path, { ...params(), limit: 1, total: 'true', sort: null, order: null })) : null;
  }

  /** How many items match the filters in all (null until known, or when not counted). */
  get total(): number | null {
    return this.#count?.data?.total ?? null;
  }

  /** With `counted`: the items the traffic filter leaves out, by class. */
  get hidden(): TrafficCounts | null {
    return this.#count?.data?.hidden ?? null;
  }

  get items(): T[] {
    return this.query.data?.items ?? [];
  }

  get nothingYet(): boolean {
    return this.query.data?.items.length === 0 && this.#any.data?.items.length === 0;
  }

  get page(): number {
    return this.#paging.page;
  }

  get hasNext(): boolean {
    return this.query.data?.next != null;
  }

  /** Loads the page shown, and the count, again (new items may have arrived). */
  reload(): void {
    this.query.reload();
    this.#count?.reload();
  }

  prev(): void {
    this.#paging.prev();
  }

  next(): void {
    const cursor = this.query.data?.next;
    if (cursor) this.#paging.next(cursor);
  }
}
