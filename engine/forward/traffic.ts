/** The traffic classes of the contract ("Traffic classes"), as the upstreams are told them. */
export type TrafficName = 'person' | 'automation' | 'bot' | 'debug';

/**
 * An event's or session's class, from what the rows hold today (`debug`, and the session's
 * `bot`): the one place that changes once the classes are stored on the rows themselves.
 */
export function trafficOf(debug: number, bot: number): TrafficName {
  return debug === 1 ? 'debug' : bot === 1 ? 'bot' : 'person';
}
