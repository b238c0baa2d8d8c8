import { CLS, type SessionRow, type TrafficClass } from '../db/rows';
import { newEventId } from '../util/ids';
import { DEBUG_SESSION_ID, isPageView, type SystemEventType } from '../../shared/rules';
import type { ActiveSessions, SessionState } from './active';
import { asObject, asString, browserContext, classifyChannel, extractUtm, pageKeyOf, parseUrl, referrerHost, type UserAgentInfo } from './enrich';
import type { ProfileState } from './profiles';
import type { PreparedEvent, PreparedRequest } from './requests';
import type { Scratch } from './scratch';
import type { EngineSettings } from './settings';
import type { Statements } from './statements';
import { fitStoredContext } from './stored-context';

/** Writes one of the engine's own events (it is in the commit notice like any other). */
export function writeSystemEvent(
  q: Statements,
  tx: Scratch,
  type: SystemEventType,
  sessionPk: number,
  profilePk: number,
  sourceId: string,
  debug: boolean,
  now: number,
  properties: Record<string, unknown>,
  pageUrl: string | null,
): void {
  const r = q.insertEvent.run(newEventId(now), type, now, sessionPk, profilePk, sourceId, debug ? 1 : 0, 1, pageUrl, JSON.stringify(properties), null);
  tx.notice.events.push(Number(r.lastInsertRowid));
}

/** Starting a visit (its row, enrichment, `visit-started`, its rollups) and recording the events of one. */
export class Visits {
  constructor(
    private readonly q: Statements,
    private readonly active: ActiveSessions,
    private readonly settings: EngineSettings,
  ) {}

  /**
   * Starts the session `key` names, for `profile`, with `first` as its first event (not
   * recorded here): a continuation of `previous` when that visit ended, the debug session
   * for a debug event.
   */
  start(tx: Scratch, key: string, profile: ProfileState, previous: SessionRow | null, req: PreparedRequest, first: PreparedEvent, ua: UserAgentInfo, now: number): SessionState {
    const debug = first.debug;
    const ctx = req.context;
    const url = parseUrl(first.pageUrl);
    const refHost = referrerHost(first.page, url);
    const utm = extractUtm(url, ctx.utm ?? first.page?.utm);
    const channel = classifyChannel(utm, refHost);
    const browser = browserContext(ctx);
    const tz = asString(asObject(ctx.time)?.tz, 64);
    const cls: TrafficClass = debug ? CLS.debug : ua.bot ? CLS.bot : CLS.people;
    const visitNumber = debug ? 0 : profile.visitCount + 1;
    const id = debug ? DEBUG_SESSION_ID : previous !== null ? this.continuationId(previous.client_id) : key;

    if (!debug) {
      this.q.profileVisit.run({ now, tz, pk: profile.pk });
      profile.visitCount = visitNumber;
      profile.debug = false;
    }
    const resolution = browser.screen ? `${browser.screen.width}x${browser.screen.height}` : null;
    const stored: Record<string, unknown> = { ...ctx };
    delete stored.page;
    stored.device = { brand: ua.deviceBrand, model: ua.deviceModel, resolution };
    if (browser.userAgent === null) stored.userAgent = req.userAgent;
    const info = {
      id,
      clientId: debug ? DEBUG_SESSION_ID : previous !== null ? previous.client_id : key,
      previousPk: previous?.pk ?? null,
      profilePk: profile.pk,
      sourceId: req.sourceId,
      debug: debug ? 1 : 0,
      bot: ua.bot ? 1 : 0,
      startedAt: now,
      visitNumber,
      returning: visitNumber > 1 ? 1 : 0,
      device: ua.device,
      browser: ua.browser,
      browserVersion: ua.browserVersion,
      os: ua.os,
      osVersion: ua.osVersion,
      language: browser.language,
      tz,
      referrerHost: refHost,
      channel,
      utmSource: utm.source,
      utmMedium: utm.medium,
      utmCampaign: utm.campaign,
      utmTerm: utm.term,
      utmContent: utm.content,
    };
    const pk = Number(this.q.insertSession.run(info).lastInsertRowid);
    const fitted = fitStoredContext(stored);
    this.q.insertContext.run(pk, fitted.json);
    if (fitted.warning !== null && !req.warnings.includes(fitted.warning)) req.warnings.push(fitted.warning);
    const state: SessionState = {
      pk,
      id,
      clientId: info.clientId,
      profilePk: profile.pk,
      profileId: profile.id,
      sourceId: req.sourceId,
      debug,
      cls,
      startedAt: now,
      lastAt: now,
      events: 0,
      pageViews: 0,
      keyEvents: 0,
      landingPage: null,
      exitPage: null,
      landingKey: null,
      exitKey: null,
      keys: [],
    };
    this.active.remember(state, key);
    tx.notice.started.push(pk);

    this.announce(tx, profile, state, now);
    if (!debug) {
      writeSystemEvent(this.q, tx, 'visit-started', pk, profile.pk, req.sourceId, false, now, {
        visitNumber,
        returning: visitNumber > 1,
        previousSession: previous ? { id: previous.id } : null,
        channel,
      }, first.pageUrl);
      const r = tx.rollups;
      r.addSession(now, cls, { sessions: 1, newProfiles: visitNumber === 1 ? 1 : 0 });
      r.addDim('browser', now, cls, ua.browser ?? 'Unknown');
      r.addDim('os', now, cls, ua.os ?? 'Unknown');
      r.addDim('device', now, cls, ua.device);
      r.addDim('channel', now, cls, channel);
      if (refHost) r.addDim('referrer', now, cls, refHost);
      if (utm.source) r.addDim('utm_source', now, cls, utm.source);
      if (utm.medium) r.addDim('utm_medium', now, cls, utm.medium);
      if (utm.campaign) r.addDim('utm_campaign', now, cls, utm.campaign);
      r.addDim('visit_number', now, cls, visitNumber >= 10 ? '10+' : String(visitNumber));
    }
    return state;
  }

  /** Writes `profile-created` into the first session a profile made in this transaction appears in. */
  announce(tx: Scratch, profile: ProfileState, s: SessionState, now: number): void {
    if (tx.unannounced.delete(profile.pk)) {
      writeSystemEvent(this.q, tx, 'profile-created', s.pk, profile.pk, s.sourceId, s.debug, now, { id: profile.id }, null);
    }
  }

  /** Writes a tracked event into its session and counts it (the counters reach the row later). */
  record(tx: Scratch, s: SessionState, profile: ProfileState, ev: PreparedEvent, sourceId: string, now: number): void {
    const r = this.q.insertEvent.run(ev.id, ev.type, now, s.pk, profile.pk, sourceId, ev.debug ? 1 : 0, 0, ev.pageUrl, ev.properties, ev.context);
    tx.notice.events.push(Number(r.lastInsertRowid));
    const rollups = tx.rollups;
    s.lastAt = now;
    s.events++;
    if (isPageView(ev.type)) {
      s.pageViews++;
      if (ev.pageUrl !== null) {
        const key = pageKeyOf(ev.pageUrl);
        if (s.landingPage === null) {
          s.landingPage = ev.pageUrl;
          s.landingKey = key;
          if (!s.debug && key !== null) rollups.addDim('landing', s.startedAt, s.cls, key);
        }
        s.exitPage = ev.pageUrl;
        s.exitKey = key;
        if (key !== null) rollups.addDim('page', now, s.cls, key);
      }
    }
    if (this.settings.keyTypes.has(ev.type)) s.keyEvents++;
    this.active.changed(s);
    rollups.addDim('event_type', now, s.cls, ev.type);
  }

  /** `ID~2`, `ID~3`, ...: the first free id of the visits continuing the tracker's id `clientId`. */
  private continuationId(clientId: string): string {
    for (let i = 2; ; i++) {
      const candidate = `${clientId}~${i}`;
      if (this.q.sessionById.get(candidate) === undefined) return candidate;
    }
  }
}
