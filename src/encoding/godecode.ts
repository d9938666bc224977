/**
 * Reading JSON the way Go's encoding/json.Unmarshal reads it into a typed struct, because Coroot's
 * behaviour depends on it: a type mismatch anywhere fails the whole value (and a failed project row
 * makes Coroot skip everything that depends on it), keys match struct fields case-insensitively, the
 * last duplicate key wins, unknown keys are ignored, and `null` leaves zero values. JSON.parse alone
 * cannot tell `15000` from `15000.0`, which Go treats differently for integers.
 */

export type JsonNode =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'number'; raw: string }
  | { t: 'string'; v: string }
  | { t: 'array'; items: JsonNode[] }
  | { t: 'object'; entries: Array<[string, JsonNode]> };

export class GoJsonError extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonNode {
    const node = this.value();
    this.space();
    if (this.pos !== this.text.length) this.fail('invalid character after top-level value');
    return node;
  }

  private fail(message: string): never {
    throw new GoJsonError(`${message} (offset ${this.pos})`);
  }

  private space(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  private value(): JsonNode {
    this.space();
    if (this.pos >= this.text.length) this.fail('unexpected end of JSON input');
    const c = this.text[this.pos]!;
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { t: 'string', v: this.string() };
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, node] of [['true', { t: 'bool', v: true }], ['false', { t: 'bool', v: false }], ['null', { t: 'null' }]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return node;
      }
    }
    return this.fail(`invalid character '${c}' looking for beginning of value`);
  }

  private object(): JsonNode {
    this.pos++;
    const entries: Array<[string, JsonNode]> = [];
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { t: 'object', entries };
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.fail('expected a string object key');
      const key = this.string();
      this.space();
      if (this.text[this.pos] !== ':') this.fail("expected ':' after object key");
      this.pos++;
      entries.push([key, this.value()]);
      this.space();
      const next = this.text[this.pos++];
      if (next === '}') return { t: 'object', entries };
      if (next !== ',') this.fail("expected ',' or '}' after object value");
    }
  }

  private array(): JsonNode {
    this.pos++;
    const items: JsonNode[] = [];
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { t: 'array', items };
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const next = this.text[this.pos++];
      if (next === ']') return { t: 'array', items };
      if (next !== ',') this.fail("expected ',' or ']' after array element");
    }
  }

  private number(): JsonNode {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) this.fail('invalid number literal');
    this.pos += match[0].length;
    return { t: 'number', raw: match[0] };
  }

  private string(): string {
    this.pos++;
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unexpected end of JSON input in string');
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += this.text.slice(start, this.pos++);
        return toWellFormed(out);
      }
      if (c < 0x20) this.fail('invalid control character in string literal');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += this.text.slice(start, this.pos);
      const esc = this.text[this.pos + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (esc !== undefined && esc in simple) {
        out += simple[esc];
        this.pos += 2;
      } else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else {
        this.fail('invalid escape in string literal');
      }
      start = this.pos;
    }
  }
}

/** Go's decoder turns every lone surrogate into U+FFFD. */
function toWellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export function parseGoJson(text: string): JsonNode {
  return new Parser(text).parseDocument();
}

// ---------------------------------------------------------------------------------------------- typed decoding

/** The Go type a JSON value is decoded into. */
export type GoDecodeType =
  | { kind: 'bool' }
  | { kind: 'int' }
  | { kind: 'float32' }
  | { kind: 'string' }
  /** timeseries.Duration: a number of milliseconds, or a Go duration string; decoded to whole seconds */
  | { kind: 'duration' }
  | { kind: 'struct'; fields: Record<string, GoDecodeType> }
  | { kind: 'map'; value: GoDecodeType }
  | { kind: 'slice'; elem: GoDecodeType }
  | { kind: 'ptr'; elem: GoDecodeType }
  /** json.RawMessage / interface{}: kept as the plain JS value */
  | { kind: 'raw' };

export type Decoded = unknown;

function zeroOf(type: GoDecodeType): Decoded {
  switch (type.kind) {
    case 'bool':
      return false;
    case 'int':
    case 'float32':
    case 'duration':
      return 0;
    case 'string':
      return '';
    case 'struct':
      return Object.fromEntries(Object.entries(type.fields).map(([name, t]) => [name, zeroOf(t)]));
    default:
      return null;
  }
}

function mismatch(node: JsonNode, goType: string, path: string): never {
  const what = node.t === 'object' ? 'object' : node.t === 'array' ? 'array' : node.t;
  throw new GoJsonError(`cannot unmarshal ${what} into Go value of type ${goType}${path ? ` at ${path}` : ''}`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function decodeInt(node: JsonNode, path: string): number {
  if (node.t !== 'number' || !/^-?\d+$/.test(node.raw)) return mismatch(node, 'int64', path);
  const value = BigInt(node.raw);
  if (value < INT64_MIN || value > INT64_MAX) return mismatch(node, 'int64', path);
  return Number(value);
}

/** time.ParseDuration, returning seconds as a float. */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const match = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!match || (match[1] === '' && (match[2] ?? '') === '')) return undefined;
    total += Number(`${match[1] || '0'}.${match[2] || '0'}`) * units[match[3]!]!;
    rest = rest.slice(match[0].length);
  }
  return sign * total;
}

function decodeDuration(node: JsonNode, path: string): number {
  if (node.t === 'null') return 0;
  if (node.t === 'number' && /^-?\d+$/.test(node.raw)) return Math.trunc(decodeInt(node, path) / 1000);
  if (node.t === 'string') {
    const seconds = parseGoDuration(node.v);
    if (seconds !== undefined) return Math.trunc(seconds);
  }
  throw new GoJsonError(`invalid duration: ${node.t === 'string' ? JSON.stringify(node.v) : node.t === 'number' ? node.raw : node.t}${path ? ` at ${path}` : ''}`);
}

function plain(node: JsonNode): unknown {
  switch (node.t) {
    case 'null':
      return null;
    case 'bool':
    case 'string':
      return node.v;
    case 'number':
      return Number(node.raw);
    case 'array':
      return node.items.map(plain);
    case 'object':
      return Object.fromEntries(node.entries.map(([k, v]) => [k, plain(v)]));
  }
}

/** Go matches a key to the exact field name first, then to one that is equal under case folding. */
function fieldFor(fields: Record<string, GoDecodeType>, key: string): string | undefined {
  if (key in fields) return key;
  const folded = key.toLowerCase();
  return Object.keys(fields).find((name) => name.toLowerCase() === folded);
}

/** Decodes `node` into a value of Go type `type`, in place of `current` (Go decodes into existing values). */
export function decodeInto(node: JsonNode, type: GoDecodeType, path = '', current: Decoded = zeroOf(type)): Decoded {
  switch (type.kind) {
    case 'raw':
      return plain(node);
    case 'ptr':
      if (node.t === 'null') return null;
      return decodeInto(node, type.elem, path, current ?? zeroOf(type.elem));
    case 'duration':
      return decodeDuration(node, path);
    default:
      break;
  }
  if (node.t === 'null') return current;
  switch (type.kind) {
    case 'bool':
      return node.t === 'bool' ? node.v : mismatch(node, 'bool', path);
    case 'string':
      return node.t === 'string' ? node.v : mismatch(node, 'string', path);
    case 'int':
      return decodeInt(node, path);
    case 'float32': {
      if (node.t !== 'number') return mismatch(node, 'float32', path);
      const value = Math.fround(Number(node.raw));
      return Number.isFinite(value) ? value : mismatch(node, 'float32', path);
    }
    case 'slice': {
      if (node.t !== 'array') return mismatch(node, 'slice', path);
      return node.items.map((item, i) => decodeInto(item, type.elem, `${path}[${i}]`));
    }
    case 'map': {
      if (node.t !== 'object') return mismatch(node, 'map', path);
      const out: Record<string, Decoded> = (current as Record<string, Decoded> | null) ?? {};
      for (const [key, value] of node.entries) out[key] = decodeInto(value, type.value, `${path}.${key}`);
      return out;
    }
    case 'struct': {
      if (node.t !== 'object') return mismatch(node, 'struct', path);
      const out = { ...(current as Record<string, Decoded>) };
      for (const [key, value] of node.entries) {
        const field = fieldFor(type.fields, key);
        if (field !== undefined) out[field] = decodeInto(value, type.fields[field]!, path ? `${path}.${field}` : field, out[field]);
      }
      return out;
    }
  }
}

/** json.Unmarshal(text, &v) for a fresh zero value of `type`. */
export function goUnmarshal(text: string, type: GoDecodeType): Decoded {
  return decodeInto(parseGoJson(text), type);
}
