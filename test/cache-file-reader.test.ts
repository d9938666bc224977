/**
 * The chunk file reader: reads that straddle its 64 KiB buffer, and the rest of a file read at once
 * (what label pairs are read from) giving the same bytes and the same truncation messages, with file
 * offsets, as reading on from the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CacheFormatError } from '../src/sources/cache/errors.js';
import { ChunkFileReader } from '../src/sources/cache/file-reader.js';

const tmp = mkdtempSync(join(tmpdir(), 'cache-file-reader-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** 3 bytes, then u32s 0, 1, 2, ... so that every u32 from offset 3 on is misaligned with the buffer */
function fileOf(u32s: number): string {
  const bytes = Buffer.alloc(3 + 4 * u32s);
  bytes.set([7, 8, 9]);
  for (let i = 0; i < u32s; i++) bytes.writeUInt32LE(i, 3 + 4 * i);
  const path = join(tmp, `f${u32s}.db`);
  writeFileSync(path, bytes);
  return path;
}

/** every u32 of the file read through `reader`, from where it stands (offset 3) */
function u32sOf(reader: ChunkFileReader): number[] {
  const out: number[] = [];
  while (reader.remaining >= 4) out.push(reader.readU32('a number'));
  return out;
}

function message(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    assert.ok(err instanceof CacheFormatError);
    return err.message;
  }
  assert.fail('no error');
}

describe('ChunkFileReader', () => {
  const count = 40_000; // 160 KB: the 64 KiB buffer is refilled in the middle of a number, twice
  const path = fileOf(count);
  const expected = Array.from({ length: count }, (_, i) => i);

  it('reads numbers across its buffer, and the same from the rest of the file read at once', () => {
    const streaming = new ChunkFileReader(path);
    const fromMemory = new ChunkFileReader(path);
    try {
      assert.deepEqual([streaming.readU8('a'), streaming.readU8('b'), streaming.readU8('c')], [7, 8, 9]);
      assert.deepEqual(u32sOf(streaming), expected);
      fromMemory.skip(3, 'the start');
      const rest = fromMemory.rest(new Uint8Array(fromMemory.remaining));
      assert.equal(rest.position, 3);
      assert.equal(rest.remaining, 4 * count);
      assert.deepEqual(u32sOf(rest), expected);
    } finally {
      streaming.close();
      fromMemory.close();
    }
  });

  it('reports truncation at the same file offset either way', () => {
    const truncated = join(tmp, 'truncated.db');
    writeFileSync(truncated, Buffer.concat([Buffer.from([7, 8, 9]), Buffer.alloc(4 * 20_000), Buffer.from([1, 2])]));
    const expectedU32 = `truncated: a number needs 4 bytes at offset ${3 + 4 * 20_000}, the file has 2 left`;
    const expectedSkip = `truncated: skipping a record (3 bytes) at offset ${3 + 4 * 20_000}`;
    for (const atOnce of [false, true]) {
      const reader = new ChunkFileReader(truncated);
      try {
        reader.skip(3, 'the start');
        const r = atOnce ? reader.rest(new Uint8Array(reader.remaining)) : reader;
        for (let i = 0; i < 20_000; i++) r.readU32('a number');
        assert.equal(message(() => r.readU32('a number')), expectedU32, atOnce ? 'read at once' : 'streaming');
        assert.equal(message(() => r.skip(3, 'a record')), expectedSkip);
        r.skip(2, 'the last bytes');
        assert.equal(message(() => r.readU8('a count')), `truncated: a count at offset ${3 + 4 * 20_000 + 2}`);
      } finally {
        reader.close();
      }
    }
  });
});
