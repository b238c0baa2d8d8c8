/**
 * An error a person must act on before Footfall can start (port taken, data folder not
 * writable, database from a newer version, ...). Its message is one line that says what
 * is wrong and what to do; the CLI prints it without a stack trace and exits 1.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** An error answered to an HTTP client as `{"detail": message}` with `status`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
