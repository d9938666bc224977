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
