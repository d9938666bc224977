/**
 * LZ4 block decoding: hand-made blocks following the block format specification, every malformed case
 * liblz4 rejects that the chunk reader can meet, round trips through the test compressor (real matches,
 * overlapping and across stream blocks), and blocks exchanged with the `lz4` tool (real liblz4) both ways.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CacheFormatError } from '../src/sources/cache/errors.js';
import { decompressBlock, Lz4FramedStream, type ByteSource } from '../src/sources/cache/lz4.js';
import { lz4CompressBlock, lz4Stream, lz4Tool, makeFrame, parseFrame } from '../fixtures/cache-writer.js';

const bytes = (...parts: Array<number | string | number[]>): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') out.push(...Buffer.from(p, 'latin1'));
    else out.push(...p);
  }
  return Uint8Array.from(out);
};

const decode = (src: Uint8Array, capacity: number, dict?: Uint8Array): string => {
  const dst = new Uint8Array(capacity);
  const n = decompressBlock(src, dst, dict);
  return Buffer.from(dst.subarray(0, n)).toString('latin1');
};

const rejects = (src: Uint8Array, capacity: number, pattern: RegExp, dict?: Uint8Array) =>
  assert.throws(() => decompressBlock(src, new Uint8Array(capacity), dict), (err: unknown) => err instanceof CacheFormatError && pattern.test(err.message));

/** deterministic pseudo-random bytes */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** float32 series with NaN gaps and repeats: what chunk blocks hold */
function seriesBytes(series: number, points: number): Uint8Array {
  const f = new Float32Array(series * points);
  for (let s = 0; s < series; s++) {
    for (let i = 0; i < points; i++) f[s * points + i] = i % 17 < 3 ? NaN : s % 5 === 0 ? 1 : Math.fround((s * 31 + i) / 7);
  }
  return new Uint8Array(f.buffer);
}

describe('LZ4 block decoding (block format specification)', () => {
  it('decodes a literals-only block', () => {
    assert.equal(decode(bytes(0x50, 'hello'), 5), 'hello');
    assert.equal(decode(bytes(0x50, 'hello'), 100), 'hello');
  });

  it('decodes the empty block only as the single token 0', () => {
    assert.equal(decode(bytes(0x00), 0), '');
    assert.equal(decode(bytes(0x00), 10), '');
    rejects(bytes(0x10, 'a'), 0, /capacity is 0/);
  });

  it('decodes an overlapping match (offset 1 repeats the last byte)', () => {
    // literal "a", match offset 1 length 12, last literals "bcdef"
    assert.equal(decode(bytes(0x18, 'a', 1, 0, 0x50, 'bcdef'), 18), `${'a'.repeat(13)}bcdef`);
  });

  it('decodes extended literal and match lengths (15 + 255 + n)', () => {
    const lit = 'x'.repeat(300);
    assert.equal(decode(bytes(0xf0, 255, 30, lit), 300), lit);
    // "ab", match offset 2 length 4+15+255+10 = 284, last literals "xyzzy"
    assert.equal(decode(bytes(0x2f, 'ab', 2, 0, 255, 10, 0x50, 'xyzzy'), 291), `${'ab'.repeat(143)}xyzzy`);
    // a literal length of exactly 15 needs an extra byte 0
    assert.equal(decode(bytes(0xf0, 0, 'abcdefghijklmno'), 15), 'abcdefghijklmno');
  });

  it('copies from the previous block of a stream, and across into the current one', () => {
    assert.equal(decode(bytes(0x08, 12, 0, 0x50, '12345'), 17, bytes('hello world!')), 'hello world!12345');
    // "XY", then 8 bytes from 4 back: 2 from the dictionary, then from the output itself
    assert.equal(decode(bytes(0x24, 'XY', 4, 0, 0x50, '12345'), 15, bytes('abcdef')), 'XYefXYefXY12345');
  });

  it('rejects what liblz4 rejects', () => {
    rejects(bytes(), 10, /empty block/);
    rejects(bytes(0x50, 'hel'), 10, /does not end the input/);
    rejects(bytes(0x50, 'hello'), 4, /output larger than 4/);
    rejects(bytes(0x18, 'a', 0, 0, 0x50, 'bcdef'), 18, /zero match offset/);
    rejects(bytes(0x18, 'a', 2, 0, 0x50, 'bcdef'), 18, /before the start/);
    rejects(bytes(0x08, 13, 0, 0x50, '12345'), 17, /before the start/, bytes('hello world!'));
    // a match may not reach into the last 5 bytes of the output buffer
    rejects(bytes(0x18, 'a', 1, 0, 0x50, 'bcdef'), 17, /last 5 bytes|does not end/);
    // a block must end with literals
    rejects(bytes(0x1f, 'a', 1, 0, 20), 100, /inside|does not end/);
    rejects(bytes(0xf0, 255), 1000, /inside a literal length/);
  });
});

/** runs of short random patterns repeated to odd lengths: long overlapping matches of every offset up to 40 */
function periodic(): Uint8Array {
  const out: number[] = [];
  let seed = 1;
  const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  for (let period = 1; period <= 40; period++) {
    const pattern = Array.from({ length: period }, () => rand(256));
    const length = 33 + rand(3000);
    for (let i = 0; i < length; i++) out.push(pattern[i % period]!);
  }
  return Uint8Array.from(out);
}

describe('LZ4 round trips through the test compressor', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['short', bytes('abc')],
    ['noise', noise(5000)],
    ['runs', new Uint8Array(70_000).fill(7)],
    ['series', seriesBytes(300, 120)],
    ['text', new Uint8Array(Buffer.from('node_cpu_usage_percent{machine_id="abc"} '.repeat(500)))],
    ['constant float32', new Uint8Array(new Float32Array(30_001).fill(1e9).buffer)],
    ['periods', periodic()],
  ];
  for (const [name, data] of cases) {
    it(`greedy and literals-only blocks decode back: ${name}`, () => {
      for (const mode of ['greedy', 'literals'] as const) {
        const block = lz4CompressBlock(data, mode);
        const out = new Uint8Array(data.length);
        assert.equal(decompressBlock(block, out), data.length);
        assert.deepEqual(out, data);
      }
    });
  }

  it('the greedy compressor really uses matches', () => {
    const data = seriesBytes(300, 120);
    assert.ok(lz4CompressBlock(data, 'greedy').length < data.length / 2);
  });

  it('streams decode with each block reaching into the previous one', () => {
    const data = Buffer.concat([noise(40_000, 3), noise(40_000, 3), noise(40_000, 3)]);
    const stream = lz4Stream(data, 40_000, 'greedy');
    // the 2nd and 3rd blocks repeat the 1st: they are almost all one match into the previous block
    assert.ok(stream.length < 42_000, `stream of ${stream.length} bytes`);
    const reader = new Lz4FramedStream(sourceOf(stream));
    assert.deepEqual(reader.read(data.length, 'all'), new Uint8Array(data));
    assert.throws(() => reader.read(1, 'more'), /unexpected end/);
  });
});

function sourceOf(buf: Uint8Array): ByteSource {
  let p = 0;
  return {
    readExact(n: number, what: string) {
      if (p + n > buf.length) throw new CacheFormatError(`truncated: ${what}`);
      const out = buf.slice(p, p + n);
      p += n;
      return out;
    },
    readExactOrEnd(n: number, what: string) {
      return p >= buf.length ? null : this.readExact(n, what);
    },
  };
}

describe('LZ4 blocks exchanged with liblz4 (the lz4 tool)', () => {
  it('decodes liblz4 blocks, independent and linked (64 KiB blocks reaching into the previous one)', () => {
    const data = Buffer.concat([Buffer.from(seriesBytes(400, 120)), Buffer.from(seriesBytes(400, 120))]);
    for (const [args, linked] of [[['-B4', '-BI'], false], [['-B4', '-BD'], true]] as const) {
      const blocks = parseFrame(lz4Tool(['-c', '-9', '--no-frame-crc', ...args], data));
      assert.ok(blocks.length > 4);
      assert.ok(blocks.every((b) => b.compressed));
      if (linked) {
        // golz4's stream framing around liblz4's linked blocks
        const stream = Buffer.concat(blocks.flatMap((b) => {
          const size = Buffer.alloc(4);
          size.writeUInt32LE(b.data.length);
          return [size, Buffer.from(b.data)];
        }));
        assert.deepEqual(new Lz4FramedStream(sourceOf(stream)).read(data.length, 'all'), new Uint8Array(data));
      } else {
        let off = 0;
        for (const b of blocks) {
          const out = new Uint8Array(65536);
          const n = decompressBlock(b.data, out);
          assert.deepEqual(out.subarray(0, n), new Uint8Array(data.subarray(off, off + n)));
          off += n;
        }
        assert.equal(off, data.length);
      }
    }
  });

  it('liblz4 decodes the test compressor\'s blocks, independent and linked', () => {
    const data = Buffer.concat([Buffer.from(seriesBytes(100, 120)), Buffer.from(noise(3000)), Buffer.from(seriesBytes(100, 120))]);
    const independent = [lz4CompressBlock(data, 'greedy')];
    assert.deepEqual(lz4Tool(['-d', '-c'], makeFrame(independent, false)), data);
    const blockSize = 64 * 1024;
    const linked: Uint8Array[] = [];
    for (let off = 0; off < data.length; off += blockSize) {
      const dict = data.subarray(Math.max(0, off - 65535), off);
      linked.push(lz4CompressBlock(data.subarray(off, off + blockSize), 'greedy', off === 0 ? undefined : dict));
    }
    assert.deepEqual(lz4Tool(['-d', '-c'], makeFrame(linked, true)), data);
    assert.deepEqual(lz4Tool(['-d', '-c'], makeFrame([lz4CompressBlock(data, 'literals')], false)), data);
  });
});

// ============================================================== differential check against liblz4 itself

const LIBLZ4 = ['/usr/lib/x86_64-linux-gnu/liblz4.so.1', '/usr/lib/aarch64-linux-gnu/liblz4.so.1', '/usr/lib64/liblz4.so.1', '/usr/lib/liblz4.so.1']
  .find((p) => existsSync(p));
const CC = ['gcc', 'cc'].find((c) => spawnSync(c, ['--version']).status === 0);

/** Reads records `u32 srcLen, u32 capacity, u32 dictLen, src, dict` and answers `i32 result` + output. */
const HARNESS = `
#include <stdio.h>
#include <stdlib.h>
int LZ4_decompress_safe(const char*, char*, int, int);
int LZ4_decompress_safe_usingDict(const char*, char*, int, int, const char*, int);
int main(void) {
  unsigned int h[3];
  while (fread(h, 4, 3, stdin) == 3) {
    char *src = malloc(h[0] + 1), *dict = malloc(h[2] + 1), *dst = calloc(h[1] + 1, 1);
    if (fread(src, 1, h[0], stdin) != h[0] || fread(dict, 1, h[2], stdin) != h[2]) return 1;
    int r = h[2] ? LZ4_decompress_safe_usingDict(src, dst, h[0], h[1], dict, h[2]) : LZ4_decompress_safe(src, dst, h[0], h[1]);
    fwrite(&r, 4, 1, stdout);
    if (r > 0) fwrite(dst, 1, r, stdout);
    free(src); free(dict); free(dst);
  }
  return 0;
}
`;

describe('LZ4 decoding agrees with liblz4 (LZ4_decompress_safe, fuzzed)', () => {
  it('decodes every valid block as liblz4 does, and never accepts a corrupt block liblz4 rejects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lz4-harness-'));
    try {
      writeFileSync(join(dir, 'h.c'), HARNESS);
      const cc = spawnSync(CC!, ['-O1', '-o', join(dir, 'h'), join(dir, 'h.c'), LIBLZ4!], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      let seed = 12345;
      const rnd = (n: number) => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return Math.floor((seed / 2 ** 32) * n);
      };
      const sample = (n: number) => {
        const out = new Uint8Array(n);
        for (let i = 0; i < n;) {
          if (rnd(2) === 0 && i > 8) {
            const off = 1 + rnd(Math.min(i, 300));
            for (let k = 4 + rnd(40); k > 0 && i < n; k--, i++) out[i] = out[i - off]!;
          } else {
            for (let k = 1 + rnd(20); k > 0 && i < n; k--, i++) out[i] = rnd(4) === 0 ? rnd(256) : 65 + rnd(4);
          }
        }
        return out;
      };
      const cases: Array<{ src: Uint8Array; cap: number; dict: Uint8Array; valid: boolean }> = [];
      for (let c = 0; c < 3000; c++) {
        const n = rnd(3) === 0 ? rnd(40) : rnd(3000);
        const data = sample(n);
        const dict = rnd(3) === 0 ? sample(1 + rnd(2000)) : new Uint8Array(0);
        let src = new Uint8Array(lz4CompressBlock(data, rnd(5) === 0 ? 'literals' : 'greedy', dict));
        const mutation = rnd(5);
        if (mutation === 1 && src.length > 0) src[rnd(src.length)] = rnd(256);
        if (mutation === 2) src = src.subarray(0, rnd(src.length));
        if (mutation === 3) src = Uint8Array.from({ length: rnd(30) }, () => rnd(256));
        const capMutation = rnd(4);
        const cap = capMutation === 1 ? Math.max(0, n - rnd(20)) : capMutation === 2 ? n + rnd(30) : n;
        cases.push({ src, cap, dict, valid: mutation === 0 && cap >= n });
      }
      const input = Buffer.concat(cases.flatMap(({ src, cap, dict }) => {
        const h = Buffer.alloc(12);
        h.writeUInt32LE(src.length, 0);
        h.writeUInt32LE(cap, 4);
        h.writeUInt32LE(dict.length, 8);
        return [h, Buffer.from(src), Buffer.from(dict)];
      }));
      const run = spawnSync(join(dir, 'h'), { input, maxBuffer: 1 << 28 });
      assert.equal(run.status, 0);
      let p = 0;
      let stricter = 0;
      for (const c of cases) {
        const res = run.stdout.readInt32LE(p);
        p += 4;
        const ref = run.stdout.subarray(p, p + Math.max(0, res));
        p += Math.max(0, res);
        let mine: Uint8Array | undefined;
        let why = '';
        try {
          const dst = new Uint8Array(c.cap);
          mine = dst.subarray(0, decompressBlock(c.src, dst, c.dict.length > 0 ? c.dict : undefined));
        } catch (err) {
          why = (err as Error).message;
        }
        if (c.valid) assert.ok(res >= 0 && mine !== undefined && Buffer.from(mine).equals(ref), `valid block: liblz4 ${res}, here ${why}`);
        if (res < 0) assert.equal(mine, undefined, 'accepted a block liblz4 rejects');
        else if (mine !== undefined) assert.ok(Buffer.from(mine).equals(ref), 'different output');
        else {
          // liblz4 1.9.4 accepts offset 0 (copying whatever its output buffer held) and, on its fast path,
          // a short last sequence followed by more input; neither comes out of a compressor
          assert.match(why, /zero match offset|the last sequence does not end the input/);
          stricter++;
        }
      }
      assert.ok(stricter < cases.length / 100, `${stricter} blocks refused that liblz4 accepts`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
