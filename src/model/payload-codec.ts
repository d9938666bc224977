/**
 * The payload between bytes and values: Coroot's wire encoding, strict validation against the v1.24.5
 * schema, and reading payload files (captured bodies, saved output, or commented examples like the one
 * on Coroot's documentation page).
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { GoType } from '../encoding/gotype.js';
import { describe, inputError } from '../errors.js';
import { readAll, type IO } from '../io.js';
import { walkJson, type JsonContainerType, type JsonScalarType, type JsonVisitor } from '../verify/json-stream.js';
import { payloadSchema, type Payload } from './payload-schema.js';
import { encodePayload, payloadGoType } from './payload-wire.js';

export { encodePayload, payloadGoType };

export interface SchemaProblem {
  path: string;
  message: string;
}

/**
 * The same strictness as the zod schema, as one walk over the Go type: zod takes seconds on a payload
 * with hundreds of thousands of map entries, and almost every payload is valid.
 */
export function matchesGoType(value: unknown, type: GoType): boolean {
  switch (type.kind) {
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return Number.isSafeInteger(value);
    case 'float32':
      return typeof value === 'number' && Number.isFinite(value);
    case 'value':
      return value === null || typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'stringset':
      return value === null || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    case 'ptr':
      return value === null || matchesGoType(value, type.elem);
    case 'slice':
      return value === null || (Array.isArray(value) && value.every((v) => matchesGoType(v, type.elem)));
    case 'map': {
      if (value === null) return true;
      if (typeof value !== 'object' || Array.isArray(value)) return false;
      const values = Object.values(value);
      for (let i = 0; i < values.length; i++) if (!matchesGoType(values[i], type.value)) return false;
      return true;
    }
    case 'struct': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
      const obj = value as Record<string, unknown>;
      let known = 0;
      for (const field of type.fields) {
        if (!(field.name in obj)) {
          if (field.omitempty) continue;
          return false;
        }
        known++;
        if (!matchesGoType(obj[field.name], field.type)) return false;
      }
      return Object.keys(obj).length === known;
    }
  }
}

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

function zodProblems(value: unknown): SchemaProblem[] {
  const result = payloadSchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue: z.core.$ZodIssue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

export function schemaProblems(value: unknown): SchemaProblem[] {
  return matchesGoType(value, payloadGoType) ? [] : zodProblems(value);
}

/**
 * The same for a JSON text, without enumerating its parsed value (which `parsed` gives, once, only when
 * the text does not match and zod has to say why).
 */
export function schemaProblemsOfText(text: string, parsed: () => unknown): SchemaProblem[] {
  return textMatchesGoType(text, payloadGoType) ? [] : zodProblems(parsed());
}

/** Go stores every float field as a float32: a value read from elsewhere is rounded the same way. */
function roundFloats(value: unknown, type: GoType): unknown {
  if (value === null || value === undefined) return value;
  switch (type.kind) {
    case 'float32':
    case 'value':
      return Math.fround(value as number);
    case 'struct': {
      const obj = value as Record<string, unknown>;
      for (const field of type.fields) if (field.name in obj) obj[field.name] = roundFloats(obj[field.name], field.type);
      return obj;
    }
    case 'map': {
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) obj[key] = roundFloats(obj[key], type.value);
      return obj;
    }
    case 'slice':
      return (value as unknown[]).map((item) => roundFloats(item, type.elem));
    case 'ptr':
      return roundFloats(value, type.elem);
    default:
      return value;
  }
}

/**
 * JSON with // and /* comments and trailing commas removed, as on Coroot's documentation page.
 * Strings are left alone.
 */
export function stripJsonComments(text: string): string {
  return text
    .replace(/"(?:[^"\\]|\\.)*"|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m) => (m.startsWith('"') ? m : ''))
    .replace(/"(?:[^"\\]|\\.)*"|,(\s*[}\]])/g, (m, closing: string | undefined) => (closing !== undefined ? closing : m));
}

export function parsePayloadText(text: string, name: string): Payload {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    try {
      value = JSON.parse(stripJsonComments(text.replace(/^\uFEFF/, '')));
    } catch (err) {
      throw inputError(`${name}: not a JSON payload (${describe(err)})`, err);
    }
  }
  const problems = schemaProblems(value);
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ');
    const more = problems.length > 5 ? `; and ${problems.length - 5} more (run \`coroot-usage verify --payload ${name}\` for all)` : '';
    throw inputError(`${name}: not a Coroot v1.24.5 payload: ${shown}${more}`);
  }
  return roundFloats(value, payloadGoType) as Payload;
}

/** A payload file, or stdin for "-". */
export async function readPayloadFile(path: string, io: IO): Promise<{ payload: Payload; raw: Buffer }> {
  let raw: Buffer;
  try {
    raw = path === '-' ? await readAll(io.stdin) : readFileSync(path);
  } catch (err) {
    throw inputError(`${path}: ${describe(err)}`, err);
  }
  const name = path === '-' ? 'stdin' : path;
  return { payload: parsePayloadText(raw.toString('utf8'), name), raw };
}
