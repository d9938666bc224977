/**
 * The call graph pprof's reports are computed from (google/pprof internal/graph newGraph): per node the
 * flat value (samples whose leaf frame it is) and cum value (samples with the node anywhere on the stack,
 * counted once), and per caller→callee edge its weight and whether the call was inlined. Typed arrays and
 * one walk over the frames each: a 50 MB profile has tens of millions of frames.
 *
 * pprof rebuilds the graph after dropping nodes, skipping the frames of dropped nodes. That leaves the
 * flat and cum values of the kept nodes as they were (cum counts each sample once either way, and flat
 * goes to the leaf frame only if the leaf is kept), so only the edges depend on which nodes are kept.
 */
import { grown } from '../typed-arrays.js';
import type { Samples } from './model.js';
import type { Prepared } from './prepare.js';

export interface Graph {
  /** per node of Prepared.nodes */
  flat: Float64Array;
  cum: Float64Array;
}

export interface Edges {
  src: Int32Array;
  dst: Int32Array;
  weight: Float64Array;
  /** 1 while every contribution to the edge came from an inlined call */
  inline: Uint8Array;
  count: number;
}

/** values: the value of each sample for the report's sample type */
export function buildGraph(prep: Prepared, samples: Samples, values: Float64Array): Graph {
  const n = prep.nodes.length;
  const flat = new Float64Array(n);
  const cum = new Float64Array(n);
  const seen = new Int32Array(n).fill(-1);
  const { nodeStart, locationNodes, stackStart } = prep;
  const { locStart, locations } = samples;
  for (let s = 0; s < samples.count; s++) {
    const w = values[s]!;
    if (w === 0) continue;
    let leaf = -1;
    const first = stackStart[s]!;
    for (let i = locStart[s + 1]! - 1; i >= first; i--) {
      const x = locations[i]!;
      const innermost = nodeStart[x]!;
      for (let j = nodeStart[x + 1]! - 1; j >= innermost; j--) {
        const node = locationNodes[j]!;
        if (seen[node] !== s) {
          seen[node] = s;
          cum[node] += w;
        }
        leaf = node;
      }
    }
    if (leaf >= 0) flat[leaf] += w;
  }
  return { flat, cum };
}

/** Up to this many nodes, edges are found in a nodes × nodes table rather than a Map. */
const DENSE_NODES = 512;

/**
 * The edges between the given nodes (frames of other nodes are skipped, as pprof does once it has dropped
 * them), each counted once per sample.
 */
export function buildEdges(prep: Prepared, samples: Samples, values: Float64Array, nodes: number[]): Edges {
  // graph nodes are numbered 0..k-1 here, so that an edge is the number parent * k + child
  const k = nodes.length;
  const local = new Int32Array(prep.nodes.length).fill(-1);
  for (let i = 0; i < k; i++) local[nodes[i]!] = i;
  // per location, only its lines of graph nodes: keptNodes[keptStart[x] .. keptStart[x + 1]), innermost
  // first, and whether each was inlined (every line but the location's outermost)
  const { nodeStart, locationNodes, stackStart } = prep;
  const locationCount = nodeStart.length - 1;
  const keptStart = new Int32Array(locationCount + 1);
  const keptNodes = new Int32Array(locationNodes.length);
  const keptInline = new Uint8Array(locationNodes.length);
  let kept = 0;
  for (let x = 0; x < locationCount; x++) {
    keptStart[x] = kept;
    const outermost = nodeStart[x + 1]! - 1;
    for (let j = nodeStart[x]!; j <= outermost; j++) {
      const node = local[locationNodes[j]!]!;
      if (node < 0) continue;
      keptNodes[kept] = node;
      keptInline[kept++] = j !== outermost ? 1 : 0;
    }
  }
  keptStart[locationCount] = kept;
  const table = k <= DENSE_NODES ? new Int32Array(k * k).fill(-1) : undefined;
  const map = new Map<number, number>();
  let count = 0;
  let src = new Int32Array(256);
  let dst = new Int32Array(256);
  let weight = new Float64Array(256);
  let inline = new Uint8Array(256);
  let stamp = new Int32Array(256);
  const { locStart, locations } = samples;
  for (let s = 0; s < samples.count; s++) {
    const w = values[s]!;
    if (w === 0) continue;
    let parent = -1;
    const first = stackStart[s]!;
    for (let i = locStart[s + 1]! - 1; i >= first; i--) {
      const x = locations[i]!;
      const innermost = keptStart[x]!;
      for (let j = keptStart[x + 1]! - 1; j >= innermost; j--) {
        const node = keptNodes[j]!;
        if (parent >= 0 && node !== parent) {
          const key = parent * k + node;
          let e = table !== undefined ? table[key]! : map.get(key) ?? -1;
          if (e === -1) {
            e = count++;
            if (e === src.length) {
              src = grown(src, (m) => new Int32Array(m));
              dst = grown(dst, (m) => new Int32Array(m));
              weight = grown(weight, (m) => new Float64Array(m));
              inline = grown(inline, (m) => new Uint8Array(m));
              stamp = grown(stamp, (m) => new Int32Array(m));
            }
            if (table !== undefined) table[key] = e;
            else map.set(key, e);
            src[e] = nodes[parent]!;
            dst[e] = nodes[node]!;
            weight[e] = 0;
            inline[e] = 1;
            stamp[e] = -1;
          }
          if (stamp[e] !== s) {
            stamp[e] = s;
            weight[e] += w;
            if (keptInline[j] === 0) inline[e] = 0;
          }
        }
        parent = node;
      }
    }
  }
  return { src, dst, weight, inline, count };
}
