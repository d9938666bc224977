/**
 * The Coroot data directory: where db.sqlite, the metrics cache and instance.uuid live. Read only:
 * coroot-usage never creates instance.uuid, even where Coroot would.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, inputError } from '../errors.js';

export interface DataDir {
  path: string;
  dbPath: string;
  cachePath: string;
  uuidPath: string;
}

export function openDataDir(path: string): DataDir {
  if (!existsSync(path)) throw inputError(`data-dir ${path}: no such directory (set --data-dir or DATA_DIR)`);
  if (!statSync(path).isDirectory()) throw inputError(`data-dir ${path}: not a directory`);
  return { path, dbPath: join(path, 'db.sqlite'), cachePath: join(path, 'cache'), uuidPath: join(path, 'instance.uuid') };
}

/** Go's unicode.IsSpace: what strings.TrimSpace removes (U+0085 yes, the BOM U+FEFF no). */
const GO_SPACE = '\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && GO_SPACE.includes(s[start]!)) start++;
  while (end > start && GO_SPACE.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

const HEX = /^[0-9a-fA-F]+$/;

function isDashedUuid(s: string): boolean {
  return s.length === 36 && s[8] === '-' && s[13] === '-' && s[18] === '-' && s[23] === '-'
    && HEX.test(s.replace(/-/g, '')) && s.replace(/-/g, '').length === 32;
}

/** github.com/google/uuid Parse: accepted forms by byte length; version and variant are not checked. */
export function isGoogleUuid(text: string): boolean {
  const bytes = Buffer.from(text, 'utf8');
  switch (bytes.length) {
    case 36:
      return isDashedUuid(text);
    case 45:
      return text.slice(0, 9).toLowerCase() === 'urn:uuid:' && isDashedUuid(text.slice(9));
    case 38:
      // any first and last byte: braces are not checked
      return isDashedUuid(bytes.subarray(1, 37).toString('latin1'));
    case 32:
      return HEX.test(text);
    default:
      return false;
  }
}

export type InstanceUuid =
  | { status: 'ok'; value: string }
  /** Coroot would write a new random UUID to the file at start-up and send that */
  | { status: 'missing' | 'invalid' | 'unreadable'; value: string; detail: string };

/** Stands in for the UUID Coroot would generate, so that the output stays deterministic. */
export const PLACEHOLDER_UUID = '00000000-0000-4000-8000-000000000000';

export function readInstanceUuid(dataDir: DataDir): InstanceUuid {
  let data: Buffer;
  try {
    data = readFileSync(dataDir.uuidPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing', value: PLACEHOLDER_UUID, detail: `${dataDir.uuidPath} does not exist` };
    return { status: 'unreadable', value: PLACEHOLDER_UUID, detail: `${dataDir.uuidPath}: ${describe(err)}` };
  }
  const text = goTrimSpace(data.toString('utf8'));
  if (isGoogleUuid(text)) return { status: 'ok', value: text };
  return { status: 'invalid', value: PLACEHOLDER_UUID, detail: `${dataDir.uuidPath} does not hold a valid UUID` };
}
