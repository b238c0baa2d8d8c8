import type { DB } from '../db/database';
import { DomainError, StartupError } from '../errors';
import { PlanStore } from '../store/plan';
import type { PlanDoc, PlanView } from '../../shared/plan';
import type { CompiledPlan } from './check';
import { NO_PLAN, parsePlanText, readPlan } from './doc';
import { FollowedFile } from './file';

export interface PlanKeeperOptions {
  db: DB;
  /** `--plan FILE`: the plan is that file's, followed while Footfall runs; else the database's. */
  file: string | null;
  now: () => number;
  log: (msg: string) => void;
  /** Puts a plan in force for the collector (SessionEngine.setPlan). */
  apply: (plan: CompiledPlan | null) => void;
  /** How soon a change of the file is read (tests make it quick). */
  follow?: { debounceMs?: number; pollMs?: number };
}

/**
 * The tracking plan in force, and where it comes from: the database (PUT /api/plan, the
 * view's editor), or a file given with `--plan`, which is then the only way to change it.
 * A file that turns bad while Footfall runs leaves the last good plan in force, and says
 * why in the log and in GET /api/plan (the view shows it).
 */
export class PlanKeeper {
  private doc: PlanDoc = NO_PLAN;
  private compiled: CompiledPlan | null = null;
  private updatedAt: number | null = null;
  private readonly store: PlanStore;
  private readonly file: FollowedFile | null;
  private fileError: string | null = null;
  private fileText: string | null = null;

  constructor(private readonly opts: PlanKeeperOptions) {
    this.store = new PlanStore(opts.db);
    this.file = opts.file === null ? null : new FollowedFile(opts.file, (t) => this.fileChanged(t), opts.follow);
    if (this.file !== null) {
      // At start a plan that cannot be read is a reason not to start: a test run would
      // otherwise pass with nothing checked.
      let text: string;
      try {
        text = this.file.read();
      } catch (err) {
        throw new StartupError(`--plan ${this.file.path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
      }
      try {
        this.take(parsePlanText(text));
        this.fileText = text;
      } catch (err) {
        throw new StartupError(`--plan ${this.file.path}: ${(err as Error).message}`);
      }
      return;
    }
    const stored = this.store.read();
    if (stored === null) return;
    try {
      this.take(parsePlanText(stored.text), stored.updatedAt);
    } catch (err) {
      // Saved by a version that took what this one does not: start without it, and say so.
      opts.log(`Tracking plan: the saved plan was not put in force (${(err as Error).message}); save it again in the Tracking plan view.`);
    }
  }

  /** Starts following the plan's file, if there is one. */
  start(): void {
    this.file?.start();
  }

  stop(): void {
    this.file?.stop();
  }

  /** The compiled plan in force (null: none, nothing is checked). */
  get current(): CompiledPlan | null {
    return this.compiled;
  }

  view(): PlanView {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      ...this.doc,
      file: this.file === null ? null : { path: this.file.path, error: this.fileError, loadedAt: iso(this.updatedAt) },
      updatedAt: iso(this.updatedAt),
    };
  }

  /** PUT /api/plan: replaces the saved plan (throws 'invalid' naming a bad schema, 'conflict' while a file gives the plan). */
  replace(input: unknown): PlanView {
    if (this.file !== null) {
      throw new DomainError('conflict', `The tracking plan comes from ${this.file.path} (--plan): edit that file; Footfall follows its changes.`);
    }
    const plan = readPlan(input);
    const now = this.opts.now();
    this.store.write(JSON.stringify(plan.doc), now);
    this.take(plan, now);
    return this.view();
  }

  private take(plan: { doc: PlanDoc; compiled: CompiledPlan | null }, at = this.opts.now()): void {
    this.doc = plan.doc;
    this.compiled = plan.compiled;
    this.updatedAt = at;
    this.opts.apply(plan.compiled);
  }

  private fileChanged(text: string | Error): void {
    const path = this.file!.path;
    if (text instanceof Error) {
      this.fileError = `cannot read it (${(text as NodeJS.ErrnoException).code ?? text.message})`;
      this.fileText = null;
    } else {
      // Saved again unchanged (or touched): nothing to take, nothing new to say.
      if (text === this.fileText) return;
      try {
        const plan = parsePlanText(text);
        this.take(plan);
        this.fileText = text;
        this.fileError = null;
        const n = Object.keys(plan.doc.events).length;
        this.opts.log(`Tracking plan: loaded ${path} again (${n} event type${n === 1 ? '' : 's'}).`);
        return;
      } catch (err) {
        this.fileText = text;
        this.fileError = (err as Error).message.replace(/\.$/, '');
      }
    }
    this.opts.log(`Tracking plan: ${path} changed, but ${this.fileError}; the plan loaded before stays in force.`);
  }
}
