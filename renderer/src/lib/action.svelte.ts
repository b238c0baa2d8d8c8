import { toApiError, type ApiError } from './api';

/**
 * One thing the user can set off (save, delete, send): while it runs `busy` disables the
 * controls that start it; if it fails, `error` holds what to show. One instance per group of
 * controls that must not run at once.
 */
export class Action {
  busy = $state(false);
  error = $state.raw<ApiError | null>(null);

  /** Runs `fn` (the call and what follows its success); answers whether it succeeded. */
  async run(fn: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await fn();
      return true;
    } catch (e) {
      this.error = toApiError(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
