/**
 * `coroot-usage diff A B`: what changed between two payloads (files, stdin or `live`), structurally and
 * in values, with the timings that change on every run optionally ignored.
 */
import { colorize, diff as jsonDiff } from 'json-diff';
import type { Argv } from 'yargs';
import { usageError } from '../errors.js';
import { listChanges, type Change, type ChangeKind } from '../diff/changes.js';
import { loadSide } from '../diff/input.js';
import { maskVolatile, VOLATILE_PATTERNS } from '../diff/volatile.js';
import type { CommandSpec, GlobalArgs } from './command.js';
import { withSourceOptions, type SourceArgs } from './source-options.js';

interface DiffArgs extends SourceArgs {
  a: string;
  b: string;
  'ignore-volatile': boolean;
}

function summarize(changes: Change[]): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = { changed: 0, added: 0, removed: 0, type: 0 };
  for (const c of changes) counts[c.kind]++;
  return counts;
}

function summaryLine(changes: Change[]): string {
  if (changes.length === 0) return 'no differences';
  const s = summarize(changes);
  const parts = [`${s.changed} changed`, `${s.added} added`, `${s.removed} removed`];
  if (s.type) parts.push(`${s.type} type changes`);
  return `${changes.length} difference${changes.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

export const diffCommand: CommandSpec<DiffArgs> = {
  name: 'diff',
  usage: 'diff <a> <b>',
  summary: 'differences between two payloads: files, - (stdin) or live',
  examples: [
    ['$0 diff last-week.json live --data-dir /var/lib/coroot --ignore-volatile', 'what changed since a saved payload'],
    ['$0 diff captured.json rebuilt.json --json', 'differences as a list of paths'],
  ],
  builder: (y: Argv<GlobalArgs>) =>
    withSourceOptions(y)
      .positional('a', { type: 'string', demandOption: true, describe: 'payload file, - for stdin, or live' })
      .positional('b', { type: 'string', demandOption: true, describe: 'payload file, - for stdin, or live' })
      .option('ignore-volatile', { type: 'boolean', default: false, describe: `ignore values that change on every run: ${VOLATILE_PATTERNS.join(', ')}` }) as unknown as Argv<DiffArgs & GlobalArgs>,
  async run(args, io) {
    // yargs-parser turns a lone "-" positional into "" (or true when untyped): map it back to stdin
    const side = (v: unknown): string => (v === '' || v === true ? '-' : String(v));
    args.a = side(args.a);
    args.b = side(args.b);
    if (args.a === '-' && args.b === '-') throw usageError('only one side can be read from stdin');
    const a = await loadSide(args.a, args, io);
    const b = await loadSide(args.b, args, io);
    const va = args['ignore-volatile'] ? maskVolatile(a.value) : a.value;
    const vb = args['ignore-volatile'] ? maskVolatile(b.value) : b.value;
    const changes = listChanges(va, vb);
    const same = changes.length === 0;
    if (args.json) {
      io.out(`${JSON.stringify({ same, a: a.label, b: b.label, ignore_volatile: args['ignore-volatile'], summary: summarize(changes), changes }, null, 2)}\n`);
      return same ? 0 : 1;
    }
    const c = io.color;
    io.out(`${c.red(`--- ${a.label}`)}\n${c.green(`+++ ${b.label}`)}\n`);
    if (!same) {
      const structural = jsonDiff(va, vb, { maxElisions: 1 });
      if (structural !== undefined) {
        io.out(colorize(structural, { color: c.level > 0, theme: { ' ': (s) => s, '+': (s) => c.green(s), '-': (s) => c.red(s) }, maxElisions: 1 }));
      }
    }
    io.out(`${summaryLine(changes)}${args['ignore-volatile'] ? ' (volatile values ignored)' : ''}\n`);
    return same ? 0 : 1;
  },
};
