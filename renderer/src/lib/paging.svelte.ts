import { PAGE_PARAM, router } from './router.svelte';

/**
 * Cursor paging for one list, kept in the URL like every other view state, so Back from a
 * row and a reload come back to the same page. The API hands out the cursor of the next
 * page; the URL holds the chain of cursors that led to this one (`cursor=c1.c2`: page 3),
 * so Previous works after a reload too. Cursors are base64url, which has no `.`. Changing
 * the filters removes the chain (router.update): another list starts at its first page.
 */
export class Paging {
  readonly #chain = $derived((router.params.get(PAGE_PARAM) ?? '').split('.').filter((c) => c !== ''));

  get cursor(): string | null {
    return this.#chain.at(-1) ?? null;
  }

  get page(): number {
    return this.#chain.length + 1;
  }

  next(cursor: string): void {
    router.update({ [PAGE_PARAM]: [...this.#chain, cursor].join('.') });
  }

  prev(): void {
    router.update({ [PAGE_PARAM]: this.#chain.slice(0, -1).join('.') || null });
  }
}
