/**
 * `coroot-usage profile`: decode, check and report the pprof profiles a usage payload carries (or a pprof
 * file): a summary, the `go tool pprof -top` report, every string inside, or the profiles written out as
 * .pb.gz files for other viewers.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { inputError, usageError } from '../errors.js';
import { readAll, writeFileAtomic, type IO } from '../io.js';
import { redact } from '../redact.js';
import { decodeProfile, type DecodedProfile } from '../profile/decode.js';
import type { ProfileBlob } from '../profile/model.js';
import { profilesFromBytes, profilesFromPayload, type ProfileInput, type Which } from '../profile/source.js';
import { profileStrings, STRING_GROUPS, type ProfileStrings } from '../profile/strings.js';
import { summarize, type ProfileSummary } from '../profile/summary.js';
import { renderTop, topReport, type TopReport } from '../profile/top.js';
import type { CommandSpec, GlobalArgs } from './command.js';
import { buildPayloadFromArgs, withSourceOptions, type SourceArgs } from './source-options.js';

interface ProfileArgs extends SourceArgs {
  file?: string;
  which: Which;
  top: boolean;
  nodecount: number;
  cum: boolean;
  'sample-index'?: string;
  nodefraction: number;
  strings: boolean;
  write?: string;
}

interface ProfileResult {
  blob: ProfileBlob;
  decoded: DecodedProfile;
  /** only when shown: --json, or neither --top nor --strings */
  summary?: ProfileSummary;
  top?: TopReport;
  strings?: ProfileStrings;
  written?: string;
}

async function loadInput(args: ProfileArgs, io: IO): Promise<ProfileInput> {
  if (args.file === undefined) {
    const built = await buildPayloadFromArgs(args, io);
    return profilesFromPayload(built.payload, args.which);
  }
  let bytes: Buffer;
  const name = args.file === '-' ? 'stdin' : args.file;
  try {
    bytes = args.file === '-' ? await readAll(io.stdin) : readFileSync(args.file);
  } catch (err) {
    throw inputError(`cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
  return profilesFromBytes(bytes, name, args.which);
}

function fileNameFor(blob: ProfileBlob): string {
  return blob.kind === 'file' ? 'profile.pb.gz' : `${blob.kind}.pb.gz`;
}

function writeProfile(dir: string, blob: ProfileBlob, decoded: DecodedProfile): string {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw inputError(`cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
  const path = join(dir, fileNameFor(blob));
  writeFileAtomic(path, decoded.gzipped ? blob.bytes : gzipSync(decoded.raw));
  return path;
}

function quote(s: string): string {
  // control characters (an escape sequence in a function name, say) must not reach the terminal raw
  return /[\x00-\x1f\x7f-\x9f\u2028\u2029]|^\s|\s$/.test(s) || s === '' ? JSON.stringify(s) : s;
}

function kib(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function renderSummary(r: ProfileResult, io: IO): string {
  const s = r.summary!;
  const c = io.color;
  const rows: Array<[string, string]> = [
    ['sample types', s.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(', ') + (s.defaultSampleType ? ` (default ${s.defaultSampleType})` : '')],
    ['period', s.periodType ? `${s.period} ${s.periodType.unit} (${s.periodType.type})` : '(none)'],
    ['time', s.time ?? '(none)'],
    ['duration', s.durationNanos === '0' ? '(none)' : `${s.duration} (${s.durationNanos} ns)`],
    ['totals', s.sampleTypes.map((t) => `${t.type} ${t.totalFormatted}`).join(', ') || '(none)'],
    ['samples', String(s.counts.samples) + (s.counts.samples === 0 ? ' (the profile recorded nothing)' : '')],
    ['locations', String(s.counts.locations)],
    ['functions', String(s.counts.functions)],
    ['mappings', String(s.counts.mappings)],
    ['strings', String(s.counts.strings)],
    ['size', s.sizes.gzipped ? `${kib(s.sizes.compressed)} gzipped, ${kib(s.sizes.raw)} raw` : `${kib(s.sizes.raw)} raw (not gzipped)`],
  ];
  if (s.labelKeys.length > 0) rows.push(['label keys', s.labelKeys.map(quote).join(', ')]);
  if (s.comments.length > 0) rows.push(['comments', s.comments.map(quote).join(' | ')]);
  if (r.written) rows.push(['written to', r.written]);
  return `${c.bold(r.blob.label)}\n${rows.map(([k, v]) => `  ${k.padEnd(13)}${v}\n`).join('')}`;
}

function renderStrings(r: ProfileResult, io: IO): string {
  const out: string[] = [];
  for (const [key, title] of STRING_GROUPS) {
    const list = r.strings![key];
    if (list.length === 0) continue;
    out.push(`  ${io.color.bold(title)} (${list.length})\n`);
    for (const s of list) out.push(`    ${quote(s)}\n`);
  }
  return `${io.color.bold(r.blob.label)} strings\n${out.join('') || '  (none)\n'}`;
}

function jsonResult(r: ProfileResult): Record<string, unknown> {
  const out: Record<string, unknown> = { profile: r.blob.kind, source: r.blob.label, summary: r.summary };
  if (r.top) out.top = { labels: r.top.labels, sample_type: r.top.sampleType, unit: r.top.outputUnit, total: r.top.total, rows: r.top.rows };
  if (r.strings) out.strings = r.strings;
  if (r.written) out.written = r.written;
  return out;
}

export const profileCommand: CommandSpec<ProfileArgs> = {
  name: 'profile',
  usage: 'profile [file]',
  summary: 'decode, check and report the pprof profiles inside a payload',
  examples: [
    ['$0 profile payload.json', 'summary of the CPU and memory profiles of a saved payload'],
    ['$0 profile payload.json --which cpu --top', 'the `go tool pprof -top` report of the CPU profile'],
    ['$0 profile payload.json --which memory --top --sample-index alloc_space --nodecount 20', 'top 20 allocating functions'],
    ['$0 profile --data-dir /var/lib/coroot --strings', 'every string inside the profiles of a freshly built payload'],
    ['$0 profile payload.json --write ./profiles && go tool pprof -top profiles/cpu.pb.gz', 'hand the profiles to pprof'],
    ['$0 profile cpu.pb.gz --top --cum --json', 'a pprof file, sorted by cumulative value, as JSON'],
  ],
  builder: (y: Argv<GlobalArgs>) =>
    withSourceOptions(y)
      .positional('file', { type: 'string', describe: 'a payload (JSON) or a pprof file (.pb.gz or .pb); - for stdin; none: build the payload from the sources' })
      .option('which', { choices: ['cpu', 'memory', 'all'] as const, default: 'all' as Which, describe: "which of the payload's profiles" })
      .option('top', { type: 'boolean', default: false, describe: 'the report of `go tool pprof -top`, byte for byte' })
      .option('nodecount', { type: 'number', default: 0, describe: 'with --top: show at most N functions (0: all)' })
      .option('cum', { type: 'boolean', default: false, describe: 'with --top: sort by cumulative value' })
      .option('sample-index', { type: 'string', describe: 'with --top: sample type by name (alloc_space, cpu, ...) or index [default: the default type, else the last]' })
      .option('nodefraction', { type: 'number', default: 0.005, describe: 'with --top: hide functions below this fraction of the total' })
      .option('strings', { type: 'boolean', default: false, describe: 'list every string inside the profiles, grouped' })
      .option('write', { type: 'string', describe: 'write the profiles to this directory as cpu.pb.gz / memory.pb.gz' }) as Argv<ProfileArgs & GlobalArgs>,
  async run(args, io) {
    if (!Number.isInteger(args.nodecount) || args.nodecount < 0) throw usageError('--nodecount must be a whole number, 0 or more');
    if (!Number.isFinite(args.nodefraction) || args.nodefraction < 0 || args.nodefraction > 1) throw usageError('--nodefraction must be between 0 and 1');
    const input = await loadInput(args, io);
    const results: ProfileResult[] = [];
    const showSummary = args.json || (!args.top && !args.strings);
    for (const blob of input.blobs) {
      const decoded = decodeProfile(blob.bytes, blob.label);
      const result: ProfileResult = { blob, decoded };
      if (showSummary) result.summary = summarize(decoded);
      if (args.top) {
        result.top = topReport(decoded.profile, {
          sampleIndex: args['sample-index'],
          cum: args.cum,
          nodeCount: args.nodecount,
          nodeFraction: args.nodefraction,
          env: io.env,
        });
      }
      if (args.strings) result.strings = profileStrings(decoded.profile);
      if (args.write !== undefined) result.written = writeProfile(args.write, blob, decoded);
      results.push(result);
    }

    if (args.json) {
      const doc: Record<string, unknown> = { origin: input.origin };
      if (input.from !== undefined) doc.from = input.from;
      if (input.to !== undefined) doc.to = input.to;
      if (input.empty.length > 0) doc.empty = input.empty;
      doc.profiles = results.map(jsonResult);
      io.out(`${redact(JSON.stringify(doc, null, 2))}\n`);
      return 0;
    }

    const parts: string[] = [];
    const many = results.length > 1;
    if (args.top || args.strings) for (const k of input.empty) io.warn(`profile.${k} is empty; showing the other profile only`);
    for (const r of results) {
      if (args.top) {
        const text = renderTop(r.top!);
        parts.push(many ? `${io.color.bold(`==> ${r.blob.label} <==`)}\n${text}` : text);
      }
      if (args.strings) parts.push(renderStrings(r, io));
      if (!args.top && !args.strings) parts.push(renderSummary(r, io));
      else if (r.written && !args.json) parts.push(`wrote ${r.written}\n`);
    }
    if (!args.top && !args.strings && input.origin === 'payload') {
      const head: string[] = [];
      if (input.from !== undefined && input.to !== undefined) {
        head.push(`payload profile section: from ${input.from} to ${input.to} (${input.to - input.from} s)\n`);
      }
      for (const k of input.empty) head.push(`profile.${k}: empty\n`);
      parts.unshift(head.join(''));
    }
    io.out(redact(parts.filter((p) => p !== '').join('\n')));
    return 0;
  },
};
