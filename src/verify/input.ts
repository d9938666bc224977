/**
 * What verify checks: the payload (a file as read, or the wire bytes built from the sources) and, when
 * the sources can be read, the instance's identifying values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CliError, describe, inputError } from '../errors.js';
import { readAll, type IO } from '../io.js';
import { textMatchesGoType } from '../model/gotype-text.js';
import type { SchemaProblem } from '../model/payload-codec.js';
import { payloadGoType } from '../model/payload-wire.js';
import { buildPayloadFromArgs, type SourceArgs } from '../commands/source-options.js';
import type { BuildContext } from '../model/build.js';

export interface VerifyInput {
  source: string;
  /** the payload as JSON text (comments removed): what the checks walk */
  text: string;
  /** the parsed payload, parsed on the first call: only some checks need it, and it is slow on big payloads */
  value(): unknown;
  schema: SchemaProblem[];
  context: BuildContext | undefined;
  notes: string[];
}

function parseOnce(text: string, parsed?: { value: unknown }): () => unknown {
  let cache = parsed;
  return () => (cache ??= { value: JSON.parse(text) }).value;
}

/**
 * The payload's schema problems. The walk over the text (which also tells whether it is JSON) needs no
 * zod; zod is loaded to say what is wrong only when the text does not match.
 */
async function schemaOf(text: string, value: () => unknown): Promise<SchemaProblem[]> {
  if (textMatchesGoType(text, payloadGoType)) return [];
  const { schemaProblems } = await import('../model/payload-codec.js');
  return schemaProblems(value());
}

/** The JSON text to check, with its schema problems, before anything else is read. */
async function checkText(text: string, name: string, notes: string[]): Promise<Pick<VerifyInput, 'text' | 'value' | 'schema'>> {
  try {
    const value = parseOnce(text);
    return { text, value, schema: await schemaOf(text, value) };
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  const { stripJsonComments } = await import('../model/payload-codec.js');
  const stripped = stripJsonComments(text.replace(/^\uFEFF/, ''));
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripped);
  } catch (err) {
    throw inputError(`${name}: not JSON (${describe(err)})`, err);
  }
  notes.push(`${name} has comments, a BOM or trailing commas: Coroot never sends those; checked after removing them`);
  const value = parseOnce(stripped, { value: parsed });
  return { text: stripped, value, schema: await schemaOf(stripped, value) };
}

/** Sources named on the command line or in the environment, as opposed to the ./data default. */
function sourcesGiven(args: SourceArgs, env: NodeJS.ProcessEnv): boolean {
  return Boolean(args['data-dir'] || args['pg-connection-string'] || args.config || env.DATA_DIR || env.PG_CONNECTION_STRING || env.CONFIG);
}

export async function loadVerifyInput(args: SourceArgs & { payload?: string }, io: IO): Promise<VerifyInput> {
  const notes: string[] = [];
  if (args.payload === undefined) {
    const built = await buildPayloadFromArgs(args, io);
    const text = built.bytes.toString('utf8');
    const value = parseOnce(text);
    return { source: `payload built from ${built.context.database}`, text, value, schema: await schemaOf(text, value), context: built.context, notes };
  }
  const name = args.payload === '-' ? 'stdin' : args.payload;
  let text: string;
  try {
    text = args.payload === '-' ? (await readAll(io.stdin)).toString('utf8') : readFileSync(args.payload, 'utf8');
  } catch (err) {
    throw inputError(`${name}: ${describe(err)}`, err);
  }
  const checked = await checkText(text, name, notes);
  // the build only supplies identifying values, which come from the database and the configuration: no
  // project world (cache or Prometheus) is loaded for them
  const identifyingContext = async () =>
    (await buildPayloadFromArgs({ ...args, profile: false, source: 'none', live: false, 'prometheus-url': undefined }, io)).context;
  let context: BuildContext | undefined;
  if (sourcesGiven(args, io.env)) {
    context = await identifyingContext();
  } else if (existsSync('./data')) {
    try {
      context = await identifyingContext();
    } catch (err) {
      notes.push(`./data could not be read (${err instanceof CliError ? err.message : describe(err)}): only patterns were checked`);
    }
  } else {
    notes.push('no sources given (--data-dir, --pg-connection-string, --config): the instance\'s own names, addresses and credentials were not checked, only patterns');
  }
  return { source: name, ...checked, context, notes };
}
