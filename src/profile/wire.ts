/**
 * Protocol-buffer wire reading with the checks google/pprof's decoder makes (profile/proto.go): a varint
 * longer than 10 bytes or running past the end, a length running past the end, and wire types 3, 4, 6, 7
 * are errors. Unlike pprof-format, nothing is read beyond the end of a message.
 */

export class WireError extends Error {}

const TWO32 = 4294967296;

export class Reader {
  /**
   * Low and high 32 bits of the last varint or fixed value, as int32 bit patterns (read them with >>> 0):
   * unsigned values of 2^31 and more would turn the fields into doubles, and every optimised user of a
   * Reader would be thrown away when that happens.
   */
  lo = 0;
  hi = 0;
  /** field number and wire type of the last key */
  field = 0;
  wireType = 0;
  /** for wire type 2: the payload is buf[start, end) */
  start = 0;
  end = 0;

  constructor(
    readonly buf: Uint8Array,
    public pos: number,
  ) {}

  private byte(limit: number): number {
    if (this.pos >= limit) throw new WireError(`truncated protobuf: a varint runs past the end of its message at byte ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  /** Reads a varint into lo/hi and returns it as an unsigned number (inexact above 2^53: see wide). */
  varint(limit: number): number {
    // one byte, the usual key or length: kept short so that it is inlined where it is called
    if (this.pos < limit) {
      const b = this.buf[this.pos]!;
      if (b < 0x80) {
        this.pos++;
        this.lo = b;
        this.hi = 0;
        return b;
      }
    }
    return this.longVarint(limit);
  }

  private longVarint(limit: number): number {
    let b = this.byte(limit);
    let lo = b & 0x7f;
    let hi = 0;
    let shift = 7;
    for (let i = 1; ; i++) {
      if (i >= 10) throw new WireError(`not a protobuf: a varint is longer than 10 bytes at byte ${this.pos}`);
      b = this.byte(limit);
      if (shift < 28) {
        lo |= (b & 0x7f) << shift;
      } else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else {
        hi |= (b & 0x7f) << (shift - 32);
      }
      shift += 7;
      if (b < 0x80) break;
    }
    this.lo = lo;
    this.hi = hi;
    return hi === 0 ? lo >>> 0 : (hi >>> 0) * TWO32 + (lo >>> 0);
  }

  /** The last value is 2^53 or more as an unsigned 64-bit number (negative as a signed one). */
  get wide(): boolean {
    return this.hi >>> 0 >= 0x200000;
  }

  /** The last value as a signed 64-bit number (exact when within ±2^53). */
  get signed(): number {
    return this.hi * TWO32 + (this.lo >>> 0);
  }

  get negative(): boolean {
    return this.hi < 0;
  }

  get unsignedBig(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  get signedBig(): bigint {
    return BigInt.asIntN(64, this.unsignedBig);
  }

  /** Reads one key and its payload; returns false at the end of the message. */
  next(limit: number): boolean {
    if (this.pos >= limit) return false;
    const keyAt = this.pos;
    const key = this.varint(limit);
    // keys above 2^32 (field numbers no profile uses) are not exact as 32-bit integers
    this.field = key < TWO32 ? key >>> 3 : Math.floor(key / 8);
    this.wireType = key < TWO32 ? key & 7 : key % 8;
    switch (this.wireType) {
      case 0:
        this.varint(limit);
        break;
      case 1:
        if (limit - this.pos < 8) throw new WireError(`truncated protobuf: a fixed64 runs past the end of its message at byte ${this.pos}`);
        this.lo = this.buf[this.pos]! | (this.buf[this.pos + 1]! << 8) | (this.buf[this.pos + 2]! << 16) | (this.buf[this.pos + 3]! << 24);
        this.hi = this.buf[this.pos + 4]! | (this.buf[this.pos + 5]! << 8) | (this.buf[this.pos + 6]! << 16) | (this.buf[this.pos + 7]! << 24);
        this.pos += 8;
        break;
      case 2: {
        const n = this.varint(limit);
        if (this.wide || n > limit - this.pos) {
          throw new WireError(`truncated protobuf: field ${this.field} at byte ${keyAt} claims ${this.wide ? 'more than 2^53' : n} bytes but only ${limit - this.pos} remain`);
        }
        this.start = this.pos;
        this.end = this.pos + n;
        this.pos = this.end;
        break;
      }
      case 5:
        if (limit - this.pos < 4) throw new WireError(`truncated protobuf: a fixed32 runs past the end of its message at byte ${this.pos}`);
        this.lo = this.buf[this.pos]! | (this.buf[this.pos + 1]! << 8) | (this.buf[this.pos + 2]! << 16) | (this.buf[this.pos + 3]! << 24);
        this.hi = 0;
        this.pos += 4;
        break;
      default:
        throw new WireError(`not a protobuf: unknown wire type ${this.wireType} at byte ${keyAt}`);
    }
    return true;
  }

  /** The payload of the last field as UTF-8 text. */
  text(): string {
    return decoder.decode(this.buf.subarray(this.start, this.end));
  }

  expect(wireType: number, what: string): void {
    if (this.wireType !== wireType) {
      throw new WireError(`not a pprof profile: ${what} (field ${this.field}) has wire type ${this.wireType}, expected ${wireType}`);
    }
  }
}

const decoder = new TextDecoder('utf-8');
