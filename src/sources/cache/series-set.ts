/**
 * The series of one query while its chunks are merged: Client.QueryRange's map from a series' 64-bit
 * label hash to its values. A query of a large cluster looks up every series of every chunk, so the map
 * is an open-addressing table over the two 32-bit halves of the hash instead of a Map with a BigInt key
 * (one BigInt per lookup), and new series take their points from shared slabs instead of one
 * ArrayBuffer each.
 */
import type { MetricValues } from '../metrics.js';
import type { QueryGrid } from './fill.js';

interface Entry {
  /** the series in the result, or the one last created for this hash when it has not joined yet */
  series: MetricValues | null;
  /** in the result: a chunk changed it */
  added: boolean;
  /** the chunk (beginChunk's count) that last created `series` */
  createdIn: number;
  /** the chunk that last applied a label record to `series` */
  labelledIn: number;
}

/** the points of this many series are allocated at once, up to SLAB_BYTES */
const SLAB_BYTES = 256 * 1024;

/** the bits Float32Array.fill(NaN) writes: filling a slab through a Uint32Array is several times faster */
const NAN_BITS = new Uint32Array(new Float32Array(1).fill(NaN).buffer)[0]!;

/** Fibonacci hashing of both halves; label hashes are random, the tests' small integers are not */
const slotOf = (lo: number, hi: number, mask: number): number => (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 12) & mask;

export class SeriesSet {
  /** the result: series in the order a chunk first changed them */
  readonly series: MetricValues[] = [];
  private readonly entries: Entry[] = [];
  private keysLo = new Uint32Array(64);
  private keysHi = new Uint32Array(64);
  /** entry index + 1 per slot, 0 when free; twice the entries' capacity at least */
  private slots = new Int32Array(128);
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
    const lo = Number(hash & 0xffffffffn);
    const hi = Number((hash >> 32n) & 0xffffffffn);
    const mask = this.slots.length - 1;
    for (let s = slotOf(lo, hi, mask); ; s = (s + 1) & mask) {
      const e = this.slots[s]! - 1;
      if (e < 0) return undefined;
      if (this.keysLo[e] === lo && this.keysHi[e] === hi) return this.inResult(e) ?? undefined;
    }
  }

  /** the entry of a hash, created (without a series in the result) when the hash is new */
  entry(lo: number, hi: number): number {
    // chunks of a query list their series in much the same order, so the next series of a chunk is
    // usually the entry after the previous one: checked first, it saves a probe at a random slot
    const next = this.last + 1;
    if (next < this.entries.length && this.keysLo[next] === lo && this.keysHi[next] === hi) {
      this.last = next;
      return next;
    }
    this.last = this.findOrInsert(lo, hi);
    return this.last;
  }

  private findOrInsert(lo: number, hi: number): number {
    const mask = this.slots.length - 1;
    for (let s = slotOf(lo, hi, mask); ; s = (s + 1) & mask) {
      const e = this.slots[s]! - 1;
      if (e < 0) {
        const index = this.entries.length;
        if (index === this.keysLo.length) this.growKeys();
        this.keysLo[index] = lo;
        this.keysHi[index] = hi;
        this.entries.push({ series: null, added: false, createdIn: 0, labelledIn: 0 });
        this.slots[s] = index + 1;
        if (2 * this.entries.length > this.slots.length) this.rehash();
        return index;
      }
      if (this.keysLo[e] === lo && this.keysHi[e] === hi) return e;
    }
  }

  /** the series in the result for this entry, or null */
  inResult(e: number): MetricValues | null {
    const entry = this.entries[e]!;
    return entry.added ? entry.series : null;
  }

  /** a new series with no points for this entry, replacing one created before that never joined */
  create(e: number): MetricValues {
    const entry = this.entries[e]!;
    const series = this.newSeries();
    entry.series = series;
    entry.createdIn = this.chunk;
    this.createdInChunk = true;
    return series;
  }

  /** the entry's series joins the result */
  add(e: number): void {
    const entry = this.entries[e]!;
    entry.added = true;
    this.series.push(entry.series!);
  }

  /**
   * The series a v4 label record of this entry applies to, with an empty label map: the one the current
   * chunk last created for it (the chunk's `missing` map in Go), or null when the chunk created none.
   */
  labelTarget(e: number): MetricValues | null {
    const entry = this.entries[e]!;
    if (entry.createdIn !== this.chunk) return null;
    const series = entry.series!;
    // a new series has an empty map already; only a second record for it in the chunk starts over
    if (entry.labelledIn === this.chunk) series.labels = Object.create(null) as Record<string, string>;
    entry.labelledIn = this.chunk;
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
      labels: Object.create(null) as Record<string, string>,
      machineId: '',
      systemUuid: '',
      containerId: '',
      destination: '',
      actualDestination: '',
      destIp: false,
      values,
    };
  }

  private growKeys(): void {
    const lo = new Uint32Array(this.keysLo.length * 2);
    lo.set(this.keysLo);
    this.keysLo = lo;
    const hi = new Uint32Array(this.keysHi.length * 2);
    hi.set(this.keysHi);
    this.keysHi = hi;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.entries.length; e++) {
      let s = slotOf(this.keysLo[e]!, this.keysHi[e]!, mask);
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
    this.slots = slots;
  }
}
