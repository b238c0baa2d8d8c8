import { TRAFFIC_NAME, type TrafficClass } from '../db/rows';
import type { TrafficClassName } from '../../shared/traffic';

/** An event's or session's stored class (CLS), by the contract's name ("Traffic classes"), as the upstreams are told it. */
export function trafficOf(code: number): TrafficClassName {
  return TRAFFIC_NAME[code as TrafficClass] ?? 'person';
}
