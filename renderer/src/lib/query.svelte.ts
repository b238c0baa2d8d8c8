import { api, toApiError, type ApiError } from './api';

/** A read the API takes as a POST with a JSON body (a funnel's steps do not fit a URL). */
export interface PostRead {
  path: string;
  body: unknown;
}

/**
 * Data of one API URL (or POST read), loaded whenever it changes (aborting the previous load).
 * The previous answer stays shown while the next loads, so charts update in place instead
 * of blinking. Construct it during component setup: it owns the one effect that loads.
 */
export class Query<T> {
  data = $state.raw<T | undefined>(undefined);
  error = $state.raw<ApiError | null>(null);
  loading = $state(false);
  #version = $state(0);

  constructor(url: () => string | PostRead | null) {
    $effect(() => {
      const u = url();
      void this.#version;
      if (u === null) return;
      const ctrl = new AbortController();
      this.loading = true;
      const call = typeof u === 'string' ? api<T>(u, { signal: ctrl.signal }) : api<T>(u.path, { method: 'POST', body: u.body, signal: ctrl.signal });
      call.then(
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
