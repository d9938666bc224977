/**
 * The LZ4 frame format, only as far as the tests need it to exchange blocks with the `lz4` command-line
 * tool (real liblz4): split a frame into its blocks, and wrap our own blocks into a frame the tool will
 * decompress. Frame checksums are left out (the tool accepts frames without them); the header checksum
 * byte is required, so XXH32 is here too.
 */
import { spawnSync } from 'node:child_process';

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
