/**
 * `npm test`: starts the shared services once (PostgreSQL; Go and Prometheus are installed on first use),
 * runs every compiled *.test.js under node's test runner, and stops the services whatever happens.
 * Services are passed to the test files as environment variables (see test/helpers/env.ts).
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages, startPostgres, type PostgresServer } from './helpers/services.js';

const testDir = dirname(fileURLToPath(import.meta.url));

function findTests(dir: string, filter: string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path, filter));
    else if (entry.endsWith('.test.js') && (filter.length === 0 || filter.some((f) => path.includes(f)))) found.push(path);
  }
  return found.sort();
}

async function main(): Promise<number> {
  const filter = process.argv.slice(2);
  const files = findTests(testDir, filter);
  if (files.length === 0) {
    console.error(`no test files match ${filter.join(' ')}`);
    return 1;
  }
  // Installed up front so that parallel test files do not race on apt-get.
  ensureDebianPackages([
    { pkg: 'golang-go', provides: 'go' },
    { pkg: 'prometheus', provides: 'promtool' },
    // the LZ4 tests compare the cache reader with liblz4 itself (the lz4 tool, and liblz4 through a C harness)
    { pkg: 'lz4', provides: 'lz4' },
    { pkg: 'gcc', provides: 'gcc' },
  ]);
  let pg: PostgresServer | undefined;
  const stop = () => {
    pg?.stop();
    pg = undefined;
  };
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    pg = await startPostgres();
    const env = { ...process.env, COROOT_USAGE_TEST_PG_URL: pg.url, NO_COLOR: '1' };
    console.log(`running ${files.length} test files: ${files.map((f) => relative(testDir, f)).join(' ')}`);
    return await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit', env });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    stop();
  }
}

process.exitCode = await main();
