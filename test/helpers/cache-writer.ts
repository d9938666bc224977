/**
 * Writes Coroot cache chunk files byte for byte as Coroot's writers lay them out (cache/chunk/chunk.go
 * Write and v4.go for v4; the older golz4-stream layout for v3), so the reader can be tested on files
 * that look like Coroot's. Includes a small LZ4 block compressor: literals-only blocks, and a greedy
 * compressor that emits real matches (overlapping ones and, for streams, matches into the previous
 * block), both obeying the format's end-of-block rules.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryHash } from '../../src/sources/cache/source.js';
import { RR } from '../../src/world/queries.js';

// ============================================================================================== LZ4

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const MAX_OFFSET = 65535;

export type Lz4Mode = 'greedy' | 'literals';

function pushLength(out: number[], n: number): void {
  while (n >= 255) {
    out.push(255);
    n -= 255;
  }
  out.push(n);
}

function sequence(out: number[], literals: Uint8Array, offset: number, matchLen: number): void {
  const litLen = literals.length;
  const ml = matchLen - MIN_MATCH;
  out.push(((litLen >= 15 ? 15 : litLen) << 4) | (ml >= 15 ? 15 : ml));
  if (litLen >= 15) pushLength(out, litLen - 15);
  for (const b of literals) out.push(b);
  out.push(offset & 0xff, offset >>> 8);
  if (ml >= 15) pushLength(out, ml - 15);
}

function lastLiterals(out: number[], literals: Uint8Array): void {
  const litLen = literals.length;
  out.push((litLen >= 15 ? 15 : litLen) << 4);
  if (litLen >= 15) pushLength(out, litLen - 15);
  for (const b of literals) out.push(b);
}

/**
 * One LZ4 block of `data`. 'greedy' takes the longest match a 4-byte hash finds (within 64 KiB, reaching
 * into `dict` when given: the previous block of a stream); 'literals' emits one literal run.
 */
export function lz4CompressBlock(data: Uint8Array, mode: Lz4Mode = 'greedy', dict: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out: number[] = [];
  if (mode === 'literals' || data.length < MF_LIMIT + 1) {
    lastLiterals(out, data);
    return Uint8Array.from(out);
  }
  const all = new Uint8Array(dict.length + data.length);
  all.set(dict, 0);
  all.set(data, dict.length);
  const base = dict.length;
  const end = all.length;
  const matchLimit = end - LAST_LITERALS;
  const lastMatchStart = end - MF_LIMIT;
  const table = new Map<number, number>();
  const key = (p: number) => (all[p]! | (all[p + 1]! << 8) | (all[p + 2]! << 16) | (all[p + 3]! << 24)) >>> 0;
  for (let p = Math.max(0, base - MAX_OFFSET); p + 4 <= base; p++) table.set(key(p), p);
  let anchor = base;
  let ip = base;
  while (ip <= lastMatchStart) {
    const k = key(ip);
    const cand = table.get(k);
    table.set(k, ip);
    if (cand === undefined || ip - cand > MAX_OFFSET) {
      ip++;
      continue;
    }
    let len = 0;
    while (ip + len < matchLimit && all[cand + len] === all[ip + len]) len++;
    if (len < MIN_MATCH) {
      ip++;
      continue;
    }
    sequence(out, all.subarray(anchor, ip), ip - cand, len);
    for (let p = ip + 1; p < ip + len && p + 4 <= end; p++) table.set(key(p), p);
    ip += len;
    anchor = ip;
  }
  lastLiterals(out, all.subarray(anchor, end));
  return Uint8Array.from(out);
}

/** golz4's stream framing: `u32 LE size` + block, each block compressed against the previous one. */
export function lz4Stream(data: Uint8Array, blockSize = 64 * 1024, mode: Lz4Mode = 'greedy'): Uint8Array {
  const parts: Uint8Array[] = [];
  let prev: Uint8Array = new Uint8Array(0);
  for (let off = 0; off < data.length; off += blockSize) {
    const block = data.subarray(off, Math.min(data.length, off + blockSize));
    const compressed = lz4CompressBlock(block, mode, prev.subarray(Math.max(0, prev.length - MAX_OFFSET)));
    const size = Buffer.alloc(4);
    size.writeUInt32LE(compressed.length);
    parts.push(size, compressed);
    prev = block;
  }
  return Buffer.concat(parts);
}

// =========================================================================================== chunks

export interface SeriesSpec {
  hash: bigint;
  /** label pairs in the order Coroot writes them (see seriesPairs); values may be any string */
  pairs: Array<[string, string]>;
  /** one value per chunk point; NaN for a gap */
  values: ArrayLike<number>;
}

export interface ChunkSpec {
  from: number;
  pointsCount: number;
  step: number;
  finalized: boolean;
  series: SeriesSpec[];
}

/** The pair order of writeLabelsV4: the five special fields first, then the label map. */
export function seriesPairs(mv: {
  machineId?: string; systemUuid?: string; containerId?: string; destination?: string; destIp?: boolean;
  actualDestination?: string; labels?: Record<string, string>;
}): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (mv.machineId) pairs.push(['machine_id', mv.machineId]);
  if (mv.systemUuid) pairs.push(['system_uuid', mv.systemUuid]);
  if (mv.containerId) pairs.push(['container_id', mv.containerId]);
  if (mv.destination) pairs.push([mv.destIp ? 'destination_ip' : 'destination', mv.destination]);
  if (mv.actualDestination) pairs.push(['actual_destination', mv.actualDestination]);
  for (const [k, v] of Object.entries(mv.labels ?? {})) if (v !== '') pairs.push([k, v]);
  return pairs;
}

export function header(version: number, spec: Omit<ChunkSpec, 'series'>, dataSizeOrMetricsCount: number): Buffer {
  const h = Buffer.alloc(26);
  h.writeUInt8(version, 0);
  h.writeBigInt64LE(BigInt(spec.from), 1);
  h.writeUInt32LE(spec.pointsCount, 9);
  h.writeBigInt64LE(BigInt(spec.step), 13);
  h.writeUInt8(spec.finalized ? 1 : 0, 21);
  h.writeUInt32LE(dataSizeOrMetricsCount, 22);
  return h;
}

function floats(values: ArrayLike<number>, pointsCount: number): Buffer {
  const f = new Float32Array(pointsCount).fill(NaN);
  for (let i = 0; i < Math.min(pointsCount, values.length); i++) f[i] = values[i]!;
  return Buffer.from(f.buffer);
}

class Dict {
  readonly index = new Map<string, number>();
  readonly parts: Buffer[] = [];
  idx(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(s, i);
      const bytes = Buffer.from(s, 'utf8');
      const size = Math.min(bytes.length, 65535);
      const len = Buffer.alloc(2);
      len.writeUInt16LE(size);
      this.parts.push(len, bytes.subarray(0, size));
    }
    return i;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export interface V4Options {
  mode?: Lz4Mode;
  /** replaces the compressor for value blocks (e.g. blocks made by the lz4 tool) */
  compressBlock?: (data: Uint8Array) => Uint8Array;
}

/** chunk.Write (v4) */
export function chunkV4Bytes(spec: ChunkSpec, opts: V4Options = {}): Buffer {
  const compress = opts.compressBlock ?? ((d: Uint8Array) => lz4CompressBlock(d, opts.mode ?? 'greedy'));
  const parts: Buffer[] = [header(4, spec, spec.series.length)];
  const hashes = Buffer.alloc(8 * spec.series.length);
  spec.series.forEach((s, i) => hashes.writeBigUInt64LE(s.hash, i * 8));
  parts.push(hashes);
  const valueSize = spec.pointsCount * 4;
  let data: Buffer[] = [];
  let dataLen = 0;
  const flush = () => {
    if (dataLen === 0) return;
    const block = Buffer.concat(data);
    const compressed = compress(block);
    const meta = Buffer.alloc(8);
    meta.writeUInt32LE(block.length, 0);
    meta.writeUInt32LE(compressed.length, 4);
    parts.push(meta, Buffer.from(compressed));
    data = [];
    dataLen = 0;
  };
  for (const s of spec.series) {
    if (dataLen + valueSize > 1024 * 1024) flush();
    data.push(floats(s.values, spec.pointsCount));
    dataLen += valueSize;
  }
  flush();
  // writeLabelsV4
  const keys = new Dict();
  const vals = new Dict();
  const pairs: number[] = [];
  for (const s of spec.series) {
    const kept = s.pairs.filter(([, v]) => v !== '');
    pairs.push(kept.length & 0xff);
    for (const [k, v] of kept) {
      const ki = keys.idx(k);
      const vi = vals.idx(v);
      pairs.push(ki & 0xff, vi & 0xff, (vi >>> 8) & 0xff, (vi >>> 16) & 0xff);
    }
  }
  const valsBytes = vals.bytes();
  const compressedVals = lz4CompressBlock(valsBytes, opts.mode ?? 'greedy');
  const keysBytes = keys.bytes();
  const lm = Buffer.alloc(24);
  lm.writeUInt32LE(compressedVals.length, 0);
  lm.writeUInt32LE(keysBytes.length, 4);
  lm.writeUInt32LE(valsBytes.length, 8);
  lm.writeUInt32LE(keys.index.size, 12);
  lm.writeUInt32LE(vals.index.size, 16);
  lm.writeUInt32LE(pairs.length, 20);
  parts.push(lm, keysBytes, Buffer.from(compressedVals), Buffer.from(pairs));
  return Buffer.concat(parts);
}

export interface V3Options {
  mode?: Lz4Mode;
  /**
   * decompressed bytes per stream block: Coroot's v3 writer put a 4 KiB bufio.Writer in front of
   * golz4's Writer, so most blocks are 4096 bytes (golz4 splits larger writes at 64 KiB)
   */
  streamBlockSize?: number;
  /** replaces the whole compressed stream (e.g. blocks made by the lz4 tool) */
  stream?: (payload: Uint8Array) => Uint8Array;
}

/** The decompressed v3 payload: per series `hash, labels offset, labels size, values`, then the labels. */
export function v3Payload(spec: ChunkSpec): Buffer {
  const records: Buffer[] = [];
  const labels: Buffer[] = [];
  let offset = 0;
  for (const s of spec.series) {
    const text = Buffer.from(s.pairs.map(([k, v]) => `${k}\0${v}\0`).join(''), 'utf8');
    const meta = Buffer.alloc(16);
    meta.writeBigUInt64LE(s.hash, 0);
    meta.writeUInt32LE(offset, 8);
    meta.writeUInt32LE(text.length, 12);
    records.push(meta, floats(s.values, spec.pointsCount));
    labels.push(text);
    offset += text.length;
  }
  return Buffer.concat([...records, ...labels]);
}

export function chunkV3Bytes(spec: ChunkSpec, opts: V3Options = {}): Buffer {
  const payload = v3Payload(spec);
  const stream = opts.stream ? opts.stream(payload) : lz4Stream(payload, opts.streamBlockSize ?? 4096, opts.mode);
  return Buffer.concat([header(3, spec, spec.series.length), stream]);
}

// ========================================================================================= on disk

const RR_HASHES = new Set(Object.values(RR).map(queryHash));

/** cache.chunkJitter: FNV-32a of `<project>-<hash>` (hash empty for recording rules) mod 10, in minutes */
export function chunkJitter(projectId: string, hash: string): number {
  const keyText = `${projectId}-${RR_HASHES.has(hash) ? '' : hash}`;
  let h = 0x811c9dc5;
  for (const b of Buffer.from(keyText, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 10) * 60;
}

export function chunkFileName(projectId: string, hash: string, from: number, pointsCount: number, step: number): string {
  return `${projectId}-${hash}-${from}-${pointsCount}-${step}.db`;
}

export interface WriteChunkOptions {
  version?: 3 | 4;
  /** file modification time, Unix seconds: Coroot applies chunks in this order */
  created: number;
  v4?: V4Options;
  v3?: V3Options;
}

/** Writes one chunk of `query` into DATA_DIR/cache/<project>/ and returns its path. */
export function writeChunk(cacheDir: string, projectId: string, query: string, spec: ChunkSpec, opts: WriteChunkOptions): string {
  const dir = join(cacheDir, projectId);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, chunkFileName(projectId, queryHash(query), spec.from, spec.pointsCount, spec.step));
  writeFileSync(path, opts.version === 3 ? chunkV3Bytes(spec, opts.v3) : chunkV4Bytes(spec, opts.v4));
  utimesSync(path, opts.created, opts.created);
  return path;
}

// ============================================================================= LZ4 frames (lz4 tool)
// Only as far as the tests exchange blocks with the `lz4` command-line tool (real liblz4): split a frame
// into blocks, wrap our blocks into a frame the tool decompresses. Frame checksums are left out (the tool
// accepts frames without them); the header checksum byte is required, hence XXH32.

const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;

export function xxh32(data: Uint8Array, seed = 0): number {
  const len = data.length;
  const u32 = (p: number) => (data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16) | (data[p + 3]! << 24)) >>> 0;
  let p = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) >>> 0;
    let v2 = (seed + PRIME2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - PRIME1) >>> 0;
    const round = (v: number, input: number) => mul(rotl((v + mul(input, PRIME2)) >>> 0, 13), PRIME1);
    while (p <= len - 16) {
      v1 = round(v1, u32(p));
      v2 = round(v2, u32(p + 4));
      v3 = round(v3, u32(p + 8));
      v4 = round(v4, u32(p + 12));
      p += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    h = (seed + PRIME5) >>> 0;
  }
  h = (h + len) >>> 0;
  while (p + 4 <= len) {
    h = mul(rotl((h + mul(u32(p), PRIME3)) >>> 0, 17), PRIME4);
    p += 4;
  }
  while (p < len) {
    h = mul(rotl((h + mul(data[p]!, PRIME5)) >>> 0, 11), PRIME1);
    p++;
  }
  h ^= h >>> 15;
  h = mul(h, PRIME2);
  h ^= h >>> 13;
  h = mul(h, PRIME3);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface FrameBlock {
  compressed: boolean;
  data: Uint8Array;
}

/** The blocks of an LZ4 frame (no dictionary id support; checksums skipped). */
export function parseFrame(frame: Uint8Array): FrameBlock[] {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0, true) !== 0x184d2204) throw new Error('not an LZ4 frame');
  const flg = frame[4]!;
  let p = 6;
  if (flg & 0x08) p += 8;
  if (flg & 0x01) p += 4;
  p += 1;
  const blockChecksum = (flg & 0x10) !== 0;
  const blocks: FrameBlock[] = [];
  for (;;) {
    const word = view.getUint32(p, true);
    p += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    blocks.push({ compressed: (word & 0x80000000) === 0, data: frame.subarray(p, p + size) });
    p += size;
    if (blockChecksum) p += 4;
  }
  return blocks;
}

/** A frame around our blocks: 4 MiB max block size, linked or independent blocks, no checksums. */
export function makeFrame(blocks: Uint8Array[], linked: boolean): Buffer {
  const descriptor = Buffer.from([linked ? 0x40 : 0x60, 0x70]);
  const hc = (xxh32(descriptor) >>> 8) & 0xff;
  const parts: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18]), descriptor, Buffer.from([hc])];
  for (const b of blocks) {
    const size = Buffer.alloc(4);
    size.writeUInt32LE(b.length);
    parts.push(size, Buffer.from(b));
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export function haveLz4Tool(): boolean {
  return spawnSync('lz4', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Runs the `lz4` tool on stdin; throws with its stderr when it fails. */
export function lz4Tool(args: string[], input: Uint8Array): Buffer {
  const r = spawnSync('lz4', args, { input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`lz4 ${args.join(' ')}: ${r.stderr.toString().trim()}`);
  return r.stdout;
}
