/**
 * Cursor paging for one list. The API hands out the cursor of the next page; the cursors
 * of the pages before are kept here. They belong to one set of filters (`key`): when the
 * filters change, the list is back on page 1 without anything having to reset it.
 */
export class Paging {
  #key = $state('');
  #stack = $state<string[]>([]);

  cursor(key: string): string | null {
    return this.#key === key ? (this.#stack.at(-1) ?? null) : null;
  }

  page(key: string): number {
    return this.#key === key ? this.#stack.length + 1 : 1;
  }

  next(key: string, cursor: string): void {
    if (this.#key !== key) {
      this.#key = key;
      this.#stack = [];
    }
    this.#stack.push(cursor);
  }

  prev(key: string): void {
    if (this.#key === key) this.#stack.pop();
  }
}
