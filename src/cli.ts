/**
 * Entry point: parses the command line with yargs, runs one command, and turns every failure into a
 * one-line message on stderr and a documented exit code. Stack traces only with --debug.
 */
import yargs, { type Argv } from 'yargs';
import { CliError, ExitCode, describe } from './errors.js';
import { createIO, type IO, type IOOptions } from './io.js';
import { redact } from './redact.js';
import type { CommandSpec, GlobalArgs } from './commands/command.js';
import { commands, type CommandEntry } from './commands/index.js';

export const PROGRAM = 'coroot-usage';

function globalOptions(y: Argv): Argv<GlobalArgs> {
  return y
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of errors' })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable JSON output' })
    .option('color', { type: 'boolean', describe: 'force colours on or off (NO_COLOR always turns them off)' }) as Argv<GlobalArgs>;
}

function reportError(io: IO, err: unknown, debug: boolean): number {
  const cliError = err instanceof CliError ? err : new CliError('internal', `internal error: ${describe(err)}`, err);
  io.stderr.write(`${io.errColor.red('error:')} ${redact(describe(cliError))}\n`);
  if (debug) {
    const stack = (cliError.kind === 'internal' ? err : cliError.cause ?? cliError) as { stack?: string };
    if (stack?.stack) io.stderr.write(`${redact(stack.stack)}\n`);
  }
  return cliError.exitCode;
}

/** A command that is listed but not run: yargs needs only its usage and summary. */
function listedOnly(entry: CommandEntry): CommandSpec {
  return { name: entry.name, usage: entry.usage, summary: entry.summary, examples: [], builder: (y) => y, run: async () => ExitCode.internal };
}

/** The sub-command named on the command line: the first argument that is not an option. */
function requestedCommand(argv: string[]): CommandEntry | undefined {
  const name = argv.find((arg) => !arg.startsWith('-'));
  return commands.find((c) => c.name === name);
}

function registerCommand(y: Argv<GlobalArgs>, spec: CommandSpec, io: IO, setExit: (code: number) => void): Argv<GlobalArgs> {
  return y.command(
    spec.usage,
    spec.summary,
    (sub: Argv<GlobalArgs>) => {
      let built = spec.builder(sub);
      for (const [cmd, text] of spec.examples) built = built.example(cmd, text);
      return built;
    },
    async (args: any) => { // any: yargs hands back the builder's type, which spec.run declares
      setExit(await spec.run(args, io));
    },
  );
}

/**
 * yargs turns a lone "-" (stdin, by convention) into "" or true, and reads `--flag -` as a flag without a
 * value. Such arguments pass through yargs as a placeholder and are turned back into "-" before a command
 * runs.
 */
const STDIN_PLACEHOLDER = '\u0000stdin';

function protectStdinArgs(argv: string[]): string[] {
  return argv.map((arg) => (arg === '-' ? STDIN_PLACEHOLDER : arg));
}

function restoreStdinArgs(args: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(args)) {
    if (value === STDIN_PLACEHOLDER) args[key] = '-';
    else if (Array.isArray(value)) args[key] = value.map((v) => (v === STDIN_PLACEHOLDER ? '-' : v));
  }
}

export async function main(rawArgv: string[], ioOptions: IOOptions = {}): Promise<number> {
  const argv = protectStdinArgs(rawArgv);
  const wantsDebug = argv.includes('--debug');
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  // the bundle is minified: stack traces are only readable through its source maps
  if (wantsDebug) process.setSourceMapsEnabled(true);
  const colorFlag = argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined;
  const io = createIO({ ...ioOptions, color: colorFlag });
  let exitCode: number = ExitCode.ok;
  let parser = globalOptions(yargs())
    .scriptName(PROGRAM)
    .usage(`${PROGRAM} <command> [options]\n\nShow, check and send the anonymous usage statistics Coroot v1.24.5 would send.`)
    .strict()
    .demandCommand(1, 'name a command: show, schema, profile, diff, verify, send or status')
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    // yargs renders (and caches) the help text of every command it runs; wrapping it costs tens of ms
    .wrap(wantsHelp ? Math.min(110, io.stdout.columns ?? 100) : null)
    .exitProcess(false)
    .middleware(restoreStdinArgs)
    .fail((msg: string | null, err: Error | undefined) => {
      if (err) throw err;
      throw new CliError('usage', msg ?? 'invalid command line');
    });
  const requested = requestedCommand(argv);
  const loaded = requested ? await requested.load() : undefined;
  for (const entry of commands) {
    const spec = entry === requested ? loaded! : listedOnly(entry);
    parser = registerCommand(parser, spec, io, (code) => (exitCode = code));
  }

  // yargs renders the whole help text of every command it runs, in case the command fails later; errors
  // are reported here instead, so that rendering (about 50 ms of every start) is skipped. Internal API:
  // if it is ever gone, yargs simply renders the help as before.
  const usage = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage && !wantsHelp) usage.cacheHelpMessage = () => undefined;
  try {
    let helpText = '';
    // With a callback yargs renders its help text on every call (tens of ms); it is only wanted for --help.
    if (wantsHelp) {
      await parser.parseAsync(argv, {}, (err: Error | undefined, _parsed: unknown, output: string) => {
        if (!err && output) helpText = output;
      });
    } else {
      await parser.parseAsync(argv);
    }
    if (helpText) io.out(`${helpText}\n`);
    return exitCode;
  } catch (err) {
    return reportError(io, err, wantsDebug);
  }
}
