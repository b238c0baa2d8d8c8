import type { CompiledPlan } from '../plan/check';
import type { TrafficPatterns } from './classify';

/**
 * The settings in force, one object shared by every part of the engine: the dashboard may
 * change them at any time, and each change applies from the next event or sweep.
 */
export interface EngineSettings {
  /** Inactivity that ends a session, ms. */
  timeoutMs: number;
  /** Event types that make a visit engaged. */
  keyTypes: ReadonlySet<string>;
  /** The user's own user-agent patterns for automation and bots, applied to visits that start from now on. */
  patterns: TrafficPatterns;
  /** The tracking plan events are checked against as they arrive, or null (none: nothing is checked). */
  plan: CompiledPlan | null;
}
