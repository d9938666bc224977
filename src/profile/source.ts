/**
 * Where the profiles come from: a payload's `profile` section (base64 of gzipped pprof) or a pprof file,
 * told apart by content. Everything that is not a usable profile is a CliError('input') naming the field.
 */
import { inputError } from '../errors.js';
import type { ProfileBlob, ProfileKind } from './model.js';
import { isGzip } from './decode.js';

export type Which = ProfileKind | 'all';

export interface ProfileInput {
  origin: 'payload' | 'file';
  /** payload profile.from / profile.to (unix seconds) */
  from?: number;
  to?: number;
  blobs: ProfileBlob[];
  /** payload profiles left out because they are empty strings */
  empty: ProfileKind[];
}

/** base64.StdEncoding.DecodeString: RFC 4648 alphabet with padding; Go skips \r and \n. */
export function decodeBase64Strict(text: string, label: string): Buffer {
  const clean = text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]/g, '') : text;
  if (clean.length % 4 !== 0) throw inputError(`${label}: invalid base64 (length ${clean.length} is not a multiple of 4)`);
  const n = clean.length;
  for (let i = 0; i < n; i++) {
    const c = clean.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (ok) continue;
    if (c === 61 && (i === n - 1 || (i === n - 2 && clean.charCodeAt(n - 1) === 61))) continue;
    const shown = c < 32 || c > 126 ? `U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `'${clean[i]}'`;
    throw inputError(`${label}: invalid base64 (${shown} at offset ${i})`);
  }
  return Buffer.from(clean, 'base64');
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The profiles of a parsed payload. Empty strings are skipped, unless nothing else is left. */
export function profilesFromPayload(payload: unknown, which: Which): ProfileInput {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw inputError(`the payload is ${describeType(payload)}, not a JSON object`);
  }
  const section = (payload as Record<string, unknown>).profile;
  if (section === undefined) throw inputError('the payload has no "profile" field');
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw inputError(`the payload's "profile" field is ${describeType(section)}, not an object`);
  }
  const fields = section as Record<string, unknown>;
  const kinds: ProfileKind[] = which === 'all' ? ['cpu', 'memory'] : [which];
  const blobs: ProfileBlob[] = [];
  const empty: ProfileKind[] = [];
  for (const kind of kinds) {
    const label = `profile.${kind}`;
    const value = fields[kind];
    if (value === undefined) throw inputError(`the payload has no "${label}" field`);
    if (typeof value !== 'string') throw inputError(`"${label}" is ${describeType(value)}, not a base64 string`);
    if (value === '') {
      empty.push(kind);
      continue;
    }
    blobs.push({ kind, label, bytes: decodeBase64Strict(value, label) });
  }
  if (blobs.length === 0) {
    throw inputError(
      `${empty.map((k) => `profile.${k}`).join(' and ')} ${empty.length > 1 ? 'are' : 'is'} empty: ` +
        'Coroot sends "" when its profiler could not start, and GET /stats or --no-profile leave the profiles empty',
    );
  }
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const input: ProfileInput = { origin: 'payload', blobs, empty };
  const from = num(fields.from);
  const to = num(fields.to);
  if (from !== undefined) input.from = from;
  if (to !== undefined) input.to = to;
  return input;
}

function firstNonSpace(bytes: Buffer): number {
  for (let i = 0; i < bytes.length && i < 4096; i++) {
    const c = bytes[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && !(i < 3 && (c === 0xef || c === 0xbb || c === 0xbf))) return c;
  }
  return -1;
}

/** A file's bytes: a gzipped or raw pprof profile, or a JSON payload. */
export function profilesFromBytes(bytes: Buffer, name: string, which: Which): ProfileInput {
  if (bytes.length === 0) throw inputError(`${name}: empty file`);
  if (isGzip(bytes)) return { origin: 'file', blobs: [{ kind: 'file', label: name, bytes }], empty: [] };
  if (firstNonSpace(bytes) === 0x7b) {
    let payload: unknown;
    try {
      payload = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw inputError(`${name}: looks like JSON but does not parse: ${(err as Error).message}`, err);
    }
    return profilesFromPayload(payload, which);
  }
  return { origin: 'file', blobs: [{ kind: 'file', label: name, bytes }], empty: [] };
}
