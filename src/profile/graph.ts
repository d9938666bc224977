/**
 * The call graph pprof's reports are computed from (google/pprof internal/graph newGraph): per node the
 * flat value (samples whose leaf frame it is) and cum value (samples with the node anywhere on the stack,
 * counted once), and per caller→callee edge its weight and whether the call was inlined. A graph can be
 * restricted to a set of kept nodes; frames of other nodes are then skipped, as pprof does when it
 * rebuilds the graph after dropping nodes.
 */
import type { Prepared } from './prepare.js';

export interface Edge {
  src: number;
  dst: number;
  weight: number;
  /** true while every contribution to this edge came from an inlined call */
  inline: boolean;
}

export interface Graph {
  /** indexes into Prepared.nodes of nodes with a non-zero flat or cum value */
  nodes: number[];
  flat: Float64Array;
  cum: Float64Array;
  edges: Edge[];
}

export function buildGraph(prep: Prepared, values: ArrayLike<number>, kept: Uint8Array | undefined): Graph {
  const n = prep.nodes.length;
  const flat = new Float64Array(n);
  const cum = new Float64Array(n);
  const seen = new Int32Array(n).fill(-1);
  const edgeMap = new Map<number, Edge>();
  const seenEdges = new Set<number>();
  const { stacks, locationNodes } = prep;
  for (let s = 0; s < stacks.length; s++) {
    const w = values[s]!;
    if (w === 0) continue;
    const locs = stacks[s]!;
    seenEdges.clear();
    let parent = -1;
    let residual = false;
    for (let i = locs.length - 1; i >= 0; i--) {
      const locNodes = locationNodes.get(locs[i]!)!;
      const last = locNodes.length - 1;
      for (let ni = last; ni >= 0; ni--) {
        const node = locNodes[ni]!;
        if (kept && !kept[node]) {
          residual = true;
          continue;
        }
        if (seen[node] !== s) {
          seen[node] = s;
          cum[node] += w;
        }
        if (parent >= 0 && node !== parent) {
          const key = parent * n + node;
          if (!seenEdges.has(key)) {
            seenEdges.add(key);
            const inline = ni !== last;
            const e = edgeMap.get(key);
            if (e) {
              e.weight += w;
              if (!inline) e.inline = false;
            } else {
              edgeMap.set(key, { src: parent, dst: node, weight: w, inline });
            }
          }
        }
        parent = node;
        residual = false;
      }
    }
    if (parent >= 0 && !residual) flat[parent] += w;
  }
  const nodes: number[] = [];
  for (let i = 0; i < n; i++) if (cum[i] !== 0 || flat[i] !== 0) nodes.push(i);
  return { nodes, flat, cum, edges: [...edgeMap.values()] };
}
