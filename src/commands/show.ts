/**
 * `coroot-usage show`: the payload Coroot v1.24.5 would send, built from a data-dir or read from a file,
 * as the exact wire bytes, indented JSON, an annotated view or tables.
 */
import type { Argv } from 'yargs';
import { usageError } from '../errors.js';
import { writeFileAtomic, type IO } from '../io.js';
import type { BuildNotes } from '../model/collect.js';
import { encodePayload, payloadGoType } from '../model/payload-wire.js';
import type { Payload } from '../model/payload-schema.js';
import type { ProjectSourceReport } from '../model/source-report.js';
import { encodeGoIndented } from '../encoding/gojson.js';
import type { CommandSpec, GlobalArgs } from './command.js';
import { buildPayloadFromArgs, withSourceOptions, type SourceArgs } from './source-options.js';

const FORMATS = ['raw', 'json', 'annotated', 'table'] as const;
type Format = (typeof FORMATS)[number];

interface ShowArgs extends SourceArgs {
  format?: Format;
  payload?: string;
  out?: string;
}

interface Shown {
  payload: Payload;
  notes: BuildNotes;
  sources: readonly ProjectSourceReport[];
}

async function loadPayload(args: ShowArgs, io: IO): Promise<Shown> {
  if (args.payload !== undefined) {
    // the schema library is needed only to validate a payload read from elsewhere
    const { readPayloadFile } = await import('../model/payload-codec.js');
    const { payload } = await readPayloadFile(args.payload, io);
    return { payload, notes: new Map(), sources: [] };
  }
  return buildPayloadFromArgs(args, io);
}

/** The views are loaded on demand: `--format raw` needs neither the table library nor the annotations. */
async function render(format: Format, { payload, notes, sources }: Shown, io: IO, colored: boolean): Promise<string | Buffer> {
  const color = colored ? io.color : io.plain;
  switch (format) {
    case 'raw':
      return encodePayload(payload);
    case 'json':
      return encodeGoIndented(payload, payloadGoType);
    case 'annotated':
      return (await import('../output/annotated.js')).renderAnnotated(payload, notes, color);
    case 'table':
      return (await import('../output/table.js')).renderTable(payload, notes, color, io.stdout.columns ?? 120, sources);
  }
}

export const showCommand: CommandSpec<ShowArgs> = {
  name: 'show',
  usage: 'show',
  summary: 'print the payload Coroot v1.24.5 would send',
  examples: [
    ['$0 show --data-dir /var/lib/coroot --format raw', 'the exact bytes Coroot would POST'],
    ['$0 show --data-dir fixtures/demo --at 2026-11-20T12:00:00Z --format annotated', 'every field explained'],
    ['$0 show --pg-connection-string "$PG" --format table', 'Coroot on PostgreSQL, as tables'],
    ['$0 show --payload captured.json --format raw', "normalise a saved payload to Coroot's wire bytes"],
  ],
  builder: (y: Argv<GlobalArgs>) =>
    withSourceOptions(y)
      .option('format', { alias: 'f', choices: FORMATS, describe: 'raw: wire bytes; json: indented; annotated: commented; table: summary [default: annotated on a terminal, raw otherwise]' })
      .option('payload', { type: 'string', describe: 'read this payload file (or - for stdin) instead of building one' })
      .option('out', { alias: 'o', type: 'string', describe: 'write to this file (atomically) instead of stdout' }) as Argv<ShowArgs & GlobalArgs>,
  async run(args, io) {
    if (args.json && args.format && args.format !== 'json' && args.format !== 'raw') throw usageError(`--json cannot be combined with --format ${args.format}`);
    const format: Format = args.format ?? (args.json ? 'json' : io.stdoutIsTTY && !args.out ? 'annotated' : 'raw');
    const output = await render(format, await loadPayload(args, io), io, !args.out);
    if (args.out) writeFileAtomic(args.out, output);
    else io.out(output);
    return 0;
  },
};
