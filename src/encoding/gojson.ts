/**
 * Byte-exact imitation of Go's encoding/json output for a value of a known Go shape (GoType): what
 * json.NewEncoder(w).Encode(v) writes (compact, HTML escaping on, trailing newline) and what
 * json.MarshalIndent(v, "", indent) gives. The JS value is validated against the shape as it is
 * written, and every mismatch names its JSON path, because a silently coerced value would make the
 * payload differ from Coroot's without anyone noticing.
 *
 * Value conventions: a struct is a plain object keyed by the JSON field names (extra properties are
 * ignored, a missing property is an error unless the field is omitempty); a map is a Map or a plain
 * object; a slice is an array; nil is null; a stringset is a Set, an array or null; strings are
 * GoStrings. A number for a float32 field is converted with Math.fround, as Go's float32(x) would.
 */
import { formatFloat32 } from './float32.js';
import type { GoField, GoString, GoType } from './gotype.js';

// ---------------------------------------------------------------------------------------- strings

/** Escapes for the ASCII range, as Go ≥ 1.22 writes them with HTML escaping on; undefined = raw. */
const ASCII_ESCAPES: Array<string | undefined> = (() => {
  const table: Array<string | undefined> = new Array(128).fill(undefined);
  for (let c = 0; c < 0x20; c++) table[c] = '\\u00' + c.toString(16).padStart(2, '0');
  table[0x08] = '\\b';
  table[0x09] = '\\t';
  table[0x0a] = '\\n';
  table[0x0c] = '\\f';
  table[0x0d] = '\\r';
  table[0x22] = '\\"';
  table[0x5c] = '\\\\';
  for (const c of [0x3c, 0x3e, 0x26]) table[c] = '\\u00' + c.toString(16);
  return table;
})();

/** Anything that can need more than a raw copy; surrogates are included so lone ones get replaced. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

function isHighSurrogate(u: number): boolean {
  return u >= 0xd800 && u <= 0xdbff;
}

function isLowSurrogate(u: number): boolean {
  return u >= 0xdc00 && u <= 0xdfff;
}

/** A JS string is taken as its UTF-8 encoding, where a lone surrogate has become U+FFFD. */
function escapeJsString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    let replacement: string | undefined;
    if (u < 0x80) {
      replacement = ASCII_ESCAPES[u];
    } else if (u === 0x2028 || u === 0x2029) {
      replacement = u === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (isHighSurrogate(u) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      i++;
    } else if (isHighSurrogate(u) || isLowSurrogate(u)) {
      replacement = '\ufffd';
    }
    if (replacement !== undefined) {
      out += s.slice(start, i) + replacement;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

function isContinuation(b: number | undefined): boolean {
  return b !== undefined && (b & 0xc0) === 0x80;
}

/**
 * Length of the valid UTF-8 sequence starting at bytes[i] with lead byte b ≥ 0x80, or 0 when Go's
 * utf8.DecodeRuneInString would report an error of width 1 there (bad lead, bad or missing
 * continuation, overlong form, surrogate, beyond U+10FFFF).
 */
function utf8SequenceLength(bytes: Uint8Array, i: number, b: number): number {
  const b1 = bytes[i + 1];
  if (b >= 0xc2 && b <= 0xdf) return isContinuation(b1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const min = b === 0xe0 ? 0xa0 : 0x80;
    const max = b === 0xed ? 0x9f : 0xbf;
    return b1 !== undefined && b1 >= min && b1 <= max && isContinuation(bytes[i + 2]) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const min = b === 0xf0 ? 0x90 : 0x80;
    const max = b === 0xf4 ? 0x8f : 0xbf;
    const ok = b1 !== undefined && b1 >= min && b1 <= max && isContinuation(bytes[i + 2]) && isContinuation(bytes[i + 3]);
    return ok ? 4 : 0;
  }
  return 0;
}

function decodeCodePoint(bytes: Uint8Array, i: number, len: number): number {
  const b = bytes[i]!;
  if (len === 2) return ((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
  if (len === 3) return ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
  return ((b & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
}

/** Raw bytes: each byte that does not start a valid sequence becomes the 6-character escape \ufffd. */
function escapeBytes(bytes: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += ASCII_ESCAPES[b] ?? String.fromCharCode(b);
      i++;
      continue;
    }
    const len = utf8SequenceLength(bytes, i, b);
    if (len === 0) {
      out += '\\ufffd';
      i++;
      continue;
    }
    const cp = decodeCodePoint(bytes, i, len);
    out += cp === 0x2028 ? '\\u2028' : cp === 0x2029 ? '\\u2029' : String.fromCodePoint(cp);
    i += len;
  }
  return out + '"';
}

/**
 * The JSON string literal, quotes included, that Go ≥ 1.22 writes for s with HTML escaping on. The
 * result is a well-formed JS string whose UTF-8 encoding is exactly Go's bytes.
 */
export function escapeGoString(s: GoString): string {
  return typeof s === 'string' ? escapeJsString(s) : escapeBytes(s);
}

function goStringBytes(s: GoString): Uint8Array {
  // Buffer.from turns a lone surrogate into EF BF BD, the same bytes Go's decoder would have produced.
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * Go's `<` on strings: bytewise on UTF-8, which is code point order. For two JS strings, UTF-16 code
 * unit order agrees with it unless the first differing unit is a surrogate (an astral character
 * sorts after U+E000..U+FFFF in UTF-8 but before them in UTF-16, and a lone surrogate stands for
 * U+FFFD); only then do we compare the bytes.
 */
export function compareGoStrings(a: GoString, b: GoString): number {
  if (typeof a !== 'string' || typeof b !== 'string') return compareBytes(goStringBytes(a), goStringBytes(b));
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ua = a.charCodeAt(i);
    const ub = b.charCodeAt(i);
    if (ua === ub) continue;
    if ((ua & 0xf800) !== 0xd800 && (ub & 0xf800) !== 0xd800) return ua - ub;
    return compareBytes(goStringBytes(a), goStringBytes(b));
  }
  return a.length - b.length;
}

/** Any object that is not one of the container types we give other meanings to. */
function isStructObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set) && !(v instanceof Uint8Array);
}

function isGoString(v: unknown): v is GoString {
  return typeof v === 'string' || v instanceof Uint8Array;
}

// ---------------------------------------------------------------------------------------- encoder

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'Uint8Array';
  if (v instanceof Map) return 'Map';
  if (v instanceof Set) return 'Set';
  if (typeof v === 'number' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Walks a value and its GoType together, appending Go's text to `parts`, joined once at the end.
 * `indent` null = compact (Encoder); otherwise MarshalIndent's layout. The path is a stack of segments, joined into a string only when an error is reported.
 */
class GoEncoder {
  readonly parts: string[] = [];
  private readonly path: Array<string | number> = [];

  constructor(private readonly indent: string | null) {}

  private fail(message: string): never {
    let text = '';
    for (const seg of this.path) text += typeof seg === 'number' ? `[${seg}]` : text === '' ? seg : `.${seg}`;
    throw new Error(`${text === '' ? '(root)' : text}: ${message}`);
  }

  private expected(what: string, v: unknown): never {
    return this.fail(`expected ${what}, got ${describe(v)}`);
  }

  /** Separator before the i-th element of a container at `depth` (its elements are at depth + 1). */
  private sep(i: number, depth: number): void {
    if (this.indent === null) {
      if (i > 0) this.parts.push(',');
    } else {
      this.parts.push((i === 0 ? '\n' : ',\n') + this.indent.repeat(depth + 1));
    }
  }

  private close(bracket: string, count: number, depth: number): void {
    this.parts.push(this.indent === null || count === 0 ? bracket : '\n' + this.indent.repeat(depth) + bracket);
  }

  private key(name: GoString): void {
    this.parts.push(escapeGoString(name) + (this.indent === null ? ':' : ': '));
  }

  write(v: unknown, t: GoType, depth: number): void {
    switch (t.kind) {
      case 'bool':
        if (typeof v !== 'boolean') this.expected('a boolean', v);
        this.parts.push(v ? 'true' : 'false');
        return;
      case 'int':
        this.parts.push(this.int(v));
        return;
      case 'float32':
        if (typeof v !== 'number') this.expected('a number', v);
        if (!Number.isFinite(v)) this.fail(`float32 value ${v} is not encodable (Go's json.Marshal fails with UnsupportedValueError)`);
        this.parts.push(formatFloat32(Math.fround(v)));
        return;
      case 'value':
        if (v !== null && typeof v !== 'number') this.expected('a number or null', v);
        this.parts.push(v !== null && Number.isFinite(v) ? formatFloat32(Math.fround(v)) : 'null');
        return;
      case 'string':
        if (!isGoString(v)) this.expected('a string', v);
        this.parts.push(escapeGoString(v));
        return;
      case 'struct':
        return this.struct(v, t.fields, depth);
      case 'map':
        return this.map(v, t.value, depth);
      case 'slice':
        return this.slice(v, t.elem, depth);
      case 'ptr':
        if (v === null) this.parts.push('null');
        else this.write(v, t.elem, depth);
        return;
      case 'stringset':
        return this.stringset(v, depth);
    }
  }

  private int(v: unknown): string {
    if (typeof v === 'bigint') {
      if (v < INT64_MIN || v > INT64_MAX) this.fail(`integer ${v} does not fit in int64`);
      return v.toString();
    }
    if (typeof v !== 'number') this.expected('an integer', v);
    // Beyond 2^53 a JS number no longer names one integer, so the digits would be a guess.
    if (!Number.isSafeInteger(v)) this.expected('a safe integer', v);
    return String(v === 0 ? 0 : v);
  }

  private struct(v: unknown, fields: GoField[], depth: number): void {
    if (!isStructObject(v)) this.expected('an object', v);
    this.parts.push('{');
    let count = 0;
    for (const field of fields) {
      const fv = v[field.name];
      if (field.omitempty && isEmptyValue(fv, field.type)) continue;
      this.path.push(field.name);
      if (fv === undefined) this.fail('missing field');
      this.sep(count, depth);
      this.key(field.name);
      this.write(fv, field.type, depth + 1);
      this.path.pop();
      count++;
    }
    this.close('}', count, depth);
  }

  private mapKeys(v: Map<unknown, unknown>): GoString[] {
    const keys: GoString[] = [];
    for (const k of v.keys()) {
      if (!isGoString(k)) this.fail(`map key ${describe(k)} is not a string`);
      keys.push(k);
    }
    return keys;
  }

  private map(v: unknown, valueType: GoType, depth: number): void {
    if (v === null) return void this.parts.push('null');
    const isMap = v instanceof Map;
    if (!isMap && !isPlainObject(v)) this.expected('a Map, a plain object or null', v);
    const keys: GoString[] = isMap ? this.mapKeys(v) : Object.keys(v);
    keys.sort(compareGoStrings);
    this.parts.push('{');
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.path.push(typeof key === 'string' ? key : Buffer.from(key).toString('utf8'));
      this.sep(i, depth);
      this.key(key);
      this.write(isMap ? v.get(key) : (v as Record<string, unknown>)[key as string], valueType, depth + 1);
      this.path.pop();
    }
    this.close('}', keys.length, depth);
  }

  private slice(v: unknown, elem: GoType, depth: number): void {
    if (v === null) return void this.parts.push('null');
    if (!Array.isArray(v)) this.expected('an array or null', v);
    this.parts.push('[');
    for (let i = 0; i < v.length; i++) {
      this.path.push(i);
      this.sep(i, depth);
      this.write(v[i], elem, depth + 1);
      this.path.pop();
    }
    this.close(']', v.length, depth);
  }

  /** utils.StringSet: Add drops "", Items() sorts with sort.Strings; duplicates cannot exist in Go. */
  private stringset(v: unknown, depth: number): void {
    if (v === null) return void this.parts.push('null');
    if (!(v instanceof Set) && !Array.isArray(v)) this.expected('a Set, an array or null', v);
    const items: GoString[] = [];
    let index = 0;
    for (const item of v as Iterable<unknown>) {
      if (!isGoString(item)) {
        this.path.push(index);
        this.expected('a string', item);
      }
      if (item.length > 0) items.push(item);
      index++;
    }
    items.sort(compareGoStrings);
    this.parts.push('[');
    let count = 0;
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && compareGoStrings(items[i - 1]!, items[i]!) === 0) continue;
      this.sep(count, depth);
      this.parts.push(escapeGoString(items[i]!));
      count++;
    }
    this.close(']', count, depth);
  }
}

/** Go's isEmptyValue for `omitempty`, judged on the Go kind; an absent property counts as empty. */
function isEmptyValue(v: unknown, t: GoType): boolean {
  if (v === undefined) return true;
  switch (t.kind) {
    case 'bool':
      return v === false;
    case 'int':
      return v === 0 || v === 0n;
    case 'float32':
    case 'value':
      // A timeseries.Value is a float32 kind: 0 is empty, NaN (null here) is not.
      return v === 0;
    case 'string':
      return isGoString(v) && v.length === 0;
    case 'map':
      if (v === null) return true;
      if (v instanceof Map) return v.size === 0;
      return isPlainObject(v) && Object.keys(v).length === 0;
    case 'slice':
      return v === null || (Array.isArray(v) && v.length === 0);
    case 'ptr':
    case 'stringset':
      return v === null;
    case 'struct':
      return false;
  }
}

/** Bytes of json.NewEncoder(w).Encode(v) for a Go value of shape `type`: compact, then '\n'. */
export function encodeGo(value: unknown, type: GoType): Buffer {
  return render(new GoEncoder(null), value, type);
}

/** Bytes of json.MarshalIndent(v, "", indent) followed by '\n'. */
export function encodeGoIndented(value: unknown, type: GoType, indent = '  '): Buffer {
  return render(new GoEncoder(indent), value, type);
}

function render(encoder: GoEncoder, value: unknown, type: GoType): Buffer {
  encoder.write(value, type, 0);
  encoder.parts.push('\n');
  return Buffer.from(encoder.parts.join(''), 'utf8');
}
