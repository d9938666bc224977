/**
 * `show --format raw` on the demo data-dir and on a large generated one (200 projects, 50,000 check-config
 * rows, 100,000 incident notifications), each as a whole process, beside the bare start of `node -e 0` in
 * the same run. Targets: demo under 3x the bare start; large under 1 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLargeDataDir } from '../fixtures/build-large.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'coroot-usage');
const RUNS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeProcess(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  }
  return median(times);
}

export function main(): void {
  const large = mkdtempSync(join(tmpdir(), 'coroot-usage-bench-'));
  try {
    buildLargeDataDir(large, { projects: 200, checkConfigRows: 50000, incidentNotifications: 100000, seed: 'bench' });
    const at = ['--at', '2026-11-20T12:00:00Z'];
    const bare = timeProcess(['-e', '0']);
    const demoDir = join(root, 'fixtures', 'demo');
    const demo = timeProcess([bin, 'show', '--data-dir', demoDir, '--format', 'raw', ...at]);
    // the database alone, as the target was set: no world from the demo's metrics cache, no self-profile
    const demoDb = timeProcess([bin, 'show', '--data-dir', demoDir, '--format', 'raw', '--source', 'none', '--no-profile', ...at]);
    const big = timeProcess([bin, 'show', '--data-dir', large, '--format', 'raw', ...at]);
    console.log(`show --format raw, median of ${RUNS} whole-process runs`);
    console.log(`  node -e 0 (bare start)                      ${bare.toFixed(1)} ms`);
    console.log(`  demo, database only (--source none)         ${demoDb.toFixed(1)} ms  (${(demoDb / bare).toFixed(2)}x bare; target < 3x)`);
    console.log(`  demo, with its cache world and profiles     ${demo.toFixed(1)} ms  (${(demo / bare).toFixed(2)}x bare)`);
    console.log(`  200 projects / 50k / 100k rows              ${big.toFixed(1)} ms  (target < 1000 ms)`);
  } finally {
    rmSync(large, { recursive: true, force: true });
  }
}

main();
