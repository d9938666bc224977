/**
 * One pass over JSON text that reports keys, strings and value types with their paths, without building
 * the values. A parsed payload with hundreds of thousands of map keys is a dictionary-mode object that V8
 * enumerates slowly (Object.keys of one 760,000-key map took half a second, Object.values over a second),
 * while the text is read in a single charCode loop. Accepts exactly what JSON.parse accepts.
 */

/**
 * Object keys and array indexes from the root. One array is shared (pushed and popped) by the whole walk:
 * a visitor copies it to keep it.
 */
export type JsonPath = Array<string | number>;

export type JsonScalarType = 'number' | 'boolean' | 'null';
export type JsonContainerType = 'object' | 'array';

/**
 * What the walk reports. For keys and strings, text[start, end) is the string as written between its quotes:
 * when it is as long as the decoded string there were no escapes, and the two are the same characters.
 */
export interface JsonVisitor {
  /** An object key, decoded; `path` already ends with it and its value is reported next. */
  key(key: string, path: JsonPath, start: number, end: number): void;
  /** A string value, decoded as JSON.parse decodes it. */
  string(value: string, path: JsonPath, start: number, end: number): void;
  /** A number, true, false or null; its literal is text[start, end). */
  scalar(type: JsonScalarType, path: JsonPath, start: number, end: number): void;
  /** An object or array begins; `path` is its own. */
  open(type: JsonContainerType, path: JsonPath): void;
  /** The matching end, with the same `path`. */
  close(type: JsonContainerType, path: JsonPath): void;
}

const OBJECT = 0;
const ARRAY = 1;

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const isDigit = (c: number) => c >= 48 && c <= 57;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

class Scanner {
  readonly path: JsonPath = [];
  private readonly containers: number[] = [];
  /** the string readString decoded */
  private decoded = '';
  /** set by value() when it opened a non-empty container: the next token is its first value */
  private opened = false;
  /** with a known-valid text: where the next backslash is (past the end when there is none) */
  private nextBackslash = -1;

  constructor(private readonly text: string, private readonly visitor: JsonVisitor, private readonly known: boolean) {}

  private fail(at: number): never {
    const what = at >= this.text.length ? 'end of JSON input' : `token ${JSON.stringify(this.text[at])}`;
    throw new SyntaxError(`Unexpected ${what} at position ${at}`);
  }

  private ws(i: number): number {
    const text = this.text;
    while (isWs(text.charCodeAt(i))) i++;
    return i;
  }

  run(): void {
    const text = this.text;
    const containers = this.containers;
    const path = this.path;
    let i = this.ws(0);
    for (;;) {
      i = this.value(i);
      if (this.opened) continue;
      // after a value: separators and closing brackets until the next value or the end
      for (;;) {
        i = this.ws(i);
        const depth = containers.length;
        if (depth === 0) {
          if (i !== text.length) this.fail(i);
          return;
        }
        const c = text.charCodeAt(i);
        const kind = containers[depth - 1];
        if (c === 44) {
          i = this.ws(i + 1);
          if (kind === OBJECT) i = this.key(i);
          else path[path.length - 1] = (path[path.length - 1] as number) + 1;
          break;
        }
        if (c !== (kind === OBJECT ? 125 : 93)) this.fail(i);
        containers.pop();
        path.pop();
        this.visitor.close(kind === OBJECT ? 'object' : 'array', path);
        i++;
      }
    }
  }

  /** The key at `i`, its colon and the whitespace after it; returns where its value starts. */
  private key(i: number): number {
    if (this.text.charCodeAt(i) !== 34) this.fail(i);
    const end = this.readString(i);
    this.path[this.path.length - 1] = this.decoded;
    this.visitor.key(this.decoded, this.path, i + 1, end - 1);
    i = end;
    i = this.ws(i);
    if (this.text.charCodeAt(i) !== 58) this.fail(i);
    return this.ws(i + 1);
  }

  /** The value starting at `i` (not whitespace); returns the index after it, or after an opening bracket. */
  private value(i: number): number {
    const text = this.text;
    const visitor = this.visitor;
    const c = text.charCodeAt(i);
    this.opened = false;
    if (c === 34) {
      const end = this.readString(i);
      visitor.string(this.decoded, this.path, i + 1, end - 1);
      return end;
    }
    if (c === 123 || c === 91) {
      const type = c === 123 ? 'object' : 'array';
      visitor.open(type, this.path);
      const j = this.ws(i + 1);
      if (text.charCodeAt(j) === (c === 123 ? 125 : 93)) {
        visitor.close(type, this.path);
        return j + 1;
      }
      this.opened = true;
      if (c === 91) {
        this.containers.push(ARRAY);
        this.path.push(0);
        return j;
      }
      this.containers.push(OBJECT);
      this.path.push('');
      return this.key(j);
    }
    if (c === 45 || isDigit(c)) {
      const end = this.readNumber(i);
      visitor.scalar('number', this.path, i, end);
      return end;
    }
    if (c === 116 && text.charCodeAt(i + 1) === 114 && text.charCodeAt(i + 2) === 117 && text.charCodeAt(i + 3) === 101) {
      visitor.scalar('boolean', this.path, i, i + 4);
      return i + 4;
    }
    if (c === 102 && text.charCodeAt(i + 1) === 97 && text.charCodeAt(i + 2) === 108 && text.charCodeAt(i + 3) === 115 && text.charCodeAt(i + 4) === 101) {
      visitor.scalar('boolean', this.path, i, i + 5);
      return i + 5;
    }
    if (c === 110 && text.charCodeAt(i + 1) === 117 && text.charCodeAt(i + 2) === 108 && text.charCodeAt(i + 3) === 108) {
      visitor.scalar('null', this.path, i, i + 4);
      return i + 4;
    }
    return this.fail(i);
  }

  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  private readNumber(i: number): number {
    const text = this.text;
    if (text.charCodeAt(i) === 45) i++;
    const first = text.charCodeAt(i);
    if (first === 48) i++;
    else if (first >= 49 && first <= 57) while (isDigit(text.charCodeAt(++i)));
    else this.fail(i);
    if (text.charCodeAt(i) === 46) {
      if (!isDigit(text.charCodeAt(++i))) this.fail(i);
      while (isDigit(text.charCodeAt(++i)));
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      const sign = text.charCodeAt(++i);
      if (sign === 43 || sign === 45) i++;
      if (!isDigit(text.charCodeAt(i))) this.fail(i);
      while (isDigit(text.charCodeAt(++i)));
    }
    return i;
  }

  /** The string whose quote is at `i`; returns the index after its closing quote. */
  private readString(i: number): number {
    const text = this.text;
    const start = i + 1;
    if (this.known) {
      // no raw control character to look for: the end is the next quote unless a backslash comes first
      const quote = text.indexOf('"', start);
      if (quote < 0) this.fail(text.length);
      if (this.nextBackslash < start) {
        const backslash = text.indexOf('\\', start);
        this.nextBackslash = backslash < 0 ? text.length : backslash;
      }
      if (this.nextBackslash > quote) {
        this.decoded = text.slice(start, quote);
        return quote + 1;
      }
      return this.readEscaped(start, this.nextBackslash);
    }
    let j = start;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c === 34) break;
      if (c === 92) return this.readEscaped(start, j);
      // control characters must be escaped; NaN past the end fails here too
      if (!(c >= 32)) this.fail(j);
      j++;
    }
    this.decoded = text.slice(start, j);
    return j + 1;
  }

  /** The slow path from the first backslash at `j` on. */
  private readEscaped(start: number, j: number): number {
    const text = this.text;
    let out = text.slice(start, j);
    let run = j;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c === 34) break;
      if (c === 92) {
        out += text.slice(run, j);
        const e = text.charCodeAt(j + 1);
        switch (e) {
          case 34: out += '"'; break;
          case 92: out += '\\'; break;
          case 47: out += '/'; break;
          case 98: out += '\b'; break;
          case 102: out += '\f'; break;
          case 110: out += '\n'; break;
          case 114: out += '\r'; break;
          case 116: out += '\t'; break;
          case 117: {
            let code = 0;
            for (let k = 2; k < 6; k++) {
              const h = hexValue(text.charCodeAt(j + k));
              if (h < 0) this.fail(j + k);
              code = code * 16 + h;
            }
            // a lone surrogate stays one UTF-16 unit, and two escaped halves join: as in JSON.parse
            out += String.fromCharCode(code);
            j += 4;
            break;
          }
          default:
            this.fail(j + 1);
        }
        j += 2;
        run = j;
        continue;
      }
      if (!(c >= 32)) this.fail(j);
      j++;
    }
    this.decoded = out + text.slice(run, j);
    return j + 1;
  }
}

/**
 * Walks `text`, calling the visitor for everything in document order; throws a SyntaxError where JSON.parse
 * would. `known`: the text was walked before (or written by an encoder), so strings are found with indexOf
 * and not checked for raw control characters, for a second walk at a fraction of the cost.
 */
export function walkJson(text: string, visitor: JsonVisitor, known = false): void {
  new Scanner(text, visitor, known).run();
}

