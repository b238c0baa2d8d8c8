import type { Page } from '../../../shared/api';
import { withQuery } from './api';
import { Paging } from './paging.svelte';
import { Query } from './query.svelte';

type Params = Record<string, string | number | boolean | readonly string[] | null | undefined>;

/**
 * A list the API pages with cursors (`GET path?params` → `{ items, next }`), as a table shows
 * it: the current page, paging back and forth, and whether an empty page means nothing has
 * been recorded yet rather than nothing matching the filters. Construct it during component
 * setup (it owns two Query effects).
 */
export class PagedList<T> {
  readonly #paging = new Paging();
  /** The filters and sort of the list: a change of them is back to page 1. */
  readonly #key: string;
  readonly query: Query<Page<T>>;
  /** Asked only when the filtered list is empty: is there anything at all? */
  readonly #any: Query<Page<T>>;

  constructor(path: string, params: () => Params) {
    this.#key = $derived(JSON.stringify(params()));
    this.query = new Query(() => withQuery(path, { ...params(), cursor: this.#paging.cursor(this.#key) }));
    this.#any = new Query(() => (this.query.data && this.query.data.items.length === 0 ? `${path}?limit=1` : null));
  }

  get items(): T[] {
    return this.query.data?.items ?? [];
  }

  get nothingYet(): boolean {
    return this.query.data?.items.length === 0 && this.#any.data?.items.length === 0;
  }

  get page(): number {
    return this.#paging.page(this.#key);
  }

  get hasNext(): boolean {
    return this.query.data?.next != null;
  }

  prev(): void {
    this.#paging.prev(this.#key);
  }

  next(): void {
    const cursor = this.query.data?.next;
    if (cursor) this.#paging.next(this.#key, cursor);
  }
}
