/**
 * Chunk files: the header layout (checked against hand-written bytes, not only the test writer), file
 * names, v3 and v4 reading with Coroot's merge rules, the fill functions on hand-computed Go results,
 * and every malformed file the reader must turn into an error instead of a crash.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chunkQueryHash, chunkTo, parseHeader, readChunk, readChunkMeta } from '../src/sources/cache/chunk.js';
import { CacheFormatError } from '../src/sources/cache/errors.js';
import { fillAny, fillAvg, fillSum, planFill, type FillFn, type QueryGrid } from '../src/sources/cache/fill.js';
import { SeriesSet } from '../src/sources/cache/series-set.js';
import type { MetricValues } from '../src/sources/metrics.js';
import {
  chunkV3Bytes, chunkV4Bytes, header, lz4CompressBlock, lz4Stream, lz4Tool, parseFrame, seriesPairs,
  v3Payload, type ChunkSpec,
} from '../fixtures/cache-writer.js';

const tmp = mkdtempSync(join(tmpdir(), 'cache-chunk-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
function file(bytes: Uint8Array): string {
  const path = join(tmp, `f${fileNo++}.db`);
  writeFileSync(path, bytes);
  return path;
}

function read(path: string, grid: QueryGrid, fill: FillFn = fillAny, dest = new SeriesSet(grid)): SeriesSet {
  readChunk(path, dest, fill);
  return dest;
}

const values = (s: MetricValues | undefined) => Array.from(s!.values);

/** a series on the query grid starting at `from` */
interface Target { from: number; step: number; data: Float32Array }
const target = (from: number, step: number, data: number[]): Target => ({ from, step, data: Float32Array.from(data) });
/** one series of a chunk (from, step, src) onto `ts`, as chunk.Read fills it */
function fillInto(fill: FillFn, ts: Target, from: number, step: number, src: Float32Array): boolean {
  return fill(planFill({ from: ts.from, step: ts.step, pointsCount: ts.data.length }, from, step, src.length), ts.data, src, 0);
}

function failsWith(path: string, pattern: RegExp, grid: QueryGrid = { from: 1000, pointsCount: 10, step: 10 }) {
  assert.throws(() => read(path, grid), (err: unknown) => err instanceof CacheFormatError && pattern.test(err.message), `expected ${pattern}`);
}

describe('chunk header and names', () => {
  it('is 26 little-endian bytes without padding', () => {
    // version 4 | from 1795170000 | 20 points | step 30 | finalized | 3 series
    const hand = Buffer.from('04' + 'd01e006b00000000' + '14000000' + '1e00000000000000' + '01' + '03000000', 'hex');
    assert.equal(hand.length, 26);
    assert.deepEqual(parseHeader(hand), { version: 4, from: 1795170000, pointsCount: 20, step: 30, finalized: true, dataSizeOrMetricsCount: 3 });
    assert.deepEqual(header(4, { from: 1795170000, pointsCount: 20, step: 30, finalized: true }, 3), hand);
    assert.throws(() => parseHeader(hand.subarray(0, 25)), /truncated header/);
  });

  it('takes the query hash from names of five parts ending in .db', () => {
    assert.equal(chunkQueryHash('p1-0123abcd-1795170000-20-30.db'), '0123abcd');
    assert.equal(chunkQueryHash('p1-0123abcd-1795170000-20-30.db4829301'), null, 'os.CreateTemp names are not chunks');
    assert.equal(chunkQueryHash('p1-0123abcd-1795170000-20.db'), null);
    assert.equal(chunkQueryHash('p-1-0123abcd-1795170000-20-30.db'), null);
  });

  it('computes To like Go, uint32 wrap included', () => {
    assert.equal(chunkTo({ from: 1000, pointsCount: 20, step: 30 }), 1570);
    assert.equal(chunkTo({ from: 1000, pointsCount: 0, step: 30 }), 1000 + 4294967295 * 30);
  });

  it('reads the meta Coroot indexes: header fields and mtime in seconds', () => {
    const spec: ChunkSpec = { from: 1800, pointsCount: 4, step: 30, finalized: false, series: [{ hash: 1n, pairs: [], values: [1] }] };
    const path = file(chunkV4Bytes(spec));
    const meta = readChunkMeta(path, 'h');
    assert.equal(meta.from, 1800);
    assert.equal(meta.finalized, false);
    assert.equal(meta.queryHash, 'h');
    assert.ok(Number.isInteger(meta.created));
    assert.throws(() => readChunkMeta(file(Buffer.alloc(10)), 'h'), /truncated header/);
  });
});

describe('fill functions (hand-computed from timeseries.Fill*)', () => {
  const src = Float32Array.from([1, 2, NaN, 4, 5, 6, NaN, NaN, 9]); // from 100, step 5

  it('FillAny: the last non-NaN value of each step, NaN overwriting', () => {
    const ts = target(100, 10, [7, 7, 7, 7, 7]);
    assert.equal(fillInto(fillAny, ts, 100, 5, src), true);
    assert.deepEqual(Array.from(ts.data), [1, 2, 5, 6, 9]);
    const same = target(100, 10, [7, 7, 7]);
    fillInto(fillAny, same, 100, 10, Float32Array.from([NaN, 2, NaN]));
    assert.deepEqual(Array.from(same.data), [NaN, 2, NaN]);
    const none = target(100, 10, [7, 7]);
    assert.equal(fillInto(fillAny, none, 100, 10, Float32Array.from([NaN, NaN])), false);
  });

  it('FillSum: float32 sums, only the first point keeps its old value', () => {
    const ts = target(100, 10, [10, 20, 30, 40, 50]);
    fillInto(fillSum, ts, 100, 5, src);
    assert.deepEqual(Array.from(ts.data), [11, 2, 9, 6, 9]);
    const big = target(100, 10, [NaN, NaN]);
    fillInto(fillSum, big, 91, 1, Float32Array.from([NaN, 1e8, 1, 1, 1, 1, 1, 1, 1, 1]));
    // float32 at every step: 1e8 + 1 stays 1e8 (a float64 sum would give 100000008)
    assert.equal(big.data[0], 1e8);
  });

  it('FillAvg: float32 means, the first point counting its old value, empty steps kept', () => {
    const ts = target(100, 10, [10, 20, 30, 40, 50]);
    fillInto(fillAvg, ts, 100, 5, Float32Array.from([1, 2, NaN, NaN, NaN, 6, NaN, NaN, 9]));
    assert.deepEqual(Array.from(ts.data), [5.5, 2, 30, 6, 9]);
    const third = target(100, 10, [NaN]);
    fillInto(fillAvg, third, 91, 1, Float32Array.from([NaN, 0.1, 0.2, 0.4]));
    assert.equal(third.data[0], Math.fround(Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.2)) + Math.fround(0.4)) / 3));
  });

  it('a coarser chunk advances one target point per source point (Go does exactly this)', () => {
    const ts = target(100, 10, [NaN, NaN, NaN, NaN, NaN]);
    fillInto(fillAny, ts, 100, 20, Float32Array.from([1, 2, 3]));
    assert.deepEqual(Array.from(ts.data), [1, 2, 3, NaN, NaN]);
  });

  it('a chunk starting before the window skips to it; one starting off the grid rounds up', () => {
    const before = target(200, 10, [NaN, NaN, NaN]);
    fillInto(fillAny, before, 150, 10, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    assert.deepEqual(Array.from(before.data), [6, 7, 8]);
    const off = target(200, 10, [NaN, NaN, NaN]);
    fillInto(fillAny, off, 205, 10, Float32Array.from([1, 2, 3]));
    assert.deepEqual(Array.from(off.data), [NaN, 1, 2]);
  });

  it('reads a series in place from the middle of a decoded block', () => {
    const block = Float32Array.from([99, 99, 1, 2, NaN, 4, 99]);
    const out = new Float32Array(4).fill(7);
    assert.equal(fillAny(planFill({ from: 100, step: 10, pointsCount: 4 }, 100, 10, 4), out, block, 2), true);
    assert.deepEqual(Array.from(out), [1, 2, NaN, 4]);
  });

  it('FillAny takes a shortcut on lined-up grids that gives what the step-by-step loop gives', () => {
    // timeseries.FillAny step by step, for reference
    const goFillAny = (ts: Target, from: number, step: number, src: Float32Array): boolean => {
      const trunc = (t: number, d: number) => t - (t % d);
      let tSrc = from;
      let iSrc = 0;
      if (ts.from - tSrc >= ts.step) {
        tSrc += trunc(ts.from - trunc(tSrc, ts.step), ts.step);
        if (tSrc > ts.from) tSrc -= ts.step;
        iSrc = Math.trunc((tSrc - from) / step);
      }
      let tDst = ts.from;
      let iDst = 0;
      if (tSrc > tDst) {
        tDst = trunc(tSrc, ts.step);
        if (tDst < tSrc) tDst += ts.step;
        iDst = Math.trunc((tDst - ts.from) / ts.step);
      }
      let changed = false;
      let vv = NaN;
      for (let i = iSrc; i < src.length; i++) {
        if (tSrc > tDst) {
          ts.data[iDst] = vv;
          vv = NaN;
          if (++iDst >= ts.data.length) break;
          tDst += ts.step;
        }
        if (!Number.isNaN(src[i]!)) {
          vv = src[i]!;
          changed = true;
        }
        tSrc += step;
      }
      if (iDst < ts.data.length) ts.data[iDst] = vv;
      return changed;
    };
    let seed = 7;
    const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    let shortcuts = 0;
    let others = 0;
    for (let c = 0; c < 3000; c++) {
      const step = [10, 30][rand(2)]!;
      const srcStep = rand(4) === 0 ? 60 : step;
      const tsFrom = 1000 + step * rand(10);
      const from = tsFrom + step * (rand(30) - 20) + (rand(5) === 0 ? rand(step) : 0);
      const src = Float32Array.from({ length: 1 + rand(25) }, () => (rand(4) === 0 ? NaN : rand(100)));
      const old = Array.from({ length: 1 + rand(12) }, () => (rand(3) === 0 ? NaN : -1));
      let plan;
      try {
        plan = planFill({ from: tsFrom, step, pointsCount: old.length }, from, srcStep, src.length);
      } catch {
        continue; // Go would index out of range
      }
      if (plan.step === plan.srcStep && plan.tSrc === plan.tDst) shortcuts++;
      else others++;
      const want = target(tsFrom, step, old);
      const got = target(tsFrom, step, old);
      assert.equal(fillAny(plan, got.data, src, 0), goFillAny(want, from, srcStep, src), `case ${c}`);
      assert.deepEqual(Array.from(got.data), Array.from(want.data), `case ${c}`);
    }
    assert.ok(shortcuts > 500 && others > 300, `${shortcuts} cases took the shortcut, ${others} did not`);
  });

  it('refuses grids Go would panic on', () => {
    assert.throws(() => fillInto(fillAny, target(10_000, 10, [NaN]), 100, 10, Float32Array.from([1])), CacheFormatError);
    assert.throws(() => fillInto(fillSum, target(100, 10, [NaN]), 1000, 10, Float32Array.from([1])), CacheFormatError);
  });
});

const GRID: QueryGrid = { from: 1000, pointsCount: 10, step: 10 };
const SERIES = [
  { hash: 11n, pairs: seriesPairs({ machineId: 'm1', systemUuid: 'u1', containerId: '/k8s/ns/pod/c', destination: '10.0.0.1:80', destIp: true, actualDestination: '10.1.1.1:80', labels: { job: 'node', __proto__x: 'p' } }), values: [1, 2, NaN, 4, 5, 6, 7, 8, 9, 10] },
  // a series without a single value in the chunk is not added (its labels are still read)
  { hash: 12n, pairs: [['job', 'empty']] as Array<[string, string]>, values: new Array<number>(10).fill(NaN) },
  { hash: 13n, pairs: [['destination', 'db:5432'], ['le', '0.5'], ['__proto__', 'x'], ['emoji', 'ü€😀']] as Array<[string, string]>, values: [NaN, NaN, 3] },
];
const SPEC: ChunkSpec = { from: 1000, pointsCount: 10, step: 10, finalized: true, series: SERIES };

function checkSeries(dest: SeriesSet) {
  assert.deepEqual(dest.series, [dest.get(11n), dest.get(13n)]);
  assert.equal(dest.get(12n), undefined);
  const a = dest.get(11n)!;
  assert.equal(a.machineId, 'm1');
  assert.equal(a.systemUuid, 'u1');
  assert.equal(a.containerId, '/k8s/ns/pod/c');
  assert.equal(a.destination, '10.0.0.1:80');
  assert.equal(a.destIp, true);
  assert.equal(a.actualDestination, '10.1.1.1:80');
  assert.deepEqual({ ...a.labels }, { job: 'node', __proto__x: 'p' });
  assert.deepEqual(values(a), [1, 2, NaN, 4, 5, 6, 7, 8, 9, 10]);
  const c = dest.get(13n)!;
  assert.equal(c.destination, 'db:5432');
  assert.equal(c.destIp, false);
  assert.equal(Object.getOwnPropertyDescriptor(c.labels, '__proto__')?.value, 'x', 'a __proto__ label is a plain label');
  assert.equal(c.labels.emoji, 'ü€😀');
  assert.deepEqual(values(c), [NaN, NaN, 3, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
}

describe('v4 chunks', () => {
  it('reads series, labels and values, greedy and literals-only blocks', () => {
    checkSeries(read(file(chunkV4Bytes(SPEC)), GRID));
    checkSeries(read(file(chunkV4Bytes(SPEC, { mode: 'literals' })), GRID));
  });

  it('merges into what earlier chunks returned: values overwritten, labels kept', () => {
    const dest = read(file(chunkV4Bytes(SPEC)), GRID);
    const later: ChunkSpec = { from: 1050, pointsCount: 5, step: 10, finalized: false, series: [
      { hash: 11n, pairs: [['job', 'relabelled']], values: [50, NaN, 70, NaN, NaN] },
      { hash: 12n, pairs: [['job', 'now-present']], values: [NaN, 1] },
    ] };
    read(file(chunkV4Bytes(later)), GRID, fillAny, dest);
    assert.deepEqual(values(dest.get(11n)), [1, 2, NaN, 4, 5, 50, NaN, 70, NaN, NaN]);
    assert.equal(dest.get(11n)!.labels.job, 'node');
    assert.deepEqual({ ...dest.get(12n)!.labels }, { job: 'now-present' });
  });

  it('applies label pairs in file order: destination after destination_ip keeps DestIp', () => {
    const spec: ChunkSpec = { ...SPEC, series: [{ hash: 1n, pairs: [['destination_ip', '1.1.1.1'], ['destination', 'name'], ['a', '1'], ['a', '2']], values: [1] }] };
    const s = read(file(chunkV4Bytes(spec)), GRID).get(1n)!;
    assert.equal(s.destination, 'name');
    assert.equal(s.destIp, true);
    assert.equal(s.labels.a, '2');
  });

  it('keeps labels named like Object.prototype members as ordinary labels (v4 and v3)', () => {
    const pairs: Array<[string, string]> = [['__proto__', 'p'], ['constructor', 'c'], ['job', 'j']];
    const spec: ChunkSpec = { ...SPEC, series: [{ hash: 1n, pairs, values: [1] }, { hash: 2n, pairs: [['job', 'k']], values: [2] }] };
    for (const bytes of [chunkV4Bytes(spec), chunkV3Bytes(spec)]) {
      const dest = read(file(bytes), GRID);
      const s = dest.get(1n)!;
      assert.deepEqual(Object.keys(s.labels), ['__proto__', 'constructor', 'job']);
      assert.equal(s.labels.__proto__, 'p');
      assert.equal(s.labels.constructor, 'c');
      // an absent label reads as absent, not as an inherited member
      const other = dest.get(2n)!.labels;
      assert.equal(other.constructor, undefined);
      assert.equal(other.toString, undefined);
      assert.equal('hasOwnProperty' in other, false);
    }
  });

  it('splits values into 1 MiB blocks, a series never across two', () => {
    const n = 2300; // 480-byte series: 2184 fit a block
    const series = Array.from({ length: n }, (_, i) => ({ hash: BigInt(i + 1), pairs: [['i', String(i)]] as Array<[string, string]>, values: Array.from({ length: 120 }, (_, k) => (k % 9 === 0 ? NaN : i + k / 8)) }));
    const spec: ChunkSpec = { from: 0, pointsCount: 120, step: 30, finalized: true, series };
    const bytes = chunkV4Bytes(spec);
    const firstBlock = bytes.readUInt32LE(26 + 8 * n);
    assert.equal(firstBlock, 2184 * 480);
    const dest = read(file(bytes), { from: 0, pointsCount: 120, step: 30 });
    assert.equal(dest.series.length, n);
    assert.deepEqual(values(dest.get(2300n)).slice(0, 3), [NaN, 2299.125, 2299.25]);
    assert.equal(dest.get(2200n)!.labels.i, '2199');
  });

  it('reads value blocks compressed by liblz4 (the lz4 tool)', () => {
    const compressBlock = (d: Uint8Array) => {
      const blocks = parseFrame(lz4Tool(['-c', '-9', '-B7', '-BI', '--no-frame-crc'], d));
      assert.equal(blocks.length, 1);
      assert.ok(blocks[0]!.compressed);
      return blocks[0]!.data;
    };
    checkSeries(read(file(chunkV4Bytes(SPEC, { compressBlock })), GRID));
  });
});

// a hash twice in one chunk (Coroot never writes that): both label records go to the series created
// last for it, as Go's per-chunk `missing` map (v4) or its re-lookup in the result (v3) does
const TWICE: ChunkSpec = { from: 1000, pointsCount: 3, step: 10, finalized: true, series: [
  { hash: 5n, pairs: [['a', '1'], ['machine_id', 'm']], values: [NaN, NaN, NaN] },
  { hash: 6n, pairs: [['c', '3']], values: [7, 8, 9] },
  { hash: 5n, pairs: [['b', '2']], values: [1, NaN, 3] },
  { hash: 6n, pairs: [['d', '4']], values: [NaN, NaN, NaN] },
] };

function checkTwice(dest: SeriesSet, labelsOf6: Record<string, string>) {
  assert.deepEqual(dest.series, [dest.get(6n), dest.get(5n)]);
  const five = dest.get(5n)!;
  assert.deepEqual({ ...five.labels }, { b: '2' });
  assert.equal(five.machineId, 'm', 'special labels are not reset with the label map');
  assert.deepEqual(values(five), [1, NaN, 3, NaN]);
  assert.deepEqual({ ...dest.get(6n)!.labels }, labelsOf6);
  assert.deepEqual(values(dest.get(6n)), [NaN, NaN, NaN, NaN]);
}

describe('a hash twice in one chunk', () => {
  const grid = { from: 1000, pointsCount: 4, step: 10 };
  it('v4: labels of every record go to the series the chunk created last', () => checkTwice(read(file(chunkV4Bytes(TWICE)), grid), { d: '4' }));
  it('v3: labels of new records go to the series in the result', () => checkTwice(read(file(chunkV3Bytes(TWICE)), grid), { c: '3' }));
});

describe('SeriesSet', () => {
  it('keeps apart hashes that differ in one half only, in the order they joined', () => {
    const set = new SeriesSet({ from: 0, pointsCount: 2, step: 10 });
    set.beginChunk();
    const hashes: bigint[] = [];
    for (let i = 1; i <= 5000; i++) hashes.push(BigInt(i), BigInt(i) << 32n, (BigInt(i) << 32n) | 0xffffffffn);
    for (const h of hashes) {
      const e = set.entry(Number(h & 0xffffffffn), Number(h >> 32n));
      assert.equal(set.inResult(e), null);
      set.create(e).values[0] = Number(h % 1000n);
      set.add(e);
    }
    assert.equal(set.series.length, hashes.length);
    hashes.forEach((h, i) => {
      assert.equal(set.get(h), set.series[i]);
      assert.equal(set.series[i]!.values[0], Number(h % 1000n));
      assert.ok(Number.isNaN(set.series[i]!.values[1]));
    });
    assert.equal(set.get(1n << 63n), undefined);
    // looked up again as later chunks do: in the same order (each the entry after the last), reversed,
    // and with a new hash between known ones
    const lookUp = (h: bigint) => set.inResult(set.entry(Number(h & 0xffffffffn), Number(h >> 32n)));
    for (const h of hashes) assert.equal(lookUp(h), set.get(h));
    for (const h of [...hashes].reverse()) assert.equal(lookUp(h), set.get(h));
    assert.equal(lookUp(hashes[10]!), set.get(hashes[10]!));
    assert.equal(lookUp(1n << 63n), null);
    assert.equal(lookUp(hashes[11]!), set.get(hashes[11]!));
    assert.equal(set.series.length, hashes.length);
  });
});

describe('v3 chunks', () => {
  it('reads series, labels and values from one golz4 stream', () => {
    checkSeries(read(file(chunkV3Bytes(SPEC)), GRID));
    checkSeries(read(file(chunkV3Bytes(SPEC, { mode: 'literals' })), GRID));
  });

  it('reads streams of many small blocks, each reaching into the previous one', () => {
    const series = Array.from({ length: 400 }, (_, i) => ({ hash: BigInt(i + 1), pairs: [['pod', `pod-${i % 7}`]] as Array<[string, string]>, values: Array.from({ length: 60 }, (_, k) => (k < 2 ? NaN : i % 3)) }));
    const spec: ChunkSpec = { from: 0, pointsCount: 60, step: 10, finalized: true, series };
    const bytes = chunkV3Bytes(spec, { streamBlockSize: 4096 });
    const dest = read(file(bytes), { from: 0, pointsCount: 60, step: 10 });
    assert.equal(dest.series.length, 400);
    assert.equal(dest.get(400n)!.labels.pod, 'pod-0');
    assert.equal(values(dest.get(3n))[5], 2);
  });

  it('reads a stream of liblz4 linked blocks (the lz4 tool)', () => {
    const stream = (payload: Uint8Array) => Buffer.concat(parseFrame(lz4Tool(['-c', '-B4', '-BD', '--no-frame-crc'], payload)).flatMap((b) => {
      assert.ok(b.compressed);
      const size = Buffer.alloc(4);
      size.writeUInt32LE(b.data.length);
      return [size, Buffer.from(b.data)];
    }));
    checkSeries(read(file(chunkV3Bytes(SPEC, { stream })), GRID));
  });
});

describe('malformed chunks are errors, never crashes', () => {
  const v4 = chunkV4Bytes(SPEC);
  const hashesEnd = 26 + 8 * SPEC.series.length;
  const blockLen = v4.readUInt32LE(hashesEnd + 4);
  const labelsAt = hashesEnd + 8 + blockLen;

  it('unknown version', () => failsWith(file(Buffer.concat([header(5, SPEC, 1), Buffer.alloc(100)])), /unknown version: 5/));
  it('truncated header', () => failsWith(file(v4.subarray(0, 20)), /truncated header/));
  it('truncated hashes', () => failsWith(file(v4.subarray(0, 40)), /truncated: 3 series hashes/));
  it('a header claiming 4 billion series is refused before anything is allocated', () => {
    failsWith(file(Buffer.concat([header(4, SPEC, 0xffffffff), v4.subarray(26)])), /truncated: 4294967295 series hashes/);
  });
  it('truncated block', () => failsWith(file(v4.subarray(0, hashesEnd + 8 + 5)), /truncated: block/));
  it('truncated labels', () => {
    // the last pair has 1 of its 4 bytes: the message names the file offset, as when read from the file
    const cut = v4.length - 3;
    failsWith(file(v4.subarray(0, cut)), new RegExp(`^truncated: label pair needs 4 bytes at offset ${cut - 1}, the file has 1 left`));
  });
  it('a block that ends inside a series', () => {
    const two = chunkV4Bytes({ ...SPEC, series: SPEC.series.slice(0, 2) });
    // three series declared and hashed, a block holding two
    const short = Buffer.concat([header(4, SPEC, 3), v4.subarray(26, hashesEnd), two.subarray(26 + 16)]);
    failsWith(file(short), new RegExp(`block of ${2 * SPEC.pointsCount * 4} bytes ends inside a series`));
  });
  it('no labels at all', () => failsWith(file(v4.subarray(0, labelsAt)), /truncated: labels meta/));

  it('LZ4 data that does not decompress', () => {
    const bad = Buffer.from(v4);
    bad.fill(0xff, hashesEnd + 8, hashesEnd + 8 + blockLen);
    failsWith(file(bad), /LZ4 data does not decompress/);
  });

  it('a block larger or smaller than its declared size', () => {
    const smaller = Buffer.from(v4);
    smaller.writeUInt32LE(v4.readUInt32LE(hashesEnd) - 4, hashesEnd);
    failsWith(file(smaller), /output larger than|decompressed to/);
    const larger = Buffer.from(v4);
    larger.writeUInt32LE(v4.readUInt32LE(hashesEnd) + 4, hashesEnd);
    failsWith(file(larger), /decompressed to 120 bytes, its header says 124/);
    const huge = Buffer.from(v4);
    huge.writeUInt32LE(2 * 1024 * 1024, hashesEnd);
    failsWith(file(huge), /more than 1048576/);
    const hugeCompressed = Buffer.from(v4);
    hugeCompressed.writeUInt32LE(0x7fffffff, hashesEnd + 4);
    failsWith(file(hugeCompressed), /compressed bytes is larger/);
  });

  it('label indexes out of range', () => {
    const bad = Buffer.from(v4);
    // the first pair of the first series: its key index
    const keysSize = v4.readUInt32LE(labelsAt + 4);
    const compressedVals = v4.readUInt32LE(labelsAt);
    const pairsAt = labelsAt + 24 + keysSize + compressedVals;
    assert.equal(bad[pairsAt], 7, 'series 11 has 7 pairs');
    bad[pairsAt + 1] = 200;
    failsWith(file(bad), /key or value index out of range/);
  });

  it('label values that decompress to another size, or cannot be that large', () => {
    const bad = Buffer.from(v4);
    bad.writeUInt32LE(v4.readUInt32LE(labelsAt + 8) + 1, labelsAt + 8);
    failsWith(file(bad), /label values decompressed to|output larger/);
    const huge = Buffer.from(v4);
    huge.writeUInt32LE(0xffffffff, labelsAt + 8);
    failsWith(file(huge), /more than .* compressed bytes can hold/);
  });

  it('a key dictionary shorter than its count', () => {
    const bad = Buffer.from(v4);
    bad.writeUInt32LE(v4.readUInt32LE(labelsAt + 12) + 1, labelsAt + 12);
    failsWith(file(bad), /label keys: string .* out of range/);
  });

  it('grids Go cannot read: no points, no step, no series', () => {
    failsWith(file(chunkV4Bytes({ ...SPEC, pointsCount: 0 })), /0 points/);
    failsWith(file(chunkV4Bytes({ ...SPEC, step: 0 })), /step 0/);
    failsWith(file(chunkV4Bytes({ ...SPEC, series: [] })), /without series/);
    failsWith(file(chunkV3Bytes({ ...SPEC, pointsCount: 0 })), /0 points/);
  });

  it('v3: truncated or undecodable stream, labels offset behind the position', () => {
    const v3 = chunkV3Bytes(SPEC);
    failsWith(file(v3.subarray(0, v3.length - 10)), /truncated: LZ4 stream block/);
    failsWith(file(Buffer.concat([header(3, SPEC, 3), Buffer.from([1, 0, 0, 0, 0xff])])), /LZ4 data does not decompress/);
    const tooBig = Buffer.concat([header(3, SPEC, 3), Buffer.from([0xff, 0xff, 0xff, 0x7f])]);
    failsWith(file(tooBig), /LZ4 stream block of .* is larger/);
    // the second labelled series claims an offset before the end of the first: uint32 wrap, skip past the end
    const payload = v3Payload(SPEC);
    const recordSize = 16 + 4 * SPEC.pointsCount;
    payload.writeUInt32LE(0, 2 * recordSize + 8);
    failsWith(file(Buffer.concat([header(3, SPEC, 3), lz4Stream(payload)])), /unexpected end of the compressed data/);
  });

  it('a huge record size is refused before anything is allocated', () => {
    const spec = { ...SPEC, pointsCount: 0x40000000 };
    failsWith(file(Buffer.concat([header(3, spec, 1), lz4Stream(new Uint8Array(100))])), /cannot be in a/);
    failsWith(file(Buffer.concat([header(4, spec, 1), Buffer.alloc(8), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0, 0])])), /does not fit/);
  });

  it('a file that is not there, or a directory', () => {
    assert.throws(() => read(join(tmp, 'missing.db'), GRID), { code: 'ENOENT' });
    assert.throws(() => read(tmp, GRID), { code: 'EISDIR' });
  });

  it('the test compressor is not what makes these pass', () => {
    assert.ok(lz4CompressBlock(new Uint8Array(10)).length > 0);
  });
});
