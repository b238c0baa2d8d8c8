import type { InfoView } from '../../../shared/api';
import { api, toApiError, type ApiError } from './api';

/** What this Footfall is (collector URL, default source): loaded once at start. */
class Info {
  data = $state.raw<InfoView | null>(null);
  error = $state.raw<ApiError | null>(null);

  async load(): Promise<void> {
    try {
      this.data = await api<InfoView>('/api/info');
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    }
  }
}

export const info = new Info();
