import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config';
import { systemClock, type Clock } from './clock';
import type { AppContext } from './context';
import { openDatabase, type DB } from './db/database';
import { convertToIncrementalVacuum } from './db/vacuum';
import { StartupError } from './errors';
import { Forwarding } from './forward/forwarding';
import { buildServer } from './http/server';
import { scrubbingLog } from './http/redact';
import type { LiveHub } from './http/live';
import { ExploreStore } from './explore/store';
import { buildQueries, type Queries } from './queries';
import { compilePatterns, NO_PATTERNS, type TrafficPatterns } from './sessions/classify';
import { SessionEngine } from './sessions/engine';
import { Sweeper } from './sessions/sweeper';
import { readSettings, writeSettings } from './store/settings';
import { RejectedLog } from './store/rejected';
import { FunnelStore } from './store/funnels';
import { PlanKeeper } from './plan/keeper';
import { ensureDefaultSource } from './store/sources';
import { favourMemory } from './util/memory';
import type { SettingsView } from '../shared/api';
import { DEFAULT_KEY_EVENT_TYPES } from '../shared/rules';

export const VERSION = '0.1.0';

export interface StartOptions {
  clock?: Clock;
  /** Folder of the built dashboard; null serves a "not built" page. */
  rendererDir?: string | null;
  /** The built tracker; by default `../tracker/liliput.min.js` beside the dashboard folder. */
  trackerFile?: string | null;
  log?: (msg: string) => void;
}

/** Reads the admin token kept in the data folder, making it on first run. */
export function loadToken(dataDir: string): string {
  const file = join(dataDir, 'token');
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t !== '') return t;
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The patterns Settings saved; one this version cannot compile is left out, and said. */
function storedPatterns(p: SettingsView['trafficPatterns'], log: (m: string) => void): TrafficPatterns {
  try {
    return compilePatterns(p);
  } catch (err) {
    log(`Settings: the user-agent patterns were not applied (${(err as Error).message}); fix them in Settings.`);
    return NO_PATTERNS;
  }
}

/** How long a stop waits for answers in flight before it closes their connections. */
const STOP_GRACE_MS = 3000;

/**
 * A running Footfall engine: database, session engine, sweeper and HTTP server on one port.
 * Used by `npm run serve`, by the Electron main process, and by the tests.
 */
export class Footfall {
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly config: Config,
    readonly db: DB,
    readonly engine: SessionEngine,
    readonly sweeper: Sweeper,
    readonly app: FastifyInstance,
    readonly live: LiveHub,
    readonly ctx: AppContext,
    readonly exploreStore: ExploreStore,
  ) {}

  get port(): number {
    return this.ctx.port;
  }
  get token(): string {
    return this.ctx.token;
  }
  get defaultSourceId(): string {
    return this.ctx.defaultSourceId;
  }
  /** Every read (the desktop shell's tray counts among them). */
  get queries(): Queries {
    return this.ctx.queries;
  }
  /** `http://HOST:PORT` as a browser reaches it. */
  get url(): string {
    const h = this.config.host;
    const shown = h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h.includes(':') ? `[${h}]` : h;
    return `http://${shown}:${this.port}`;
  }
  get dashboardUrl(): string {
    return `${this.url}/?token=${encodeURIComponent(this.token)}`;
  }

  static async start(config: Config, opts: StartOptions = {}): Promise<Footfall> {
    favourMemory();
    const clock = opts.clock ?? systemClock;
    let secret: string | null = null;
    let forwarding: Forwarding | null = null;
    // Neither the admin token nor an upstream's password ever reaches the log.
    const log = scrubbingLog(opts.log ?? ((m: string) => console.error(m)), () => [secret, ...(forwarding?.secrets() ?? [])]);
    const db = openDatabase(config.dataDir);
    try {
      // Once, on a database made before deleted data gave its space back (see vacuum.ts).
      convertToIncrementalVacuum(db, log);
      const token = config.token ?? loadToken(config.dataDir);
      secret = token;
      const source = ensureDefaultSource(db, clock.now());
      const stored = readSettings(db);
      const pick = <K extends 'sessionTimeout' | 'sweepInterval'>(k: K): number =>
        config.explicit.includes(k) ? config[k] : (stored[k] ?? config[k]);
      let current: SettingsView = {
        sessionTimeout: pick('sessionTimeout'),
        sweepInterval: pick('sweepInterval'),
        dataDir: config.dataDir,
        retentionDays: stored.retentionDays ?? 0,
        keyEventTypes: stored.keyEventTypes ?? [...DEFAULT_KEY_EVENT_TYPES],
        trafficPatterns: stored.trafficPatterns ?? { automation: [], bot: [] },
        fromFlags: config.explicit.filter((k): k is 'sessionTimeout' | 'sweepInterval' => k === 'sessionTimeout' || k === 'sweepInterval'),
      };
      const engine = new SessionEngine({
        db,
        clock,
        sessionTimeoutMs: current.sessionTimeout * 1000,
        keyEventTypes: current.keyEventTypes,
        trafficPatterns: storedPatterns(current.trafficPatterns, log),
      });
      // The tracking plan, in force from the first request (a --plan file that cannot be read stops the start).
      const plan = new PlanKeeper({ db, file: config.plan, now: () => clock.now(), log, apply: (p) => engine.setPlan(p) });
      const sweeper = new Sweeper(engine, {
        intervalSeconds: current.sweepInterval,
        retentionDays: current.retentionDays,
        onError: (err) => log(`Ending expired sessions failed (${(err as Error).message}); retrying at the next sweep.`),
      });
      forwarding = new Forwarding({
        db,
        engine,
        now: () => clock.now(),
        log,
        flags: config.forward,
        stored: stored.forward ?? [],
        save: (urls) => writeSettings(db, { forward: urls }),
      });
      const exploreStore = new ExploreStore(db);
      const queries = buildQueries(db, { beforeRead: () => engine.syncCounters(), keyEventTypes: () => current.keyEventTypes, exploreStore });
      const ctx: AppContext = {
        clock,
        engine,
        sweeper,
        queries,
        sources: engine.sources,
        rejected: new RejectedLog(db),
        forwarding,
        funnels: new FunnelStore(db),
        plan,
        host: config.host,
        port: config.port,
        dataDir: config.dataDir,
        token,
        defaultSourceId: source.id,
        version: VERSION,
        rendererDir: opts.rendererDir ?? null,
        trackerFile: opts.trackerFile !== undefined ? opts.trackerFile : opts.rendererDir ? join(opts.rendererDir, '..', 'tracker', 'liliput.min.js') : null,
        settings: () => current,
        updateSettings: (patch) => {
          writeSettings(db, patch);
          current = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
          if (patch.sessionTimeout !== undefined) engine.setSessionTimeout(patch.sessionTimeout * 1000);
          if (patch.sweepInterval !== undefined) sweeper.setInterval(patch.sweepInterval);
          if (patch.keyEventTypes !== undefined) engine.setKeyEventTypes(patch.keyEventTypes);
          if (patch.trafficPatterns !== undefined) engine.setTrafficPatterns(compilePatterns(patch.trafficPatterns));
          if (patch.retentionDays !== undefined) sweeper.setRetentionDays(patch.retentionDays);
          return current;
        },
        log,
      };
      const { app, live } = await buildServer(ctx);
      try {
        await app.listen({ host: config.host, port: config.port });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new StartupError(`Port ${config.port} on ${config.host} is in use by another program. Start Footfall with --port ANOTHER_PORT (or FOOTFALL_PORT).`);
        }
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
          throw new StartupError(`Cannot listen on ${config.host}: no such address on this machine. Check --host.`);
        }
        if (code === 'EACCES') throw new StartupError(`Not allowed to listen on port ${config.port}. Choose a port above 1024 with --port.`);
        throw err;
      }
      const address = app.server.address();
      if (address !== null && typeof address === 'object') ctx.port = address.port;
      // Catch up on sessions that expired while Footfall was closed, then sweep on the timer.
      void sweeper.start();
      // Explore loads its columns once the collector is quiet (in slices that leave it
      // answering), then keeps them caught up whenever it has been quiet a while.
      let lastCommit = 0;
      engine.onCommit(() => {
        lastCommit = Date.now();
      });
      exploreStore.startIdle(
        () => Date.now() - lastCommit > 2000,
        30,
        (err) => log(`Explore could not read the data (${(err as Error).message}); it retries at the next query.`),
      );
      forwarding.start();
      plan.start();
      return new Footfall(config, db, engine, sweeper, app, live, ctx, exploreStore);
    } catch (err) {
      await forwarding?.stop();
      db.close();
      throw err;
    }
  }

  /** Stops taking requests, commits what was accepted, and closes the database. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.live.close();
      const closing = this.app.close();
      // Fastify closes the connections idle at this moment, once. One that goes idle a moment
      // later, or whose browser keeps a request open, would hold the close for the keep-alive
      // timeout (72 s): idle ones are closed as they turn idle, and whatever is left after a
      // grace for answers in flight is cut (an answer not sent acknowledged nothing).
      const idle = setInterval(() => this.app.server.closeIdleConnections(), 50);
      const cut = setTimeout(() => this.app.server.closeAllConnections(), STOP_GRACE_MS);
      await this.sweeper.stop();
      // What the upstreams have not accepted yet stays in the outbox for the next start.
      await this.ctx.forwarding.stop();
      this.ctx.plan.stop();
      await closing.finally(() => {
        clearInterval(idle);
        clearTimeout(cut);
      });
      await this.engine.close();
      this.exploreStore.stop();
      this.db.close();
    })();
    return this.stopping;
  }
}
