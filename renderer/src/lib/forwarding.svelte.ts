import type { ForwardingView, UpstreamView } from '../../../shared/api';
import { Query } from './query.svelte';

/** The upstreams' state, loaded again every few seconds while the component that made it is shown. */
export function forwardingStatus(everyMs = 3000): Query<ForwardingView> {
  const q = new Query<ForwardingView>(() => '/api/forwarding');
  $effect(() => {
    const timer = setInterval(() => q.reload(), everyMs);
    return () => clearInterval(timer);
  });
  return q;
}

/** An upstream that is failing right now. */
export const failing = (u: UpstreamView): boolean => u.lastError !== null;
