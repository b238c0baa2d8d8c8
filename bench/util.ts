/** Small formatting helpers the bench's parts share. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/** One measured part: its JSON fields, table rows, notes. */
export interface Measured {
  fields: Record<string, number>;
  rows: Array<[metric: string, value: string, target: string, met: boolean | null]>;
  notes: string[];
  rssMb?: number;
}
