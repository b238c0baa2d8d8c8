import type { ExploreData } from '../explore/data';
import { EXIT_NODE, OTHER_NODE, type PathNode } from '../../shared/explore';

/** A path step that is the end of the visit. */
export const EXIT = -2;
/** The children of a node beyond its busiest ones, summed. */
const OTHER = -3;

/**
 * The page-view path of session `slot` from its first page view of `start`: page key ids,
 * consecutive repeats collapsed, `start` first; EXIT after the last page view. At most
 * `depth + 1` steps go into `out`; returns how many. 0: the session never viewed `start`.
 */
export function sessionPath(d: ExploreData, slot: number, start: number, depth: number, out: Int32Array): number {
  let n = 0;
  let prev = -1;
  for (let e = d.first[slot]!; e >= 0 && n <= depth; e = d.nextOf(e)) {
    const page = d.page[e]!;
    if (page < 0 || !d.isView(d.type[e]!)) continue;
    if (n === 0) {
      if (page !== start) continue;
    } else if (page === prev) continue;
    out[n++] = page;
    prev = page;
  }
  if (n > 0 && n <= depth) out[n++] = EXIT;
  return n;
}

/** The page ids of a path given as page keys (EXIT for "(exit)"); null when a page was never seen. */
export function pathIds(d: ExploreData, pages: readonly string[]): Int32Array | null {
  const ids = new Int32Array(pages.length);
  for (let i = 0; i < pages.length; i++) {
    const id = pages[i] === EXIT_NODE ? EXIT : d.strings.find(pages[i]!);
    if (id === undefined || (id === EXIT && i !== pages.length - 1) || (id === EXIT && i === 0)) return null;
    ids[i] = id;
  }
  return ids;
}

/** Whether `path` (as sessionPath fills it, n steps) starts with `prefix`. */
export function startsWith(path: Int32Array, n: number, prefix: Int32Array): boolean {
  if (n < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

interface TreeNode {
  value: number;
  sessions: number;
  children: Map<number, TreeNode>;
}

/**
 * The paths tree of the sessions `slots` from page `start`: each node a path prefix with
 * the sessions that took it. Each node keeps its `limit` busiest children; the rest are
 * summed into one `(other)` node, which is not followed further.
 */
export function pathTree(d: ExploreData, slots: Iterable<number>, start: number, depth: number, limit: number): { sessions: number; nodes: PathNode[] } {
  const root: TreeNode = { value: start, sessions: 0, children: new Map() };
  const path = new Int32Array(depth + 1);
  for (const slot of slots) {
    const n = sessionPath(d, slot, start, depth, path);
    if (n === 0) continue;
    root.sessions++;
    let node = root;
    for (let i = 1; i < n; i++) {
      let child = node.children.get(path[i]!);
      if (!child) node.children.set(path[i]!, (child = { value: path[i]!, sessions: 0, children: new Map() }));
      child.sessions++;
      node = child;
    }
  }
  const nodes: PathNode[] = [];
  const name = (v: number) => (v === EXIT ? EXIT_NODE : v === OTHER ? OTHER_NODE : d.strings.values[v]!);
  // Breadth first, so nodes come by depth and each parent before its children.
  const queue: Array<[TreeNode, number, number | null]> = [[root, 0, null]];
  for (let q = 0; q < queue.length; q++) {
    const [node, dep, parent] = queue[q]!;
    const index = nodes.length;
    nodes.push({ depth: dep, value: name(node.value), sessions: node.sessions, parent });
    const kids = [...node.children.values()].sort((a, b) => b.sessions - a.sessions || name(a.value).localeCompare(name(b.value)));
    for (const kid of kids.slice(0, limit)) queue.push([kid, dep + 1, index]);
    const rest = kids.slice(limit).reduce((a, k) => a + k.sessions, 0);
    if (rest > 0) queue.push([{ value: OTHER, sessions: rest, children: new Map() }, dep + 1, index]);
  }
  return { sessions: root.sessions, nodes };
}
