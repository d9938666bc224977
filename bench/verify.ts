/**
 * `verify` on a 50 MB payload against a data-dir holding 100,000 identifying values (50,000 users: e-mail
 * and name each), as a whole process, beside reading and parsing the same payload file in the same run.
 * Target: under 2 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSqliteDataDir, rolesJson } from '../fixtures/datadir.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'coroot-usage');
const RUNS = 3;
const USERS = 50_000;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function timeProcess(args: string[], okCodes: number[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 30 });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (!okCodes.includes(result.status ?? -1)) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return median(times);
}

export function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'coroot-usage-bench-verify-'));
  try {
    const dataDir = join(dir, 'dd');
    buildSqliteDataDir(dataDir, {
      instanceUuid: '4423595b-9d97-4e01-a19f-8e3d60c83b2a',
      users: Array.from({ length: USERS }, (_, i) => ({ email: `user${i}@corp-${i % 97}.example`, name: `Person Number ${i}`, password: 'x', roles: rolesJson(['Viewer']) })),
    });
    const payload = JSON.parse(readFileSync(join(root, 'test', 'golden', 'no-projects-B.json'), 'utf8'));
    let size = 0;
    const pageViews: Record<string, number> = {};
    for (let i = 0; size < 48 * 1024 * 1024; i++) {
      const key = `/p/:projectId/applications/:id/view-${i.toString(36)}/Instances/SLO`;
      pageViews[key] = i;
      size += key.length + 12;
    }
    // two planted values the scan must find
    pageViews['/p/user4242@corp-71.example/x'] = 1;
    pageViews['/p/Person Number 31337/x'] = 1;
    payload.ux.page_views = pageViews;
    const file = join(dir, 'big.json');
    writeFileSync(file, `${JSON.stringify(payload)}\n`);
    const mb = readFileSync(file).length / 1024 / 1024;

    const floor = timeProcess(['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`], [0]);
    const verify = timeProcess([bin, 'verify', '--payload', file, '--data-dir', dataDir, '--format', 'json'], [1]);
    console.log(`verify, median of ${RUNS} whole-process runs, ${mb.toFixed(1)} MB payload, ${USERS * 2} identifying values`);
    console.log(`  read + JSON.parse the file (floor)  ${floor.toFixed(0)} ms`);
    console.log(`  coroot-usage verify                 ${verify.toFixed(0)} ms  (target < 2000 ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
