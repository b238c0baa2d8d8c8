import type { Outbox, OutboxEvent } from './outbox';

/**
 * One kind of upstream. `encode` turns a chunk of events into what will be sent (on the
 * event loop, a chunk at a time, so no step holds it long); `send` delivers the encoded
 * chunks of one batch and resolves only once the upstream accepted all of them.
 */
export interface Sink<T> {
  encode(events: readonly OutboxEvent[], outbox: Outbox): T;
  send(parts: readonly T[], signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
