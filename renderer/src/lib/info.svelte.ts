import type { InfoView } from '../../../shared/api';
import { ApiError, api } from './api';

/** What this Footfall is (collector URL, default source): loaded once at start. */
class Info {
  data = $state.raw<InfoView | null>(null);
  error = $state.raw<ApiError | null>(null);

  async load(): Promise<void> {
    try {
      this.data = await api<InfoView>('/api/info');
      this.error = null;
    } catch (e) {
      this.error = e instanceof ApiError ? e : new ApiError(0, String(e));
    }
  }
}

export const info = new Info();
