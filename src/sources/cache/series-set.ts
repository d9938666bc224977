/**
 * The series of one query while its chunks are merged: Client.QueryRange's map from a series' 64-bit
 * label hash to its values. A query of a large cluster looks up every series of every chunk, so the map
 * is an open-addressing table over the two 32-bit halves of the hash instead of a Map with a BigInt key
 * (one BigInt per lookup), and new series take their points from shared slabs instead of one
 * ArrayBuffer each.
 */
import { NO_LABELS, type MetricValues } from '../metrics.js';
import { grown } from '../../typed-arrays.js';
import type { QueryGrid } from './fill.js';

/** the points of this many series are allocated at once, up to SLAB_BYTES */
const SLAB_BYTES = 256 * 1024;

/** the bits Float32Array.fill(NaN) writes: filling a slab through a Uint32Array is several times faster */
const NAN_BITS = new Uint32Array(new Float32Array(1).fill(NaN).buffer)[0]!;

/**
 * An empty array that holds objects from the start. An empty literal holds small integers until its
 * first push of an object, and that change sends code already optimized for it back to the
 * interpreter in the middle of a large chunk.
 */
function objectArray<T>(): T[] {
  const array: unknown[] = [null];
  array.pop();
  return array as T[];
}

/**
 * Entries (one per hash seen) live in parallel arrays rather than one object each: a query of a large
 * cluster has hundreds of thousands, and objects that live as long as the query cost every young
 * generation collection a copy.
 */
export class SeriesSet {
  /** the result: series in the order a chunk first changed them */
  readonly series: MetricValues[] = objectArray();
  private count = 0;
  private keysLo = new Uint32Array(64);
  private keysHi = new Uint32Array(64);
  /** per entry: the series in the result, or the one last created for the hash when it has not joined */
  private readonly entrySeries: Array<MetricValues | null> = objectArray();
  /** per entry: 1 when the series is in the result (a chunk changed it) */
  private added = new Uint8Array(64);
  /** per entry: the chunk (beginChunk's count) that last created its series */
  private createdIn = new Int32Array(64);
  /** per entry: the chunk that last applied a label record to its series */
  private labelledIn = new Int32Array(64);
  /** entry index + 1 per slot, 0 when free; at least twice as many slots as entries */
  private slots = new Int32Array(128);
  /** Fibonacci hashing takes the top bits of the product: 32 - log2(slots) */
  private shift = 25;
  private chunk = 0;
  /** the entry entry() returned last */
  private last = -1;
  private createdInChunk = false;
  private slab = new Float32Array(0);
  private slabUsed = 0;
  private readonly seriesPerSlab: number;

  constructor(readonly grid: QueryGrid) {
    this.seriesPerSlab = Math.max(1, Math.floor(SLAB_BYTES / 4 / grid.pointsCount));
  }

  /** starts merging the next chunk: what it creates is told apart from what earlier chunks created */
  beginChunk(): void {
    this.chunk++;
    this.createdInChunk = false;
  }

  /** whether the current chunk created a series: only then are its labels read */
  get chunkCreated(): boolean {
    return this.createdInChunk;
  }

  /** the series in the result with this label hash */
  get(hash: bigint): MetricValues | undefined {
    const e = this.slots[this.probe(Number(hash & 0xffffffffn), Number((hash >> 32n) & 0xffffffffn))]! - 1;
    return e < 0 ? undefined : this.inResult(e) ?? undefined;
  }

  /** the entry of a hash, created (without a series in the result) when the hash is new */
  entry(lo: number, hi: number): number {
    // chunks of a query list their series in much the same order, so the next series of a chunk is
    // usually the entry after the previous one: checked first, it saves a probe at a random slot.
    // Every load and store here is made whichever way the check goes (the columns always have room
    // past the last entry): a first chunk finds every series new, and a line that only later chunks
    // reached would send the optimized read back to the interpreter.
    let e = this.last + 1;
    const known = e < this.count;
    const differs = (this.keysLo[e]! ^ lo) | (this.keysHi[e]! ^ hi);
    if (differs !== 0 || !known) {
      const s = this.probe(lo, hi);
      e = this.slots[s]! - 1;
      if (e < 0) e = this.insert(s, lo, hi);
    }
    this.last = e;
    return e;
  }

  /** the slot holding the hash, or the free slot where it would go (linear probing) */
  private probe(lo: number, hi: number): number {
    const mask = this.slots.length - 1;
    // the label hashes are random, but the tests' small integers are not: both halves are mixed in
    for (let s = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift; ; s = (s + 1) & mask) {
      const e = this.slots[s]! - 1;
      // both halves compared at once, for the same reason as in entry()
      if (e < 0 || ((this.keysLo[e]! ^ lo) | (this.keysHi[e]! ^ hi)) === 0) return s;
    }
  }

  private insert(slot: number, lo: number, hi: number): number {
    const e = this.count++;
    // grown one entry early: entry() reads the slot after the last entry
    if (e + 1 === this.keysLo.length) {
      this.keysLo = grown(this.keysLo, (n) => new Uint32Array(n));
      this.keysHi = grown(this.keysHi, (n) => new Uint32Array(n));
      this.added = grown(this.added, (n) => new Uint8Array(n));
      this.createdIn = grown(this.createdIn, (n) => new Int32Array(n));
      this.labelledIn = grown(this.labelledIn, (n) => new Int32Array(n));
    }
    this.keysLo[e] = lo;
    this.keysHi[e] = hi;
    this.entrySeries.push(null);
    this.slots[slot] = e + 1;
    if (2 * this.count > this.slots.length) this.rehash();
    return e;
  }

  /** the series in the result for this entry, or null */
  inResult(e: number): MetricValues | null {
    // loaded whatever `added` says: a first chunk adds nothing, and a load that only later chunks ran
    // would send the optimized read back to the interpreter
    const series = this.entrySeries[e]!;
    return this.added[e] === 1 ? series : null;
  }

  /** a new series with no points for this entry, replacing one created before that never joined */
  create(e: number): MetricValues {
    const series = this.newSeries();
    this.entrySeries[e] = series;
    this.createdIn[e] = this.chunk;
    this.createdInChunk = true;
    return series;
  }

  /** the entry's series joins the result */
  add(e: number): void {
    this.added[e] = 1;
    this.series.push(this.entrySeries[e]!);
  }

  /**
   * The series a v4 label record of this entry applies to, with an empty label map: the one the current
   * chunk last created for it (the chunk's `missing` map in Go), or null when the chunk created none.
   */
  labelTarget(e: number): MetricValues | null {
    if (this.createdIn[e] !== this.chunk) return null;
    const series = this.entrySeries[e]!;
    // a new series has an empty map already; only a second record for it in the chunk starts over
    if (this.labelledIn[e] === this.chunk) series.labels = NO_LABELS;
    this.labelledIn[e] = this.chunk;
    return series;
  }

  private newSeries(): MetricValues {
    const n = this.grid.pointsCount;
    if (this.slabUsed === 0 || this.slabUsed + n > this.slab.length) {
      this.slab = new Float32Array(new Uint32Array(n * this.seriesPerSlab).fill(NAN_BITS).buffer);
      this.slabUsed = 0;
    }
    const values = this.slab.subarray(this.slabUsed, this.slabUsed + n);
    this.slabUsed += n;
    return {
      labels: NO_LABELS,
      machineId: '',
      systemUuid: '',
      containerId: '',
      destination: '',
      actualDestination: '',
      destIp: false,
      values,
    };
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.shift--;
    for (let e = 0; e < this.count; e++) this.slots[this.probe(this.keysLo[e]!, this.keysHi[e]!)] = e + 1;
  }
}
