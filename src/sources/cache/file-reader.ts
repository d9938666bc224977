/**
 * Forward reads from one open chunk file with a small buffer, so that a chunk of any size is read in
 * bounded memory. The file descriptor is held for the whole read: Coroot replaces chunks by rename, so
 * an open file keeps the content it had when it was opened. The rest of a file can also be read at once
 * (rest()) and then read the same way from memory, with the same checks and messages.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CacheFormatError } from './errors.js';
import type { ByteSource } from './lz4.js';

const BUFFER_SIZE = 64 * 1024;

export class ChunkFileReader implements ByteSource {
  readonly size: number;
  /** -1 when the bytes are in memory */
  private readonly fd: number;
  private readonly buffer: Uint8Array;
  private bufStart = 0;
  private bufEnd = 0;
  /** file offset of buffer[0] */
  private bufferOffset = 0;
  private closed = false;

  /**
   * Opens `path`; or, given `rest`, reads those bytes, which are the file's from `offset` to its end.
   * Throws the fs error (ENOENT, EACCES, EISDIR...) as is; the caller names the file.
   */
  constructor(readonly path: string, rest?: { bytes: Uint8Array; offset: number }) {
    if (rest) {
      this.fd = -1;
      this.buffer = rest.bytes;
      this.bufEnd = rest.bytes.length;
      this.bufferOffset = rest.offset;
      this.size = rest.offset + rest.bytes.length;
      return;
    }
    this.buffer = Buffer.allocUnsafe(BUFFER_SIZE);
    this.fd = openSync(path, 'r');
    try {
      const st = fstatSync(this.fd);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      this.size = st.size;
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  /** what is left of the file read at once into `into` (which it must fit), as a reader of its own */
  rest(into: Uint8Array): ChunkFileReader {
    const offset = this.position;
    return new ChunkFileReader(this.path, { bytes: this.readInto(into, this.remaining, 'the rest of the file'), offset });
  }

  /** bytes consumed so far */
  get position(): number {
    return this.bufferOffset + this.bufStart;
  }

  /** bytes left in the file */
  get remaining(): number {
    return this.size - this.position;
  }

  private fill(): boolean {
    if (this.fd === -1) return false;
    this.bufferOffset += this.bufEnd;
    this.bufStart = 0;
    this.bufEnd = readSync(this.fd, this.buffer, 0, BUFFER_SIZE, this.bufferOffset);
    return this.bufEnd > 0;
  }

  readExactOrEnd(n: number, what: string): Uint8Array | null {
    if (this.bufStart === this.bufEnd && !this.fill()) return null;
    return this.readExact(n, what);
  }

  readExact(n: number, what: string): Uint8Array {
    // checked before allocating: a corrupt size must not allocate what the file cannot hold
    this.checkRemaining(n, what);
    return this.readInto(new Uint8Array(n), n, what);
  }

  private checkRemaining(n: number, what: string): void {
    if (n > this.remaining) {
      throw new CacheFormatError(`truncated: ${what} needs ${n} bytes at offset ${this.position}, the file has ${Math.max(0, this.remaining)} left`);
    }
  }

  /** exactly n bytes into the start of `out`, which is reused by the caller; returns that part of `out` */
  readInto(out: Uint8Array, n: number, what: string): Uint8Array {
    this.checkRemaining(n, what);
    let filled = 0;
    while (filled < n) {
      if (this.bufStart === this.bufEnd) {
        if (n - filled >= BUFFER_SIZE) {
          // large reads go straight from the file
          const got = readSync(this.fd, out, filled, n - filled, this.position);
          if (got === 0) throw new CacheFormatError(`truncated: ${what} at offset ${this.position}`);
          this.bufferOffset += got;
          filled += got;
          continue;
        }
        if (!this.fill()) throw new CacheFormatError(`truncated: ${what} at offset ${this.position}`);
      }
      const take = Math.min(n - filled, this.bufEnd - this.bufStart);
      out.set(this.buffer.subarray(this.bufStart, this.bufStart + take), filled);
      this.bufStart += take;
      filled += take;
    }
    return n === out.length ? out : out.subarray(0, n);
  }

  /** a little-endian u32, read like readExact(4, what) without allocating when the buffer holds it */
  readU32(what: string): number {
    const b = this.buffer;
    const i = this.bufStart;
    if (this.bufEnd - i < 4) {
      const bytes = this.readExact(4, what);
      return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
    }
    this.bufStart = i + 4;
    return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
  }

  readU8(what: string): number {
    if (this.bufStart === this.bufEnd && !this.fill()) {
      throw new CacheFormatError(`truncated: ${what} at offset ${this.position}`);
    }
    return this.buffer[this.bufStart++]!;
  }

  skip(n: number, what: string): void {
    if (n > this.remaining) throw new CacheFormatError(`truncated: skipping ${what} (${n} bytes) at offset ${this.position}`);
    const inBuffer = Math.min(n, this.bufEnd - this.bufStart);
    this.bufStart += inBuffer;
    const rest = n - inBuffer;
    if (rest > 0) {
      // drop the buffer and continue from the new offset
      this.bufferOffset = this.position + rest;
      this.bufStart = 0;
      this.bufEnd = 0;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== -1) closeSync(this.fd);
  }
}
