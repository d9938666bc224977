/**
 * matchesGoType (payload-codec.ts) on a JSON text instead of its parsed value, without loading zod: verify
 * checks big payloads this way, and zod is only needed to say what is wrong.
 */
import type { GoType } from '../encoding/gotype.js';
import { walkJson, type JsonContainerType, type JsonScalarType, type JsonVisitor } from '../verify/json-stream.js';

const STRING: GoType = { kind: 'string' };
const fieldIndexes = new WeakMap<GoType, Map<string, number>>();

function fieldIndex(type: Extract<GoType, { kind: 'struct' }>): Map<string, number> {
  let index = fieldIndexes.get(type);
  if (!index) fieldIndexes.set(type, (index = new Map(type.fields.map((f, i) => [f.name, i]))));
  return index;
}

/**
 * matchesGoType on the JSON text instead of the parsed value, for payloads too big to enumerate: the Go
 * type is followed along the path as the text is walked. A key given twice (JSON.parse keeps the last)
 * must match both times, and a struct field given twice counts as a mismatch: the text check may refuse
 * what the parsed value passes, never the reverse, and then the zod fallback on the parsed value decides.
 */
class GoTypeTextCheck implements JsonVisitor {
  ok = true;
  /** the type of the next value */
  private expected: GoType;
  /** open containers: their type (struct, map, slice or stringset, pointers followed) */
  private readonly types: GoType[] = [];
  /** for an open struct, which of its fields were seen */
  private readonly seen: Array<Uint8Array | undefined> = [];

  constructor(private readonly text: string, root: GoType) {
    this.expected = root;
  }

  /** The expected type of a non-null value: a pointer is checked as what it points to. */
  private resolve(): GoType {
    let type = this.expected;
    while (type.kind === 'ptr') type = type.elem;
    return type;
  }

  key(key: string): void {
    if (!this.ok) return;
    const type = this.types[this.types.length - 1]!;
    if (type.kind === 'map') {
      this.expected = type.value;
      return;
    }
    if (type.kind !== 'struct') return;
    const i = fieldIndex(type).get(key);
    const seen = this.seen[this.seen.length - 1]!;
    if (i === undefined || seen[i] === 1) {
      this.ok = false;
      return;
    }
    seen[i] = 1;
    this.expected = type.fields[i]!.type;
  }

  string(): void {
    if (this.ok && this.resolve().kind !== 'string') this.ok = false;
  }

  scalar(jsonType: JsonScalarType, _path: unknown, start: number, end: number): void {
    if (!this.ok) return;
    if (jsonType === 'null') {
      const kind = this.expected.kind;
      this.ok = kind === 'value' || kind === 'stringset' || kind === 'ptr' || kind === 'slice' || kind === 'map';
      return;
    }
    const type = this.resolve();
    if (jsonType === 'boolean') this.ok = type.kind === 'bool';
    else if (type.kind === 'int') this.ok = this.isSafeInteger(start, end);
    else if (type.kind === 'float32') this.ok = this.isFinite(start, end);
    else this.ok = type.kind === 'value';
  }

  /** Number.isSafeInteger of what JSON.parse makes of the literal: "1.0" and "1e2" are integers too. */
  private isSafeInteger(start: number, end: number): boolean {
    const text = this.text;
    let i = text.charCodeAt(start) === 45 ? start + 1 : start;
    // up to 15 digits with nothing else is always safe, and is what almost every int is
    if (end - i <= 15) {
      while (i < end && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      if (i === end) return true;
    }
    return Number.isSafeInteger(Number(text.slice(start, end)));
  }

  private isFinite(start: number, end: number): boolean {
    const text = this.text;
    // without an exponent a literal overflows to Infinity only past 308 digits
    if (end - start < 300) {
      let i = start;
      while (i < end && (text.charCodeAt(i) | 32) !== 101) i++;
      if (i === end) return true;
    }
    return Number.isFinite(Number(text.slice(start, end)));
  }

  open(jsonType: JsonContainerType): void {
    if (!this.ok) return;
    const type = this.resolve();
    if (jsonType === 'object' ? type.kind !== 'map' && type.kind !== 'struct' : type.kind !== 'slice' && type.kind !== 'stringset') {
      this.ok = false;
      return;
    }
    this.types.push(type);
    this.seen.push(type.kind === 'struct' ? new Uint8Array(type.fields.length) : undefined);
    if (type.kind === 'slice') this.expected = type.elem;
    else if (type.kind === 'stringset') this.expected = STRING;
  }

  close(): void {
    if (!this.ok) return;
    const type = this.types.pop()!;
    const seen = this.seen.pop();
    if (type.kind === 'struct') {
      for (let i = 0; i < type.fields.length; i++) {
        if (seen![i] !== 1 && !type.fields[i]!.omitempty) {
          this.ok = false;
          return;
        }
      }
    }
    // the next element of an enclosing array has the array's element type again
    const parent = this.types[this.types.length - 1];
    if (parent?.kind === 'slice') this.expected = parent.elem;
    else if (parent?.kind === 'stringset') this.expected = STRING;
  }
}

/** Whether a JSON text (valid JSON) has the Go type, as matchesGoType says of its parsed value. */
export function textMatchesGoType(text: string, type: GoType): boolean {
  const check = new GoTypeTextCheck(text, type);
  walkJson(text, check);
  return check.ok;
}
