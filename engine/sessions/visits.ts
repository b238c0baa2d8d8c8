import { CLS, type SessionRow, type TrafficClass } from '../db/rows';
import { newEventId } from '../util/ids';
import { DEBUG_SESSION_ID, isPageView, type SystemEventType } from '../../shared/rules';
import type { ActiveSessions, SessionState } from './active';
import { visitClass } from './classify';
import { asObject, asString, browserContext, classifyChannel, extractUtm, pageKeyOf, parseUrl, referrerHost, type UserAgentInfo } from './enrich';
import type { ProfileState } from './profiles';
import type { PreparedEvent, PreparedRequest } from './requests';
import type { Scratch } from './scratch';
import type { EngineSettings } from './settings';
import type { NewSession, Statements } from './statements';
import type { RollupWriter } from './rollups';
import { fitStoredContext } from './stored-context';

/** Writes one of the engine's own events (it is in the commit notice like any other). */
export function writeSystemEvent(
  q: Statements,
  tx: Scratch,
  type: SystemEventType,
  sessionPk: number,
  profilePk: number,
  sourceId: string,
  cls: TrafficClass,
  now: number,
  properties: Record<string, unknown>,
  pageUrl: string | null,
): void {
  const debug = cls === CLS.debug ? 1 : 0;
  const r = q.insertEvent.run(newEventId(now), type, now, sessionPk, profilePk, sourceId, debug, 1, pageUrl, JSON.stringify(properties), null, cls, null);
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
    // Once, here: every event of the visit, and its rollups, carry this class.
    const cls = visitClass(debug, req.userAgent, ua.cls, browser.webdriver, this.settings.patterns);
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
    const info: NewSession = {
      id,
      clientId: debug ? DEBUG_SESSION_ID : previous !== null ? previous.client_id : key,
      previousPk: previous?.pk ?? null,
      profilePk: profile.pk,
      sourceId: req.sourceId,
      debug: debug ? 1 : 0,
      bot: cls === CLS.bot ? 1 : 0,
      traffic: cls,
      startedAt: now,
      visitNumber,
      returning: visitNumber > 1 ? 1 : 0,
      device: cls === CLS.bot ? 'bot' : ua.device,
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
      writeSystemEvent(this.q, tx, 'visit-started', pk, profile.pk, req.sourceId, cls, now, {
        visitNumber,
        returning: visitNumber > 1,
        previousSession: previous ? { id: previous.id } : null,
        channel,
      }, first.pageUrl);
      countVisitStart(tx.rollups, now, cls, info);
    }
    return state;
  }

  /** Writes `profile-created` into the first session a profile made in this transaction appears in. */
  announce(tx: Scratch, profile: ProfileState, s: SessionState, now: number): void {
    if (tx.unannounced.delete(profile.pk)) {
      writeSystemEvent(this.q, tx, 'profile-created', s.pk, profile.pk, s.sourceId, s.cls, now, { id: profile.id }, null);
    }
  }

  /** Writes a tracked event into its session and counts it (the counters reach the row later). */
  record(tx: Scratch, s: SessionState, profile: ProfileState, ev: PreparedEvent, sourceId: string, now: number, warnings: string | null): void {
    const r = this.q.insertEvent.run(ev.id, ev.type, now, s.pk, profile.pk, sourceId, ev.debug ? 1 : 0, 0, ev.pageUrl, ev.properties, ev.context, s.cls, warnings);
    const pk = Number(r.lastInsertRowid);
    tx.notice.events.push(pk);
    if (ev.verdict !== null) this.q.insertValidation.run(pk, ev.verdict.status, ev.verdict.errorsJson);
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

/**
 * What a visit adds to the rollups when it starts, by its row's values (`n` -1 takes it out
 * again: reclassify.ts).
 */
export function countVisitStart(
  r: RollupWriter,
  at: number,
  cls: TrafficClass,
  v: Pick<NewSession, 'visitNumber' | 'browser' | 'os' | 'device' | 'channel' | 'referrerHost' | 'utmSource' | 'utmMedium' | 'utmCampaign'>,
  n = 1,
): void {
  r.addSession(at, cls, { sessions: n, newProfiles: v.visitNumber === 1 ? n : 0 });
  r.addDim('browser', at, cls, v.browser ?? 'Unknown', n);
  r.addDim('os', at, cls, v.os ?? 'Unknown', n);
  r.addDim('device', at, cls, v.device, n);
  r.addDim('channel', at, cls, v.channel, n);
  if (v.referrerHost) r.addDim('referrer', at, cls, v.referrerHost, n);
  if (v.utmSource) r.addDim('utm_source', at, cls, v.utmSource, n);
  if (v.utmMedium) r.addDim('utm_medium', at, cls, v.utmMedium, n);
  if (v.utmCampaign) r.addDim('utm_campaign', at, cls, v.utmCampaign, n);
  r.addDim('visit_number', at, cls, v.visitNumber >= 10 ? '10+' : String(v.visitNumber), n);
}
