import { router } from './router.svelte';

/**
 * A list's sort column and direction, kept in the URL (`sort`, `order`) so a sorted list can
 * be bookmarked. The default column and descending order stay out of the URL.
 */
export class Sorting {
  readonly #fallback: string;
  readonly sort: string;
  readonly order: 'asc' | 'desc';

  constructor(fallback: string) {
    this.#fallback = fallback;
    this.sort = $derived(router.params.get('sort') ?? fallback);
    this.order = $derived(router.params.get('order') === 'asc' ? 'asc' : 'desc');
  }

  /** A click on a column header: the sorted column flips its order, another one sorts descending. */
  by(id: string): void {
    if (this.sort === id) router.update({ order: this.order === 'desc' ? 'asc' : null });
    else router.update({ sort: id === this.#fallback ? null : id, order: null });
  }

  ariaSort(id: string): 'ascending' | 'descending' | undefined {
    return this.sort === id ? (this.order === 'asc' ? 'ascending' : 'descending') : undefined;
  }

  /** The arrow shown after a sorted column's label. */
  arrow(id: string): string {
    return this.sort === id ? (this.order === 'asc' ? ' ↑' : ' ↓') : '';
  }
}
