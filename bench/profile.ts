/**
 * Benchmark: `coroot-usage profile FILE --top` against `go tool pprof -top FILE` on the same ~300 KB
 * gzipped CPU profile of 400 Go functions, whole processes, alternating, N runs each; prints median, min
 * and max wall time. The profile is made by the large Go program of test/helpers/pprof-go.ts (four runs
 * merged by `go tool pprof -proto`) and cached. Also checks that both print the same bytes.
 *
 * A third row runs the same report in a Node process that loads only src/profile (no CLI, no other
 * commands): the difference to the first row is the CLI's start-up, which every command pays.
 *
 * Run: node dist/bench/profile.js [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { goProfile, goToolPprof } from '../test/helpers/pprof-go.js';
import { goBinary, goEnv } from '../test/helpers/services.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'bin', 'coroot-usage');

/** Four profiles of the same program (different rates and call depths) merged into one. */
export function benchProfile(): string {
  const parts = [goProfile('cpu-large', 6000, 4000), goProfile('cpu-large', 8000, 1000, 30), goProfile('cpu-large', 12000, 1000, 45), goProfile('cpu-large', 28000, 1000, 50)];
  const path = join(dirname(parts[0]!), `bench-merged-${parts.map((p) => p.slice(-18, -6)).join('-')}.pb.gz`);
  if (existsSync(path)) return path;
  const r = spawnSync(goBinary(), ['tool', 'pprof', '-proto', ...parts], { env: goEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`go tool pprof -proto failed: ${r.stderr.toString()}`);
  writeFileSync(`${path}.tmp`, r.stdout);
  renameSync(`${path}.tmp`, path);
  return path;
}

function timeRun(command: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function stats(values: number[]): { median: number; min: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

export interface BenchRow {
  name: string;
  median: number;
  min: number;
  max: number;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<BenchRow[]> {
  const runsFlag = argv.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(argv[runsFlag + 1]) : 10;
  const file = benchProfile();
  const env = { ...goEnv(), TZ: 'UTC', NO_COLOR: '1', PPROF_BINARY_PATH: join(dirname(file), 'no-binaries') };
  const go = goBinary();
  const pprofBin = join(spawnSync(go, ['env', 'GOTOOLDIR'], { encoding: 'utf8', env }).stdout.trim(), 'pprof');

  const ours = timeRun(process.execPath, [cli, 'profile', file, '--top'], env);
  const core = timeRun(process.execPath, coreArgs(file), env);
  const theirs = goToolPprof(['-top', file]);
  const same = ours.stdout === theirs.stdout && core.stdout === theirs.stdout;

  const samples: Record<string, number[]> = { ours: [], core: [], go: [], pprof: [] };
  for (let i = 0; i < runs; i++) {
    samples.ours!.push(timeRun(process.execPath, [cli, 'profile', file, '--top'], env).ms);
    samples.core!.push(timeRun(process.execPath, coreArgs(file), env).ms);
    samples.go!.push(timeRun(go, ['tool', 'pprof', '-top', file], env).ms);
    if (existsSync(pprofBin)) samples.pprof!.push(timeRun(pprofBin, ['-top', file], env).ms);
  }
  const rows: BenchRow[] = [
    { name: 'coroot-usage profile --top', ...stats(samples.ours!) },
    { name: 'go tool pprof -top', ...stats(samples.go!) },
  ];
  if (samples.pprof!.length > 0) rows.push({ name: '  (pprof binary alone)', ...stats(samples.pprof!) });
  rows.push({ name: '  (src/profile only, no CLI)', ...stats(samples.core!) });

  const size = statSync(file).size;
  const lines = ours.stdout.split('\n').length - 1;
  console.log(`profile --top vs go tool pprof -top: ${(size / 1024).toFixed(0)} KiB gzipped CPU profile, ${lines} report lines, ${runs} runs each, whole processes`);
  console.log(`output identical: ${same ? 'yes' : 'NO'}`);
  console.log(`${'command'.padEnd(30)} ${'median ms'.padStart(10)} ${'min'.padStart(8)} ${'max'.padStart(8)}`);
  for (const r of rows) console.log(`${r.name.padEnd(30)} ${r.median.toFixed(0).padStart(10)} ${r.min.toFixed(0).padStart(8)} ${r.max.toFixed(0).padStart(8)}`);
  const ratio = rows[1]!.median / rows[0]!.median;
  console.log(`coroot-usage is ${ratio >= 1 ? `${ratio.toFixed(2)}x faster` : `${(1 / ratio).toFixed(2)}x slower`} than go tool pprof (median)`);
  if (!same) process.exitCode = 1;
  return rows;
}

/** Node arguments that print the report with nothing but src/profile loaded. */
function coreArgs(file: string): string[] {
  const dist = join(root, 'dist', 'src', 'profile');
  const url = (m: string) => JSON.stringify(pathToFileURL(join(dist, m)).href);
  const script = [
    "import { readFileSync } from 'node:fs';",
    `import { decodeProfile } from ${url('decode.js')};`,
    `import { renderTop, topReport } from ${url('top.js')};`,
    `process.stdout.write(renderTop(topReport(decodeProfile(readFileSync(${JSON.stringify(file)}), 'file').profile)));`,
  ].join('\n');
  return ['--input-type=module', '-e', script];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
