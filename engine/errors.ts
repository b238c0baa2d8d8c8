/**
 * An error a person must act on before Footfall can start (port taken, data folder not
 * writable, database from a newer version, ...). Its message is one line that says what
 * is wrong and what to do; the CLI prints it without a stack trace and exits 1.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * What went wrong, in the engine's own terms. The engine, the store and the queries throw
 * these; engine/http/errors.ts alone decides what each means to an HTTP client.
 */
export type ErrorKind =
  /** The payload names a source that does not exist. */
  | 'unknown-source'
  /** The payload names a source that is switched off. */
  | 'disabled-source'
  /** One event's properties and context are more JSON than allowed. */
  | 'too-large'
  /** Collecting is paused by the person (tray or menu). */
  | 'paused'
  /** Footfall is stopping. */
  | 'closing'
  /** The disk is full or failing: the transaction rolled back, nothing was stored. */
  | 'storage-full'
  /** Committed, but the disk failed to say it is safe. */
  | 'storage-failing'
  | 'not-found'
  /** The change contradicts what is stored (an id taken, the default source). */
  | 'conflict'
  /** A list cursor this API did not give out. */
  | 'bad-cursor'
  /** A document of the wrong shape (a tracking plan whose schema is wrong). */
  | 'invalid';

/** An error whose message is for the person who sent the request: what was wrong and what to do. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** SQLite's way of saying the disk is full or failing (the transaction rolled back). */
export function isStorageFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR'));
}
