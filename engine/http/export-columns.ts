import { errorLine } from '../../shared/plan';
import type { EventView, ProfileView, SessionView } from '../../shared/api';

/**
 * The columns of each CSV export: the list items' fields, flattened, one row an item.
 * Objects (properties, context) are written as their JSON. NDJSON exports carry the items
 * whole, as the lists answer them.
 */
export type ExportKind = 'events' | 'sessions' | 'profiles';

type Column<T> = [header: string, value: (item: T) => unknown];

const EVENT: ReadonlyArray<Column<EventView>> = [
  ['id', (e) => e.id],
  ['type', (e) => e.type],
  ['time', (e) => e.metadata.time.insert],
  ['session', (e) => e.session.id],
  ['profile', (e) => e.profile.id],
  ['source', (e) => e.source.id],
  ['traffic', (e) => e.metadata.traffic],
  ['system', (e) => e.metadata.system],
  ['page_url', (e) => e.page.url],
  ['properties', (e) => e.properties],
  ['context', (e) => e.context],
  ['warnings', (e) => (e.metadata.warnings.length > 0 ? e.metadata.warnings : null)],
  // Its verdict against the tracking plan (empty without one), and the rules it broke.
  ['validation', (e) => e.metadata.validation?.status ?? null],
  ['validation_errors', (e) => (e.metadata.validation !== null && e.metadata.validation.errors.length > 0 ? e.metadata.validation.errors.map(errorLine) : null)],
];

const SESSION: ReadonlyArray<Column<SessionView>> = [
  ['id', (s) => s.id],
  ['profile', (s) => s.profile.id],
  ['source', (s) => s.source.id],
  ['status', (s) => s.metadata.status],
  ['traffic', (s) => s.metadata.traffic],
  ['started', (s) => s.metadata.time.insert],
  ['last_activity', (s) => s.metadata.time.update],
  ['ended', (s) => s.metadata.time.end],
  ['duration', (s) => s.metadata.time.duration],
  ['end_reason', (s) => s.metadata.endReason],
  ['visit_number', (s) => s.metadata.visitNumber],
  ['returning', (s) => s.metadata.returning],
  ['previous', (s) => s.metadata.previous?.id ?? null],
  ['events', (s) => s.stats.events],
  ['page_views', (s) => s.stats.pageViews],
  ['key_events', (s) => s.stats.keyEvents],
  ['landing_page', (s) => s.context.landingPage],
  ['exit_page', (s) => s.context.exitPage],
  ['channel', (s) => s.context.channel],
  ['referrer', (s) => s.context.referrer.host],
  ['device', (s) => s.device.type],
  ['browser', (s) => s.app.name],
  ['browser_version', (s) => s.app.version],
  ['os', (s) => s.os.name],
  ['os_version', (s) => s.os.version],
  ['language', (s) => s.app.language],
  ['tz', (s) => s.context.time.tz],
  ['utm_source', (s) => s.utm.source],
  ['utm_medium', (s) => s.utm.medium],
  ['utm_campaign', (s) => s.utm.campaign],
  ['utm_term', (s) => s.utm.term],
  ['utm_content', (s) => s.utm.content],
];

const PROFILE: ReadonlyArray<Column<ProfileView>> = [
  ['id', (p) => p.id],
  ['first_seen', (p) => p.metadata.time.insert],
  ['last_seen', (p) => p.metadata.time.update],
  ['visits', (p) => p.stats.visits],
  ['page_views', (p) => p.stats.views],
  ['events', (p) => p.stats.events],
  ['tz', (p) => p.metadata.time.visit.tz],
  ['debug', (p) => p.metadata.debug],
  ['bot', (p) => p.metadata.bot],
  ['traits', (p) => p.traits],
];

// Each list's own item type is checked above; the exporter writes them through `unknown`.
export const EXPORT_COLUMNS: Record<ExportKind, ReadonlyArray<Column<never>>> = { events: EVENT, sessions: SESSION, profiles: PROFILE };

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; objects as JSON; null empty. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(columns: ReadonlyArray<Column<never>>): string {
  return `${columns.map(([h]) => h).join(',')}\r\n`;
}

export function csvLine(columns: ReadonlyArray<Column<never>>, item: unknown): string {
  return `${columns.map(([, value]) => csvField(value(item as never))).join(',')}\r\n`;
}
