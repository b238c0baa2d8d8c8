import { api, toApiError, type ApiError } from './api';

/**
 * Data of one API URL, loaded whenever the URL changes (aborting the previous load).
 * The previous answer stays shown while the next loads, so charts update in place instead
 * of blinking. Construct it during component setup: it owns the one effect that loads.
 */
export class Query<T> {
  data = $state.raw<T | undefined>(undefined);
  error = $state.raw<ApiError | null>(null);
  loading = $state(false);
  #version = $state(0);

  constructor(url: () => string | null) {
    $effect(() => {
      const u = url();
      void this.#version;
      if (u === null) return;
      const ctrl = new AbortController();
      this.loading = true;
      api<T>(u, { signal: ctrl.signal }).then(
        (d) => {
          if (ctrl.signal.aborted) return;
          this.data = d;
          this.error = null;
          this.loading = false;
        },
        (e: unknown) => {
          if (ctrl.signal.aborted) return;
          this.error = toApiError(e);
          this.loading = false;
        },
      );
      return () => ctrl.abort();
    });
  }

  /** Loads the same URL again. */
  reload(): void {
    this.#version++;
  }
}
