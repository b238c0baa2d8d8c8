/**
 * The settings in force, one object shared by every part of the engine: the dashboard may
 * change them at any time, and each change applies from the next event or sweep.
 */
export interface EngineSettings {
  /** Inactivity that ends a session, ms. */
  timeoutMs: number;
  /** Event types that make a visit engaged. */
  keyTypes: ReadonlySet<string>;
}
