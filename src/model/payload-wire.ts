/**
 * The payload's wire encoding without loading zod: the Go type of the payload is derived from the schema
 * at build time (write-payload-gotype.ts) and read from JSON here, which keeps `show --format raw` and
 * `send` from paying for the schema library on every start.
 */
import { readFileSync } from 'node:fs';
import { encodeGo } from '../encoding/gojson.js';
import type { GoType } from '../encoding/gotype.js';
import { CliError } from '../errors.js';
import type { Payload } from './payload-schema.js';

export const PAYLOAD_GOTYPE_FILE = new URL('./payload-gotype.json', import.meta.url);

function loadPayloadGoType(): GoType {
  try {
    return JSON.parse(readFileSync(PAYLOAD_GOTYPE_FILE, 'utf8')) as GoType;
  } catch (err) {
    throw new CliError('internal', `${PAYLOAD_GOTYPE_FILE.pathname} is missing or broken: run \`npm run build\``, err);
  }
}

export const payloadGoType: GoType = loadPayloadGoType();

/** The exact bytes Coroot's json.NewEncoder(buf).Encode(stats) writes. */
export function encodePayload(payload: Payload): Buffer {
  return encodeGo(payload, payloadGoType);
}
