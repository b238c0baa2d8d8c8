import type { EventView } from '../../../shared/api';
import { duration, plural } from './format';

/** A few words for the engine's own events (their properties are bookkeeping); null for others. */
export function systemSummary(e: EventView): string | null {
  if (e.type === 'visit-ended') {
    const p = e.properties as { reason?: unknown; duration?: unknown; pageViews?: unknown };
    return `ended by ${String(p.reason ?? '?')} after ${duration(typeof p.duration === 'number' ? p.duration : null)}, ${plural(typeof p.pageViews === 'number' ? p.pageViews : 0, 'page view')}`;
  }
  if (e.type === 'visit-started') {
    const p = e.properties as { visitNumber?: unknown; channel?: unknown };
    return `visit ${String(p.visitNumber ?? '?')} · ${String(p.channel ?? '')}`;
  }
  if (e.type === 'profile-created') return 'new profile';
  return null;
}
