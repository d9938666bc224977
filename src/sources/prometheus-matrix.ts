/**
 * Reads a query_range answer straight from the body's bytes, for the one shape Prometheus sends
 * (`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},"values":[[t,"v"],…]},…]}}`).
 * JSON.parse of a whole answer builds a string of the body and an object per sample, and the garbage that
 * leaves dominates a large world build; this reader keeps only the allow-listed labels and writes samples
 * straight into each series' Float32Array.
 *
 * It accepts valid JSON only, and for what it accepts returns exactly what JSON.parse followed by
 * parseQueryRangeResult returns. Anything else (an error body, HTML, truncated JSON, duplicate keys, a point
 * that is not `[number, "string"]`, nesting deeper than it cares to follow) makes it return undefined, and
 * the caller decodes the body the slow way, which also words the error.
 */
import { grown } from '../typed-arrays.js';
import { rebuiltTable } from './open-addressing.js';
import { hasData, metricValues, pointsCount, truncateTime, type MetricValues, type Window } from './metrics.js';

/** Thrown inside the reader only, and caught at its entry: "not the shape this reader handles". */
const UNEXPECTED = new Error('unexpected query_range answer');

const int32s = (size: number) => new Int32Array(size);

/** Nesting the generic skipper follows before leaving the body to JSON.parse. */
const MAX_DEPTH = 256;

/** Floats in one block of series values (256 KiB): large enough to make views cheap, small enough to waste little. */
const MAX_BLOCK = 65_536;

/** Sample digits read without a string; the rounding-error bound in `decimal` assumes no more. */
const MAX_DIGITS = 40;

/** 10^0 … 10^22, the powers of ten a double holds exactly (literals: Math.pow is not guaranteed exact). */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const STATUS = Buffer.from('status');
const DATA = Buffer.from('data');
const WARNINGS = Buffer.from('warnings');
const RESULT = Buffer.from('result');
const METRIC = Buffer.from('metric');
const VALUES = Buffer.from('values');
const SUCCESS = Buffer.from('success');

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Go's JSON decoding turns a lone surrogate escape into U+FFFD; JSON.parse keeps it. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** strconv.ParseFloat's accepted spellings that Prometheus emits; anything else skips the point, as in Coroot. */
export function parseGoFloat(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  return undefined;
}

/** A string token of the body: its bytes between the quotes, and what decoding it needs. */
interface Token {
  start: number;
  end: number;
  escaped: boolean;
  nonAscii: boolean;
}

/**
 * Label values seen by one source, each kept once with a number: the same machine, container and
 * destination ids come back in query after query, and a value found by its bytes costs no string, a
 * series signature of numbers is cheap to hash, and the world's maps hash each shared string once.
 * Plain ASCII values are found by their bytes, other values by their text; a value is one or the other
 * whichever way it was spelled, so equal values always get the same number.
 */
export class LabelValues {
  private readonly texts: string[] = [];
  private readonly hashes: number[] = [];
  /** open addressing over ASCII values: number + 1, 0 for a free slot */
  private table = new Int32Array(1024);
  private readonly others = new Map<string, number>();

  text(id: number): string {
    return this.texts[id]!;
  }

  /** the number of the ASCII bytes [start, end) of `buf`, whose FNV-1a hash is `hash` */
  ascii(buf: Buffer, start: number, end: number, hash: number): number {
    const mask = this.table.length - 1;
    const length = end - start;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const entry = this.table[i]!;
      if (entry === 0) {
        const id = this.add(buf.toString('latin1', start, end), hash);
        this.table[i] = id + 1;
        if (this.texts.length * 2 > this.table.length) this.grow();
        return id;
      }
      const id = entry - 1;
      if (this.hashes[id] !== hash) continue;
      const text = this.texts[id]!;
      if (text.length !== length) continue;
      let k = 0;
      while (k < length && text.charCodeAt(k) === buf[start + k]) k++;
      if (k === length) return id;
    }
  }

  /** the number of a decoded value */
  of(text: string): number {
    let hash = FNV_OFFSET;
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c >= 0x80) {
        let id = this.others.get(text);
        if (id === undefined) {
          id = this.add(text, 0);
          this.others.set(text, id);
        }
        return id;
      }
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    return this.ascii(Buffer.from(text, 'latin1'), 0, text.length, hash);
  }

  private add(text: string, hash: number): number {
    this.texts.push(text);
    this.hashes.push(hash);
    return this.texts.length - 1;
  }

  private grow(): void {
    this.table = rebuiltTable(this.table.length * 2, this.texts.length, (id) => this.hashes[id]!);
  }
}

class MatrixReader {
  private pos = 0;
  private readonly token: Token = { start: 0, end: 0, escaped: false, nonAscii: false };
  /** the allow-list, sorted: a series' label set is its values in this order */
  private readonly names: string[];
  private readonly nameBytes: Buffer[];
  /** the current series' allow-listed value numbers by name index (-1: absent), and the order they appeared in */
  private readonly slots: Int32Array;
  private readonly order: number[] = [];
  /** where the integer and fraction digits of the last number scanned end */
  private intEnd = 0;
  private fracEnd = 0;
  /** the block new series take their values from, and how much of it is taken */
  private block = new Float32Array(0);
  private blockUsed = 0;
  private blockSize: number;
  private readonly n: number;
  /** the series in order of first sight, and their label sets (one value number per allow-listed name) */
  readonly series: MetricValues[] = [];
  private labelSets = new Int32Array(1024);
  private labelSetHashes = new Int32Array(64);
  /** open addressing over label sets: series number + 1, 0 for a free slot */
  private table = new Int32Array(128);
  readonly warnings: string[] = [];

  constructor(
    private readonly buf: Buffer, labels: ReadonlySet<string>, private readonly window: Window, private readonly labelValues: LabelValues,
  ) {
    this.names = [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.nameBytes = this.names.map((name) => Buffer.from(name));
    this.slots = new Int32Array(this.names.length);
    this.n = pointsCount(window);
    this.blockSize = this.n * 4;
  }

  /** Skips JSON whitespace; the byte there, or -1 at the end. */
  private peek(): number {
    const b = this.buf;
    let p = this.pos;
    while (p < b.length) {
      const c = b[p]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
    return p < b.length ? b[p]! : -1;
  }

  private expect(c: number): void {
    if (this.peek() !== c) throw UNEXPECTED;
    this.pos++;
  }

  /** After a member or element: true if another follows, false at `close`. */
  private more(close: number): boolean {
    const c = this.peek();
    this.pos++;
    if (c === COMMA) return true;
    if (c === close) return false;
    throw UNEXPECTED;
  }

  /** Validates the string token at the cursor (escapes, no raw control characters) and fills `token`. */
  private scanString(): Token {
    if (this.peek() !== QUOTE) throw UNEXPECTED;
    const b = this.buf;
    let p = this.pos + 1;
    const start = p;
    let escaped = false;
    let high = 0;
    for (;;) {
      if (p >= b.length) throw UNEXPECTED;
      const c = b[p]!;
      if (c === QUOTE) break;
      if (c < 0x20) throw UNEXPECTED;
      high |= c;
      if (c === BACKSLASH) {
        escaped = true;
        const e = b[p + 1];
        if (e === 0x75) {
          for (let i = 2; i < 6; i++) if (hexValue(b[p + i] ?? -1) < 0) throw UNEXPECTED;
          p += 6;
          continue;
        }
        if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) throw UNEXPECTED;
        p += 2;
        continue;
      }
      p++;
    }
    this.pos = p + 1;
    const t = this.token;
    t.start = start;
    t.end = p;
    t.escaped = escaped;
    t.nonAscii = high >= 0x80;
    return t;
  }

  /** The text of a scanned string token, as JSON.parse of the whole body would give it. */
  private text(t: Token): string {
    if (!t.escaped) return this.buf.toString(t.nonAscii ? 'utf8' : 'latin1', t.start, t.end);
    const b = this.buf;
    let out = '';
    let run = t.start;
    for (let p = t.start; p < t.end;) {
      if (b[p] !== BACKSLASH) {
        p++;
        continue;
      }
      // raw runs are decoded apart; a backslash ends any partial UTF-8 sequence before it, as in the whole body
      if (run < p) out += b.toString('utf8', run, p);
      const e = b[p + 1]!;
      if (e === 0x75) {
        out += String.fromCharCode((hexValue(b[p + 2]!) << 12) | (hexValue(b[p + 3]!) << 8) | (hexValue(b[p + 4]!) << 4) | hexValue(b[p + 5]!));
        p += 6;
      } else {
        out += e === 0x62 ? '\b' : e === 0x66 ? '\f' : e === 0x6e ? '\n' : e === 0x72 ? '\r' : e === 0x74 ? '\t' : String.fromCharCode(e);
        p += 2;
      }
      run = p;
    }
    if (run < t.end) out += b.toString('utf8', run, t.end);
    return out;
  }

  /** the unescaped token's bytes equal `word` (a loop: a native compare costs more for a few bytes) */
  private equals(t: Token, word: Uint8Array): boolean {
    const length = word.length;
    if (t.end - t.start !== length) return false;
    const b = this.buf;
    for (let i = 0, p = t.start; i < length; i++, p++) if (b[p] !== word[i]) return false;
    return true;
  }

  private is(t: Token, word: Buffer): boolean {
    return t.escaped ? this.text(t) === word.toString('latin1') : this.equals(t, word);
  }

  /** Validates the JSON number at the cursor; returns where it starts, sets intEnd and fracEnd. */
  private scanNumber(): number {
    this.peek();
    const b = this.buf;
    const start = this.pos;
    let p = start;
    if (b[p] === MINUS) p++;
    if (b[p] === ZERO) p++;
    else if (isDigit(b[p] ?? -1)) while (isDigit(b[p] ?? -1)) p++;
    else throw UNEXPECTED;
    this.intEnd = p;
    if (b[p] === DOT) {
      p++;
      if (!isDigit(b[p] ?? -1)) throw UNEXPECTED;
      while (isDigit(b[p] ?? -1)) p++;
    }
    this.fracEnd = p;
    if (b[p] === 0x65 || b[p] === 0x45) {
      p++;
      if (b[p] === PLUS || b[p] === MINUS) p++;
      if (!isDigit(b[p] ?? -1)) throw UNEXPECTED;
      while (isDigit(b[p] ?? -1)) p++;
    }
    this.pos = p;
    return start;
  }

  /** A point's timestamp, Math.trunc'ed, or NaN when it is not finite (the point is then skipped). */
  private timestamp(): number {
    const b = this.buf;
    const start = this.scanNumber();
    const { intEnd, fracEnd, pos: end } = this;
    const negative = b[start] === MINUS;
    const intStart = negative ? start + 1 : start;
    // with at most 15 significant digits the double nearest the number cannot round across an integer,
    // so the integer digits are Math.trunc of it
    if (fracEnd === end && fracEnd - intStart - (fracEnd > intEnd ? 1 : 0) <= 15) {
      let v = 0;
      for (let p = intStart; p < intEnd; p++) v = v * 10 + (b[p]! - ZERO);
      return negative ? -v : v;
    }
    const v = Number(b.toString('latin1', start, end));
    return Number.isFinite(v) ? Math.trunc(v) : NaN;
  }

  /**
   * A sample value as parseGoFloat reads it, or its float32 rounding, which is all the series keeps.
   * Plain decimals of up to 15 digits with a power of ten up to 22 are one exact integer times or divided
   * by one exact power of ten, a single correctly rounded operation, so they equal Number(text) (Clinger's
   * fast path). Longer ones, such as Go's shortest spelling of a rate, are computed with a bounded error;
   * when every double within that error rounds to the same float32, that float32 is the one of Number(text).
   * Everything else goes through parseGoFloat. Written to values[index] (index -1: nowhere) rather than
   * returned: a double returned from a call is a heap object, one per sample.
   */
  private sample(t: Token, values: Float32Array, index: number): void {
    if (t.escaped || t.nonAscii) {
      const v = parseGoFloat(this.text(t));
      if (v !== undefined && index >= 0) values[index] = v;
    } else {
      this.decimal(t.start, t.end, values, index);
    }
  }

  /** `sample` of the plain ASCII bytes [start, end) */
  private decimal(start: number, end: number, values: Float32Array, index: number): void {
    const b = this.buf;
    let p = start;
    const negative = b[p] === MINUS;
    if (negative || b[p] === PLUS) p++;
    let mantissa = 0;
    let digits = 0;
    let fraction = 0;
    while (p < end && isDigit(b[p]!)) {
      mantissa = mantissa * 10 + (b[p++]! - ZERO);
      digits++;
    }
    if (p < end && b[p] === DOT) {
      p++;
      while (p < end && isDigit(b[p]!)) {
        mantissa = mantissa * 10 + (b[p++]! - ZERO);
        digits++;
        fraction++;
      }
    }
    let exponent = 0;
    if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
      p++;
      const negativeExponent = b[p] === MINUS;
      if (negativeExponent || b[p] === PLUS) p++;
      const from = p;
      while (p < end && isDigit(b[p]!) && p - from < 4) exponent = exponent * 10 + (b[p++]! - ZERO);
      if (p === from) p = -1;
      if (negativeExponent) exponent = -exponent;
    }
    const power = exponent - fraction;
    let v: number;
    if (p !== end || digits === 0 || digits > MAX_DIGITS || power > 22 || power < -22) {
      const parsed = parseGoFloat(b.toString('latin1', start, end));
      if (parsed === undefined) return;
      v = parsed;
    } else {
      v = power >= 0 ? mantissa * POW10[power]! : mantissa / POW10[-power]!;
      if (digits > 15) {
        // each digit and the scaling round once (2^-53 each); the exact value is well inside v(1 ± 2^-40)
        const f = Math.fround(v);
        if (Math.fround(v * (1 - 2 ** -40)) !== f || Math.fround(v * (1 + 2 ** -40)) !== f) v = Number(b.toString('latin1', start, end));
        else v = f;
      }
      if (negative) v = -v;
    }
    if (index >= 0) values[index] = v;
  }

  /** Validates and skips any JSON value. */
  private skip(depth: number): void {
    if (depth > MAX_DEPTH) throw UNEXPECTED;
    const c = this.peek();
    if (c === QUOTE) {
      this.scanString();
    } else if (c === LBRACE) {
      this.pos++;
      if (this.peek() === RBRACE) {
        this.pos++;
        return;
      }
      do {
        this.scanString();
        this.expect(COLON);
        this.skip(depth + 1);
      } while (this.more(RBRACE));
    } else if (c === LBRACKET) {
      this.pos++;
      if (this.peek() === RBRACKET) {
        this.pos++;
        return;
      }
      do this.skip(depth + 1);
      while (this.more(RBRACKET));
    } else if (c === MINUS || isDigit(c)) {
      this.scanNumber();
    } else {
      for (const word of ['true', 'false', 'null']) {
        if (this.buf.toString('latin1', this.pos, this.pos + word.length) === word) {
          this.pos += word.length;
          return;
        }
      }
      throw UNEXPECTED;
    }
  }

  /** Runs `member` for each key of the object at the cursor; an empty object is not what this reader wants. */
  private members(member: (key: Token) => void): void {
    this.expect(LBRACE);
    do {
      const key = this.scanString();
      this.expect(COLON);
      member(key);
    } while (this.more(RBRACE));
  }

  read(): void {
    let status = false;
    let data = false;
    let warnings = false;
    this.members((key) => {
      if (this.is(key, STATUS)) {
        if (status || !this.is(this.scanString(), SUCCESS)) throw UNEXPECTED;
        status = true;
      } else if (this.is(key, DATA)) {
        if (data) throw UNEXPECTED;
        data = true;
        this.data();
      } else if (this.is(key, WARNINGS)) {
        if (warnings) throw UNEXPECTED;
        warnings = true;
        this.expect(LBRACKET);
        if (this.peek() === RBRACKET) this.pos++;
        else do this.warnings.push(this.text(this.scanString()));
        while (this.more(RBRACKET));
      } else {
        this.skip(1);
      }
    });
    if (this.peek() !== -1 || !status || !data) throw UNEXPECTED;
  }

  private data(): void {
    let result = false;
    this.members((key) => {
      if (!this.is(key, RESULT)) return this.skip(2);
      if (result) throw UNEXPECTED;
      result = true;
      this.expect(LBRACKET);
      if (this.peek() === RBRACKET) this.pos++;
      else do this.item();
      while (this.more(RBRACKET));
    });
    if (!result) throw UNEXPECTED;
  }

  private item(): void {
    let series: MetricValues | undefined;
    let values = false;
    this.members((key) => {
      if (this.is(key, METRIC)) {
        if (series) throw UNEXPECTED;
        series = this.metric();
      } else if (this.is(key, VALUES)) {
        // Prometheus puts "metric" first; the other order is left to the slow path
        if (!series || values) throw UNEXPECTED;
        values = true;
        this.values(series.values);
      } else {
        this.skip(3);
      }
    });
    if (!series) throw UNEXPECTED;
  }

  /** The series of the label set at the cursor, created on first sight as parseQueryRangeResult does. */
  private metric(): MetricValues {
    const slots = this.slots;
    const order = this.order;
    slots.fill(-1);
    order.length = 0;
    this.expect(LBRACE);
    if (this.peek() === RBRACE) this.pos++;
    else {
      do {
        const index = this.labelIndex(this.scanString());
        this.expect(COLON);
        const value = this.scanString();
        if (index < 0) continue;
        if (slots[index] !== -1) throw UNEXPECTED;
        slots[index] = this.labelValue(value);
        order.push(index);
      } while (this.more(RBRACE));
    }
    const hash = this.labelSetHash();
    const mask = this.table.length - 1;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = this.table[slot]!;
      if (entry === 0) break;
      if (this.labelSetHashes[entry - 1] === hash && this.sameLabelSet(entry - 1)) return this.series[entry - 1]!;
    }
    // keys in order of appearance, so the object enumerates as JSON.parse's would
    const kept: Record<string, string> = {};
    for (const index of order) kept[this.names[index]!] = this.labelValues.text(slots[index]!);
    const series = metricValues(kept, this.newValues());
    this.remember(slot, hash);
    this.series.push(series);
    return series;
  }

  /** The allow-list index of a label name token, -1 when the label is dropped. */
  private labelIndex(t: Token): number {
    if (t.escaped || t.nonAscii) return this.names.indexOf(this.text(t));
    for (let i = 0; i < this.nameBytes.length; i++) if (this.equals(t, this.nameBytes[i]!)) return i;
    return -1;
  }

  private labelValue(t: Token): number {
    if (t.escaped) return this.labelValues.of(wellFormed(this.text(t)));
    if (t.nonAscii) return this.labelValues.of(this.text(t));
    const b = this.buf;
    let hash = FNV_OFFSET;
    for (let p = t.start; p < t.end; p++) hash = Math.imul(hash ^ b[p]!, FNV_PRIME);
    return this.labelValues.ascii(b, t.start, t.end, hash);
  }

  /** a hash of the current series' label set (its allow-listed value numbers) */
  private labelSetHash(): number {
    const slots = this.slots;
    let hash = 0x811c9dc5 | 0;
    for (let i = 0; i < slots.length; i++) hash = Math.imul(hash ^ slots[i]!, 0x01000193);
    return hash ^ (hash >>> 15);
  }

  /** whether series `n` has the current series' label set: equal allow-listed label sets, and only those, merge */
  private sameLabelSet(n: number): boolean {
    const slots = this.slots;
    const k = slots.length;
    const sets = this.labelSets;
    for (let i = 0, at = n * k; i < k; i++, at++) if (sets[at] !== slots[i]) return false;
    return true;
  }

  /** stores the current label set as the next series', in the free table slot `slot` */
  private remember(slot: number, hash: number): void {
    const n = this.series.length;
    const k = this.slots.length;
    while ((n + 1) * k > this.labelSets.length) this.labelSets = grown(this.labelSets, int32s);
    this.labelSets.set(this.slots, n * k);
    if (n === this.labelSetHashes.length) this.labelSetHashes = grown(this.labelSetHashes, int32s);
    this.labelSetHashes[n] = hash;
    this.table[slot] = n + 1;
    if (2 * (n + 1) > this.table.length) this.table = rebuiltTable(2 * this.table.length, n + 1, (e) => this.labelSetHashes[e]!);
  }

  private values(values: Float32Array): void {
    this.expect(LBRACKET);
    if (this.peek() === RBRACKET) {
      this.pos++;
      return;
    }
    do if (!this.plainPoint(values)) this.point(values);
    while (this.more(RBRACKET));
  }

  /** any point: `[number, "string"]` with any whitespace and spelling */
  private point(values: Float32Array): void {
    this.expect(LBRACKET);
    const ts = this.timestamp();
    this.expect(COMMA);
    this.sample(this.scanString(), values, Number.isNaN(ts) ? -1 : this.index(ts));
    this.expect(RBRACKET);
  }

  /**
   * The point as Prometheus writes it, `[<integer>,"<ASCII>"]` without whitespace, in one pass; false,
   * with the cursor where it was, for anything else, which `point` then reads.
   */
  private plainPoint(values: Float32Array): boolean {
    const b = this.buf;
    let p = this.pos;
    if (b[p] !== LBRACKET) return false;
    p++;
    // a JSON integer without a leading zero, exact as a double at up to 15 digits
    let c = b[p];
    if (c === undefined || c <= ZERO || c > NINE) return false;
    const digitsFrom = p;
    let ts = 0;
    while (c !== undefined && c >= ZERO && c <= NINE) {
      ts = ts * 10 + (c - ZERO);
      c = b[++p];
    }
    if (p - digitsFrom > 15 || c !== COMMA || b[p + 1] !== QUOTE) return false;
    p += 2;
    const start = p;
    for (;;) {
      c = b[p];
      if (c === undefined || c < 0x20 || c >= 0x80 || c === BACKSLASH) return false;
      if (c === QUOTE) break;
      p++;
    }
    if (b[p + 1] !== RBRACKET) return false;
    this.pos = p + 2;
    this.decimal(start, p, values, this.index(ts));
    return true;
  }

  /** the grid point of a truncated timestamp, -1 outside the window */
  private index(ts: number): number {
    const { from, step } = this.window;
    const t = truncateTime(ts, step);
    if (t < from) return -1;
    const index = Math.floor((t - from) / step);
    return index < this.n ? index : -1;
  }

  /**
   * A new series' values, NaN-filled: a view into a shared block rather than an ArrayBuffer of its own,
   * whose allocation and tracking cost more than the series' parsing.
   */
  private newValues(): Float32Array {
    const n = this.n;
    if (this.blockUsed + n > this.block.length) {
      this.blockSize = Math.min(this.blockSize * 2, MAX_BLOCK);
      this.block = new Float32Array(Math.max(this.blockSize, n)).fill(NaN);
      this.blockUsed = 0;
    }
    const values = this.block.subarray(this.blockUsed, this.blockUsed + n);
    this.blockUsed += n;
    return values;
  }
}

export interface DecodedMatrix {
  metrics: MetricValues[];
  /** Prometheus' `warnings`, as sent */
  warnings: string[];
}

/**
 * The series and warnings of a successful query_range answer, or undefined when the body is anything
 * other than the usual shape of valid JSON (the caller then decodes it with JSON.parse). `values` is
 * shared by the answers of one source.
 */
export function decodeMatrix(
  body: Buffer, labels: ReadonlySet<string>, window: Window, values = new LabelValues(),
): DecodedMatrix | undefined {
  const reader = new MatrixReader(body, labels, window, values);
  try {
    reader.read();
  } catch (err) {
    if (err === UNEXPECTED) return undefined;
    throw err;
  }
  const metrics: MetricValues[] = [];
  for (const series of reader.series) if (hasData(series.values)) metrics.push(series);
  return { metrics, warnings: reader.warnings };
}
