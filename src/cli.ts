/**
 * Entry point: parses the command line with yargs, runs one command, and turns every failure into a
 * one-line message on stderr and a documented exit code. Stack traces only with --debug.
 */
import type { Argv } from 'yargs';
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

/**
 * yargs turns a single-value option given twice into an array, which no command expects (it used to end
 * in an internal error or a confusing message); only options declared as arrays may repeat.
 */
function refuseRepeatedOptions(args: Record<string, unknown>, y: Argv): void {
  // getOptions() is public in yargs but missing from its type definitions
  const repeatable = new Set((y as unknown as { getOptions(): { array: string[] } }).getOptions().array);
  for (const [key, value] of Object.entries(args)) {
    // yargs also lists every hyphenated option under its camel-case name
    if (key === '_' || !Array.isArray(value) || repeatable.has(key) || /[A-Z]/.test(key)) continue;
    throw new CliError('usage', `--${key} was given more than once; it takes a single value`);
  }
}

/** What a builder declares of one option or positional. */
interface Declared {
  type: unknown;
  default: unknown;
}

/** Option settings that change nothing for a command line of booleans and positionals. */
const PLAIN_SETTINGS = new Set(['type', 'default', 'describe', 'group', 'choices', 'array']);

/**
 * The options and positionals the global options and a command's builder declare, read by running them on
 * a recorder instead of yargs; undefined when they use anything else (checks, aliases, coercions...).
 */
function declaredOptions(spec: CommandSpec): Map<string, Declared> | undefined {
  const declared = new Map<string, Declared>();
  let plain = true;
  const recorder: object = new Proxy(
    {},
    {
      get: (_target, method) => (name: string, settings: Record<string, unknown> = {}) => {
        if (method !== 'option' && method !== 'positional') plain = false;
        else if (Object.keys(settings).some((k) => !PLAIN_SETTINGS.has(k))) plain = false;
        // yargs refuses a default outside the choices
        else if (Array.isArray(settings.choices) && settings.default !== undefined && !settings.choices.includes(settings.default)) plain = false;
        else declared.set(name, { type: settings.type, default: settings.default });
        return recorder;
      },
    },
  );
  spec.builder(globalOptions(recorder as Argv));
  return plain ? declared : undefined;
}

/**
 * The arguments yargs would hand a command for a command line it parses trivially: the command name, its
 * positionals, and boolean options each given once as --name. Such command lines (`profile FILE --top`)
 * then run without loading yargs, which costs tens of ms of every start. Anything else: undefined.
 */
export function directArgs(spec: CommandSpec, argv: string[]): Record<string, unknown> | undefined {
  if (argv[0] !== spec.name) return undefined;
  const declared = declaredOptions(spec);
  if (!declared) return undefined;
  const positionals = spec.usage.split(' ').slice(1).map((p) => ({ name: p.slice(1, -1), required: p.startsWith('<') }));
  const given = new Map<string, unknown>();
  let next = 0;
  for (const arg of argv.slice(1)) {
    // a lone "-" is a positional (stdin)
    if (arg.startsWith('-') && arg !== '-') {
      const name = arg.slice(2);
      if (!arg.startsWith('--') || declared.get(name)?.type !== 'boolean' || given.has(name)) return undefined;
      given.set(name, true);
    } else {
      const positional = positionals[next++];
      if (!positional || declared.get(positional.name)?.type !== 'string') return undefined;
      given.set(positional.name, arg);
    }
  }
  if (positionals.slice(next).some((p) => p.required)) return undefined;
  const args: Record<string, unknown> = { _: [spec.name], $0: PROGRAM };
  for (const [name, d] of declared) {
    const value = given.has(name) ? given.get(name) : d.default;
    if (value === undefined) continue;
    args[name] = value;
    // yargs also sets every hyphenated option under its camel-case name
    if (name.includes('-')) args[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return args;
}

export async function main(rawArgv: string[], ioOptions: IOOptions = {}): Promise<number> {
  const argv = protectStdinArgs(rawArgv);
  const wantsDebug = argv.includes('--debug');
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  // the bundle is minified: stack traces are only readable through its source maps
  if (wantsDebug) process.setSourceMapsEnabled(true);
  const colorFlag = argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined;
  const io = createIO({ ...ioOptions, color: colorFlag });
  const requested = requestedCommand(argv);
  const loaded = requested ? await requested.load() : undefined;
  const direct = loaded && !wantsHelp ? directArgs(loaded, rawArgv) : undefined;
  if (loaded && direct) {
    try {
      return await loaded.run(direct, io);
    } catch (err) {
      return reportError(io, err, wantsDebug);
    }
  }

  const { default: yargs } = await import('yargs');
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
    .middleware(refuseRepeatedOptions as unknown as (args: Record<string, unknown>) => void)
    .fail((msg: string | null, err: Error | undefined) => {
      if (err) throw err;
      throw new CliError('usage', msg ?? 'invalid command line');
    });
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
