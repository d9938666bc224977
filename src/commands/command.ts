import type { Argv } from 'yargs';
import type { IO } from '../io.js';

/** Options every command accepts. */
export interface GlobalArgs {
  debug: boolean;
  json: boolean;
  color: boolean | undefined;
}

/**
 * One sub-command: yargs parses flags into T through `builder`, and `run` does the work with an IO,
 * returning the exit code. Tests call `run` directly with a captured IO.
 */
export interface CommandSpec<T = any> { // any: each command narrows its own argument type in builder/run
  name: string;
  /** usage line after the program name, e.g. 'show' or 'profile [file]' */
  usage: string;
  summary: string;
  examples: Array<[string, string]>;
  builder(y: Argv<GlobalArgs>): Argv<T>;
  run(args: T & GlobalArgs, io: IO): Promise<number>;
}
