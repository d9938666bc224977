/**
 * One side of `diff`: a payload file, stdin, or `live` (built from the sources). Files that are not valid
 * v1.24.5 payloads (another Coroot version, a hand-edited capture) are still compared, as plain JSON.
 */
import { readFileSync } from 'node:fs';
import { describe, inputError } from '../errors.js';
import { readAll, type IO } from '../io.js';
import { parsePayloadText, schemaProblems, stripJsonComments } from '../model/payload-codec.js';
import { buildPayloadFromArgs, type SourceArgs } from '../commands/source-options.js';

export interface DiffSide {
  label: string;
  value: unknown;
}

function parseJson(text: string, name: string): unknown {
  const clean = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(clean);
  } catch {
    try {
      return JSON.parse(stripJsonComments(clean));
    } catch (err) {
      throw inputError(`${name}: not JSON (${describe(err)})`, err);
    }
  }
}

export async function loadSide(spec: string, args: SourceArgs, io: IO): Promise<DiffSide> {
  if (spec === 'live') {
    const built = await buildPayloadFromArgs(args, io);
    return { label: `live (${built.context.database})`, value: built.payload };
  }
  const name = spec === '-' ? 'stdin' : spec;
  let text: string;
  try {
    text = spec === '-' ? (await readAll(io.stdin)).toString('utf8') : readFileSync(spec, 'utf8');
  } catch (err) {
    throw inputError(`${name}: ${describe(err)}`, err);
  }
  const value = parseJson(text, name);
  const problems = schemaProblems(value);
  if (problems.length === 0) return { label: name, value: parsePayloadText(text, name) };
  io.warn(`${name}: not a Coroot v1.24.5 payload (${problems[0]!.path}: ${problems[0]!.message}${problems.length > 1 ? `, and ${problems.length - 1} more` : ''}); compared as plain JSON`);
  return { label: name, value };
}
