/**
 * LZ4 block decompression with the acceptance rules of liblz4's LZ4_decompress_safe(_continue), which is
 * what Coroot's chunk reader calls through github.com/DataDog/golz4 (a cgo wrapper over
 * liblz4). The block format is small enough to decode by hand, and doing so keeps the two framings
 * Coroot uses under our control:
 *
 *  - v4 chunks and v4 label values: independent blocks, decoded with lz4.Uncompress into a buffer of a
 *    known capacity (LZ4_decompress_safe);
 *  - v3 chunks: golz4's DecompressReader stream, a sequence of `u32 LE compressed size` + block, each
 *    decoded with LZ4_decompress_safe_continue into one of two 5 MiB buffers, so a block may copy from
 *    the block decoded just before it (the stream's external dictionary).
 */
import { CacheFormatError } from './errors.js';

const MIN_MATCH = 4;
/** the last 5 bytes of a block are always literals */
const LAST_LITERALS = 5;
/** a match may not start within the last 12 bytes of the output */
const MF_LIMIT = 12;
/**
 * Runs up to this long are copied byte by byte: a subarray per sequence would allocate a view object
 * for every few bytes of output, and that garbage, not the copying, is what a block of short
 * sequences costs.
 */
const SHORT_COPY = 32;

function copyLiterals(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  if (n <= SHORT_COPY) {
    for (let k = 0; k < n; k++) dst[to + k] = src[from + k]!;
  } else {
    dst.set(src.subarray(from, from + n), to);
  }
}

/**
 * Decodes one LZ4 block into `dst`, whose length is the capacity Coroot gives liblz4, and returns the
 * number of bytes written. `dict` is the output of the previous block of a stream (its last 64 KiB are
 * all a match can reach). Throws CacheFormatError wherever liblz4 would return a negative size: input
 * overrun, output past the capacity, an offset before the dictionary, a block not ending in literals.
 * It is stricter than liblz4 1.9.4 on two kinds of corrupt block no compressor makes: a zero offset
 * (liblz4 copies whatever its output buffer held) and, on liblz4's fast path, a short last sequence
 * followed by more input.
 */
export function decompressBlock(src: Uint8Array, dst: Uint8Array, dict?: Uint8Array): number {
  const srcEnd = src.length;
  const capacity = dst.length;
  const fail = (why: string): never => {
    throw new CacheFormatError(`LZ4 data does not decompress (${why})`);
  };
  if (srcEnd === 0) fail('empty block');
  if (capacity === 0) {
    // liblz4 accepts exactly one empty-literal token when there is no room at all
    if (srcEnd === 1 && src[0] === 0) return 0;
    return fail('output capacity is 0');
  }
  const dictLen = dict ? dict.length : 0;
  let ip = 0;
  let op = 0;
  for (;;) {
    if (ip >= srcEnd) fail('input ends inside a sequence');
    const token = src[ip++]!;
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (ip >= srcEnd) fail('input ends inside a literal length');
        b = src[ip++]!;
        litLen += b;
      } while (b === 255);
    }
    const litEnd = op + litLen;
    if (litEnd > capacity - MF_LIMIT || ip + litLen > srcEnd - (2 + 1 + LAST_LITERALS)) {
      // only the last sequence may come this close to either end, and it must end both exactly
      if (ip + litLen !== srcEnd) fail('the last sequence does not end the input');
      if (litEnd > capacity) fail(`output larger than ${capacity} bytes`);
      copyLiterals(src, ip, dst, op, litLen);
      return litEnd;
    }
    copyLiterals(src, ip, dst, op, litLen);
    ip += litLen;
    op = litEnd;

    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0) fail('zero match offset');
    let matchLen = token & 15;
    if (matchLen === 15) {
      let b: number;
      do {
        if (ip >= srcEnd) fail('input ends inside a match length');
        b = src[ip++]!;
        matchLen += b;
        // liblz4 wants room for the last literals after every length byte
        if (ip >= srcEnd - LAST_LITERALS + 1) fail('input ends inside a match length');
      } while (b === 255);
    }
    matchLen += MIN_MATCH;
    const matchEnd = op + matchLen;
    if (offset > op + dictLen) fail('match offset before the start of the data');
    if (matchEnd > capacity - LAST_LITERALS) fail('a match reaches into the last 5 bytes of the output');
    let from = op - offset;
    if (from < 0) {
      // the part of the match that lies in the previous block of the stream
      const d = dict!;
      while (from < 0 && op < matchEnd) dst[op++] = d[dictLen + from++]!;
    }
    if (matchEnd - op <= SHORT_COPY) {
      // byte by byte, which is also what the format defines for an overlapping match
      while (op < matchEnd) dst[op++] = dst[from++]!;
    } else {
      // An overlapping match repeats the last `offset` bytes. Copied in pieces no longer than the
      // distance back to `from`, no piece overlaps its source, and each piece doubles the run already
      // repeated (a block of one constant value is a single match of offset 4 as long as the block).
      const start = from;
      while (op < matchEnd) {
        const n = Math.min(op - start, matchEnd - op);
        dst.copyWithin(op, start, start + n);
        op += n;
      }
    }
  }
}

/** A forward-only byte source (a chunk file after its header). */
export interface ByteSource {
  /** exactly n bytes, or CacheFormatError naming what was being read */
  readExact(n: number, what: string): Uint8Array;
  /** n bytes, or null when the source is already at its end (a clean end between blocks) */
  readExactOrEnd(n: number, what: string): Uint8Array | null;
}

/** golz4's DecompressReader limits: 5 MiB of output per block, compressed size up to its LZ4 bound */
export const STREAM_BLOCK_CAPACITY = 5 * 1024 * 1024;
export const STREAM_BLOCK_BOUND = STREAM_BLOCK_CAPACITY + Math.floor(STREAM_BLOCK_CAPACITY / 255) + 16;

/**
 * The two output buffers of golz4's DecompressReader. Chunk reads are synchronous and never nested, so
 * one pair serves every stream instead of 10 MiB of allocation per v3 chunk.
 */
let sharedBuffers: [Uint8Array, Uint8Array] | undefined;

/**
 * The decompressed byte stream of golz4's DecompressReader (v3 chunks), read forward in bounded memory:
 * at most two decoded blocks and one compressed block are held at a time.
 */
export class Lz4FramedStream {
  private current: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private previous: Uint8Array | undefined;
  private next = 0;
  private ended = false;
  private readonly buffers: [Uint8Array, Uint8Array];

  constructor(private readonly source: ByteSource) {
    sharedBuffers ??= [new Uint8Array(STREAM_BLOCK_CAPACITY), new Uint8Array(STREAM_BLOCK_CAPACITY)];
    this.buffers = sharedBuffers;
  }

  /** Next block into `current`; false at the clean end of the stream. */
  private nextBlock(): boolean {
    if (this.ended) return false;
    const sizeBytes = this.source.readExactOrEnd(4, 'LZ4 stream block size');
    if (sizeBytes === null) {
      this.ended = true;
      return false;
    }
    const size = new DataView(sizeBytes.buffer, sizeBytes.byteOffset, 4).getUint32(0, true);
    if (size > STREAM_BLOCK_BOUND) throw new CacheFormatError(`LZ4 stream block of ${size} bytes is larger than ${STREAM_BLOCK_BOUND}`);
    const compressed = this.source.readExact(size, 'LZ4 stream block');
    const out = this.buffers[this.next]!;
    this.next ^= 1;
    const n = decompressBlock(compressed, out, this.previous);
    this.current = out.subarray(0, n);
    // liblz4 keeps only the previous block as the dictionary when blocks are decoded into alternating
    // buffers, so a short block does not extend the history with older ones
    this.previous = this.current;
    this.pos = 0;
    return true;
  }

  /** exactly n decompressed bytes (a fresh copy) */
  read(n: number, what: string): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.pos >= this.current.length) {
        if (!this.nextBlock()) throw new CacheFormatError(`unexpected end of the compressed data while reading ${what}`);
        continue;
      }
      const take = Math.min(n - filled, this.current.length - this.pos);
      out.set(this.current.subarray(this.pos, this.pos + take), filled);
      this.pos += take;
      filled += take;
    }
    return out;
  }

  /** skips n decompressed bytes without keeping them */
  skip(n: number, what: string): void {
    let left = n;
    while (left > 0) {
      if (this.pos >= this.current.length) {
        if (!this.nextBlock()) throw new CacheFormatError(`unexpected end of the compressed data while skipping to ${what}`);
        continue;
      }
      const take = Math.min(left, this.current.length - this.pos);
      this.pos += take;
      left -= take;
    }
  }
}
