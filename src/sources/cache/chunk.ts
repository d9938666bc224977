/**
 * Coroot's chunk files (cache/chunk/chunk.go, v4.go): one file per query and time range, named
 * `<project>-<md5 of the query>-<from>-<points>-<step>.db`, starting with a 26-byte little-endian header
 * (Go's binary.Read of a struct has no padding):
 *
 *   u8 version | i64 from | u32 points | i64 step | bool finalized | u32 series count
 *
 * (Go calls the last field DataSizeOrMetricsCount; both the v3 and the v4 reader take it as the count.)
 *
 * v4 (written by v1.24.5): u64 label hash per series; LZ4 blocks of at most 1 MiB of float32 values
 * (`u32 decompressed, u32 compressed` + block), a series never split across blocks; then the labels:
 * six u32 sizes, the key dictionary, the LZ4-compressed value dictionary, and per series a count byte
 * and 4-byte (key index u8, value index u24) pairs.
 *
 * v3 (older Coroot): after the header one golz4 LZ4 stream holding, per series, `u64 hash, u32 labels
 * offset, u32 labels size` and its float32 values, then the labels area of `key\0value\0` strings.
 *
 * readChunk merges one chunk into the query's result exactly as chunk.Read does, including which series
 * it adds and whose labels it reads.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { newLabelMap, NO_LABELS, type MetricValues } from '../metrics.js';
import { CacheFormatError } from './errors.js';
import { fillAny, planFill, type FillFn, type FillPlan } from './fill.js';
import { ChunkFileReader } from './file-reader.js';
import { decompressBlock, Lz4FramedStream } from './lz4.js';
import type { SeriesSet } from './series-set.js';

export const V3 = 3;
export const V4 = 4;
export const HEADER_SIZE = 26;
/** chunk.Size: a fresh chunk covers 10 minutes */
export const CHUNK_SIZE = 600;
/** v4 value blocks hold at most this much before compression */
export const BLOCK_SIZE = 1024 * 1024;
export const BLOCK_COMPRESS_BOUND = BLOCK_SIZE + Math.floor(BLOCK_SIZE / 255) + 16;
const V3_SERIES_META_SIZE = 16;

export interface ChunkHeader {
  version: number;
  from: number;
  pointsCount: number;
  step: number;
  finalized: boolean;
  dataSizeOrMetricsCount: number;
}

/** Meta of one chunk as Coroot's in-memory index holds it (chunk.Meta). */
export interface ChunkMeta extends ChunkHeader {
  path: string;
  /** file name part 2: the md5 hex of the query text (or of the recording rule's name) */
  queryHash: string;
  /** the file's modification time in whole Unix seconds: the order chunks are applied in */
  created: number;
}

/** Meta.To: the time of the last point. PointsCount-1 wraps like Go's uint32. */
export function chunkTo(meta: Pick<ChunkHeader, 'from' | 'pointsCount' | 'step'>): number {
  return meta.from + ((meta.pointsCount - 1) >>> 0) * meta.step;
}

/**
 * The query hash of a chunk file name, or null when Coroot's index would not list the file: the name
 * must end in `.db` and split into exactly five parts on '-'.
 */
export function chunkQueryHash(fileName: string): string | null {
  if (!fileName.endsWith('.db')) return null;
  const parts = fileName.split('-');
  return parts.length === 5 ? parts[1]! : null;
}

function int64(view: DataView, offset: number, what: string): number {
  const v = view.getBigInt64(offset, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new CacheFormatError(`header ${what} ${v} is out of range`);
  }
  return Number(v);
}

export function parseHeader(bytes: Uint8Array): ChunkHeader {
  if (bytes.length < HEADER_SIZE) throw new CacheFormatError(`truncated header (${bytes.length} of ${HEADER_SIZE} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  return {
    version: view.getUint8(0),
    from: int64(view, 1, 'from'),
    pointsCount: view.getUint32(9, true),
    step: int64(view, 13, 'step'),
    finalized: view.getUint8(21) !== 0,
    dataSizeOrMetricsCount: view.getUint32(22, true),
  };
}

/**
 * chunk.ReadMeta: the header and the modification time; any error means Coroot skips the file. Only the
 * header is read (no buffered reader), since a large cache has thousands of chunks to index.
 */
export function readChunkMeta(path: string, queryHash: string): ChunkMeta {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    const bytes = new Uint8Array(HEADER_SIZE);
    let got = 0;
    for (;;) {
      const n = readSync(fd, bytes, got, HEADER_SIZE - got, got);
      if (n === 0) break;
      got += n;
      if (got === HEADER_SIZE) break;
    }
    const header = parseHeader(bytes.subarray(0, got));
    return { ...header, path, queryHash, created: Math.floor(st.mtimeMs / 1000) };
  } finally {
    closeSync(fd);
  }
}

/** One label as the readers apply it: in file order, a later pair overwriting an earlier one. */
function applyLabel(mv: MetricValues, key: string, value: string): void {
  switch (key) {
    case 'machine_id': mv.machineId = value; break;
    case 'system_uuid': mv.systemUuid = value; break;
    case 'container_id': mv.containerId = value; break;
    case 'destination': mv.destination = value; break;
    case 'actual_destination': mv.actualDestination = value; break;
    case 'destination_ip':
      mv.destination = value;
      mv.destIp = true;
      break;
    default:
      if (mv.labels === NO_LABELS) mv.labels = newLabelMap();
      mv.labels[key] = value;
  }
}

// Go's string(bytes) keeps any bytes; decoding here replaces invalid UTF-8 exactly where Go's JSON
// encoder would, and must not drop a leading BOM.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** LZ4 cannot expand more than this; a larger declared size is corrupt and is not allocated. */
const maxDecompressed = (compressed: number): number => compressed * 255 + 16;

function checkGrid(h: ChunkHeader): void {
  if (h.step <= 0) throw new CacheFormatError(`header step ${h.step} is not positive`);
  if (h.pointsCount === 0) throw new CacheFormatError('header has 0 points');
}

/**
 * chunk.Read: merges one chunk into `dest`. Throws CacheFormatError for anything Coroot would fail on
 * (unknown version, truncation, LZ4 errors, label indexes out of range) and for what would make Coroot
 * panic or read stale memory (a block larger or smaller than declared, sizes beyond Coroot's buffers).
 */
export function readChunk(path: string, dest: SeriesSet, fill: FillFn = fillAny): void {
  const reader = new ChunkFileReader(path);
  try {
    const header = parseHeader(reader.readExact(Math.min(HEADER_SIZE, reader.size), 'header'));
    switch (header.version) {
      case V3:
        dest.beginChunk();
        readV3(reader, header, dest, fill);
        return;
      case V4:
        dest.beginChunk();
        readV4(reader, header, dest, fill);
        return;
      default:
        throw new CacheFormatError(`unknown version: ${header.version}`);
    }
  } finally {
    reader.close();
  }
}

function readV3(reader: ChunkFileReader, h: ChunkHeader, dest: SeriesSet, fill: FillFn): void {
  checkGrid(h);
  const stream = new Lz4FramedStream(reader);
  // anything larger than the whole file can expand to cannot be in it, and is not allocated
  const limit = maxDecompressed(reader.size);
  const bounded = (n: number, what: string): number => {
    if (n > limit) throw new CacheFormatError(`${what} of ${n} bytes cannot be in a ${reader.size}-byte file`);
    return n;
  };
  const recordSize = bounded(V3_SERIES_META_SIZE + 4 * h.pointsCount, 'a series record');
  const labelsToRead: Array<{ entry: number; hash: bigint; offset: number; size: number }> = [];
  let plan: FillPlan | undefined;
  for (let i = 0; i < h.dataSizeOrMetricsCount; i++) {
    const rec = stream.read(recordSize, `series ${i}`);
    const view = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    const entry = dest.entry(view.getUint32(0, true), view.getUint32(4, true));
    const existing = dest.inResult(entry);
    const mv = existing ?? dest.create(entry);
    if (existing === null) labelsToRead.push({ entry, hash: view.getBigUint64(0, true), offset: view.getUint32(8, true), size: view.getUint32(12, true) });
    // the same for every series of the chunk, and not computed when it has none, as Go aligns per series
    plan ??= planFill(dest.grid, h.from, h.step, h.pointsCount);
    const values = new Float32Array(rec.buffer, rec.byteOffset + V3_SERIES_META_SIZE, h.pointsCount);
    if (fill(plan, mv.values, values, 0) && existing === null) dest.add(entry);
  }
  let offset = 0;
  for (const m of labelsToRead) {
    const mv = dest.inResult(m.entry);
    if (mv === null) continue;
    // uint32 arithmetic: an offset behind the current position wraps to a skip past the end, as in Go
    const toSkip = (m.offset - offset) >>> 0;
    if (toSkip > 0) stream.skip(toSkip, `the labels of series ${m.hash}`);
    const raw = stream.read(bounded(m.size, 'a labels record'), `the labels of series ${m.hash}`);
    offset = (m.offset + m.size) >>> 0;
    mv.labels = NO_LABELS;
    readNullSeparatedLabels(raw, mv);
  }
}

/** v3 labels: `key\0value\0...`; bytes after the last NUL are ignored. */
function readNullSeparatedLabels(src: Uint8Array, mv: MetricValues): void {
  let key: string | null = null;
  let start = 0;
  for (;;) {
    const end = src.indexOf(0, start);
    if (end === -1) return;
    const text = utf8.decode(src.subarray(start, end));
    if (key === null) key = text;
    else {
      applyLabel(mv, key, text);
      key = null;
    }
    start = end + 1;
  }
}

/**
 * Chunk reads are synchronous and never nested: one buffer for a compressed block and one for its
 * decoded values serve them all, the latter also seen as float32 so that fill functions read a series
 * in place.
 */
let shared: { compressed: Uint8Array; block: Uint8Array; values: Float32Array } | undefined;

/**
 * A buffer that one part of a chunk (its hashes, its label dictionaries) is read into, reused by every
 * chunk read for the same reason as `shared`: fresh memory costs a page fault every 4 KiB and a large
 * cache's chunks would allocate tens of MB of it that is garbage right after.
 */
class Scratch {
  private bytes = new Uint8Array(0);

  /** `n` bytes read from `reader`, valid until this scratch is used again */
  read(reader: ChunkFileReader, n: number, what: string): Uint8Array {
    // grown only to what the file can hold: a corrupt size fails in readInto without a large allocation
    return reader.readInto(this.room(Math.min(n, reader.remaining)), n, what);
  }

  /** the first `n` bytes of the buffer, grown when needed */
  room(n: number): Uint8Array {
    if (this.bytes.length < n) this.bytes = new Uint8Array(Math.max(n, 2 * this.bytes.length));
    return this.bytes.subarray(0, n);
  }
}

const hashesScratch = new Scratch();
const entriesScratch = new Scratch();
const keysScratch = new Scratch();
const compressedValuesScratch = new Scratch();
const valuesScratch = new Scratch();
const pairsScratch = new Scratch();
/** label pairs areas up to this size are read at once (see readLabelsV4) */
const PAIRS_AT_ONCE = 16 * 1024 * 1024;

/**
 * v4 value blocks. Like Coroot's blockReader: the next block is read when the next series would pass
 * 1 MiB (nextBlock is called for the first one too), and after the first block liblz4's capacity is
 * the previous block's declared size. A block holds `perBlock` series; `usable` of them are in the
 * current one (fewer when it is too short, which is an error for the series after them).
 */
class BlockReader {
  private size = 0;
  private capacity = BLOCK_SIZE;
  readonly perBlock: number;
  usable = 0;
  /** the decoded block as float32: a series starts at a multiple of 4 bytes from the block's start */
  readonly values: Float32Array;
  private readonly buffers: NonNullable<typeof shared>;

  constructor(private readonly reader: ChunkFileReader, private readonly valueSize: number) {
    if (valueSize > BLOCK_SIZE) throw new CacheFormatError(`a series of ${valueSize} bytes does not fit a ${BLOCK_SIZE}-byte block`);
    if (shared === undefined) {
      const block = new Uint8Array(BLOCK_SIZE);
      shared = { compressed: new Uint8Array(BLOCK_COMPRESS_BOUND), block, values: new Float32Array(block.buffer) };
    }
    this.buffers = shared;
    this.values = shared.values;
    this.perBlock = Math.floor(BLOCK_SIZE / valueSize);
  }

  nextBlock(): void {
    const meta = this.reader.readExact(8, 'block size');
    const view = new DataView(meta.buffer, meta.byteOffset, 8);
    const declared = view.getUint32(0, true);
    const compressedSize = view.getUint32(4, true);
    if (compressedSize > BLOCK_COMPRESS_BOUND) throw new CacheFormatError(`block of ${compressedSize} compressed bytes is larger than ${BLOCK_COMPRESS_BOUND}`);
    if (declared > BLOCK_SIZE) throw new CacheFormatError(`block declares ${declared} bytes, more than ${BLOCK_SIZE}`);
    const compressed = this.reader.readInto(this.buffers.compressed, compressedSize, 'block');
    const n = decompressBlock(compressed, this.buffers.block.subarray(0, this.capacity));
    if (n !== declared) throw new CacheFormatError(`block decompressed to ${n} bytes, its header says ${declared}`);
    this.size = declared;
    this.capacity = declared;
    this.usable = Math.min(this.perBlock, Math.floor(declared / this.valueSize));
  }

  /** for the series after the usable ones of a block that is too short */
  endsInsideASeries(): CacheFormatError {
    return new CacheFormatError(`block of ${this.size} bytes ends inside a series`);
  }
}

function readV4(reader: ChunkFileReader, h: ChunkHeader, dest: SeriesSet, fill: FillFn): void {
  checkGrid(h);
  const count = h.dataSizeOrMetricsCount;
  // Go indexes the first hash unconditionally and panics on an empty chunk (Coroot never writes one)
  if (count === 0) throw new CacheFormatError('v4 chunk without series');
  const hashesBytes = hashesScratch.read(reader, count * 8, `${count} series hashes`);
  // a scratch starts at offset 0 of its buffer, so it is 4-byte aligned; the low half comes first. Typed
  // arrays read in the host's byte order: like the float32 values, this takes a little-endian host.
  const hashes = new Uint32Array(hashesBytes.buffer, hashesBytes.byteOffset, count * 2);
  const blocks = new BlockReader(reader, h.pointsCount * 4);
  const src = blocks.values;
  const entriesBytes = entriesScratch.room(count * 4);
  const entries = new Int32Array(entriesBytes.buffer, 0, count);
  let plan: FillPlan | undefined;
  // block by block, so that the loop over a block's series has no block bookkeeping. Every chunk runs
  // every line of it: a line that only the first multi-block chunk reached would send the code,
  // optimized by then, back to the interpreter in the middle of a large chunk.
  for (let i = 0; i < count; ) {
    blocks.nextBlock();
    const inBlock = Math.min(count - i, blocks.usable);
    // the same for every series of the chunk; computed where Go first aligns, at the first series read
    if (inBlock > 0) plan ??= planFill(dest.grid, h.from, h.step, h.pointsCount);
    for (let k = 0, start = 0; k < inBlock; k++, i++, start += h.pointsCount) {
      const entry = dest.entry(hashes[2 * i]!, hashes[2 * i + 1]!);
      entries[i] = entry;
      const existing = dest.inResult(entry);
      const mv = existing ?? dest.create(entry);
      if (fill(plan!, mv.values, src, start) && existing === null) dest.add(entry);
    }
    if (blocks.usable < blocks.perBlock && i < count) throw blocks.endsInsideASeries();
  }
  if (dest.chunkCreated) readLabelsV4(reader, entries, dest);
}

/**
 * readNStrings: u16 length + bytes, a length of 0 meaning 65536. Label dictionaries are nearly all
 * ASCII: the buffer is read as Latin-1 once (one character per byte) and an ASCII string is cut from
 * it, which costs far less than a UTF-8 decode per string; any other string is decoded as UTF-8.
 */
function readStrings(buf: Uint8Array, n: number, what: string): string[] {
  const out: string[] = [];
  const latin1 = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
  let offset = 0;
  for (let i = 0; i < n; i++) {
    if (offset + 2 > buf.length) throw new CacheFormatError(`${what}: string ${i} of ${n} is out of range`);
    let size = buf[offset]! | (buf[offset + 1]! << 8);
    offset += 2;
    if (size === 0) size = 65536;
    const end = offset + size;
    if (end > buf.length) throw new CacheFormatError(`${what}: string ${i} of ${n} is out of range`);
    let bits = 0;
    for (let b = offset; b < end; b++) bits |= buf[b]!;
    out.push(bits < 0x80 ? latin1.substring(offset, end) : utf8.decode(buf.subarray(offset, end)));
    offset = end;
  }
  return out;
}


function readLabelsV4(reader: ChunkFileReader, entries: Int32Array, dest: SeriesSet): void {
  const metaBytes = reader.readExact(24, 'labels meta');
  const view = new DataView(metaBytes.buffer, metaBytes.byteOffset, 24);
  const compressedValsSize = view.getUint32(0, true);
  const keysSize = view.getUint32(4, true);
  const valsSize = view.getUint32(8, true);
  const keysDictSize = view.getUint32(12, true);
  const valsDictSize = view.getUint32(16, true);
  const keys = readStrings(keysScratch.read(reader, keysSize, 'label keys'), keysDictSize, 'label keys');
  const compressedVals = compressedValuesScratch.read(reader, compressedValsSize, 'compressed label values');
  if (valsSize > maxDecompressed(compressedValsSize)) {
    throw new CacheFormatError(`label values declare ${valsSize} bytes, more than ${compressedValsSize} compressed bytes can hold`);
  }
  const valsBytes = valuesScratch.room(valsSize);
  const n = decompressBlock(compressedVals, valsBytes);
  if (n !== valsSize) throw new CacheFormatError(`label values decompressed to ${n} bytes, the labels meta says ${valsSize}`);
  const vals = readStrings(valsBytes, valsDictSize, 'label values');
  // the pairs (the rest of the file) read at once when not huge: no series' pairs then straddle the
  // reader's buffer, a path that only some chunks take and that would send the optimized loop back to
  // the interpreter
  const pairs = reader.remaining <= PAIRS_AT_ONCE ? reader.rest(pairsScratch.room(reader.remaining)) : reader;
  for (let s = 0; s < entries.length; s++) {
    const count = pairs.readU8('label pairs count');
    const mv = dest.labelTarget(entries[s]!);
    if (mv === null) {
      // Go computes the skip as a byte (pairsNum * 4), so 64 or more pairs wrap; kept for fidelity
      pairs.skip((count * 4) & 0xff, 'label pairs');
      continue;
    }
    for (let i = 0; i < count; i++) {
      const pair = pairs.readU32('label pair');
      const ki = pair & 0xff;
      const vi = pair >>> 8;
      if (ki >= keys.length || vi >= vals.length) {
        throw new CacheFormatError('corrupted labels buffer: key or value index out of range');
      }
      applyLabel(mv, keys[ki]!, vals[vi]!);
    }
  }
}
