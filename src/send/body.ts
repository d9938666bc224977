/**
 * The bytes to POST: Coroot's encoding of a freshly built payload, or a reviewed payload file exactly as
 * read, which must then be strict JSON (what the collector would get) and a valid v1.24.5 payload.
 */
import { describe, inputError } from '../errors.js';
import type { IO } from '../io.js';
import { encodePayload, readPayloadFile } from '../model/payload-codec.js';
import { buildPayloadFromArgs, type SourceArgs } from '../commands/source-options.js';

export interface Body {
  bytes: Buffer;
  /** where it came from, for messages */
  origin: string;
}

export async function reviewedBody(path: string, io: IO): Promise<Body> {
  const { payload, raw } = await readPayloadFile(path, io);
  const name = path === '-' ? 'stdin' : path;
  try {
    JSON.parse(raw.toString('utf8'));
  } catch (err) {
    // readPayloadFile tolerates comments and a BOM for reading; sending them would post something Coroot never sends
    throw inputError(`${name}: valid payload values but not strict JSON (${describe(err)}); normalise it with \`coroot-usage show --payload ${name} --format raw -o FILE\` and review that file`, err);
  }
  if (!encodePayload(payload).equals(raw)) {
    io.warn(`${name}: not byte-identical to Coroot's encoding of the same values (spacing, key order, number format or trailing newline); it is sent as read`);
  }
  return { bytes: raw, origin: name };
}

export async function builtBody(args: SourceArgs, io: IO): Promise<Body> {
  // Coroot sends what it has now: a stopped cache means no world, not the last payload
  const built = await buildPayloadFromArgs(args, io, { wallClock: true });
  return { bytes: built.bytes, origin: `built from ${built.context.database}` };
}
