/**
 * `show` on a damaged or stale Coroot cache: everything the cache cannot answer is a warning on stderr
 * and a project whose world is not loaded, as Coroot logs it and moves on; the command still prints the
 * payload (exit 0) and never writes to the data-dir.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEMO_DIR, DEMO_NOW, DEMO_NOW_ISO, DEMO_PROJECTS } from '../fixtures/build-demo.js';
import { runCli } from './helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'coroot-usage-showcache-'));
after(() => rmSync(work, { recursive: true, force: true }));

function demoCopy(name: string): { dir: string; chunks: string[] } {
  const dir = join(work, name);
  cpSync(DEMO_DIR, dir, { recursive: true });
  const prod = join(dir, 'cache', DEMO_PROJECTS.production.id);
  return { dir, chunks: readdirSync(prod).sort().map((f) => join(prod, f)) };
}

const show = (dir: string, ...extra: string[]) => runCli(['show', '--data-dir', dir, '--format', 'raw', '--no-profile', ...(extra.includes('--at') ? [] : ['--at', DEMO_NOW_ISO]), ...extra]);

test('a truncated chunk header is skipped with a warning; a corrupt chunk fails its query and the world', async () => {
  const { dir, chunks } = demoCopy('damaged');
  truncateSync(chunks[0]!, 10);
  // the newest chunk of a query, inside the window: header kept, the rest (hashes, block sizes, data) garbage
  const corrupt = chunks[chunks.length - 1]!;
  const bytes = readFileSync(corrupt);
  bytes.fill(0xff, 26);
  writeFileSync(corrupt, bytes);
  const result = await show(dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /project "production": 1 chunk files skipped as Coroot's index skips them/);
  assert.match(result.stderr, /project "production": the world did not load/);
  const p = JSON.parse(result.stdout.toString());
  // production's world failed: query statistics only, no nodes; staging's empty world still counts
  assert.equal(p.infra.nodes, 0);
  assert.ok(Object.values(p.performance.constructor.queries as Record<string, { failed: boolean }>).some((q) => q.failed));
  // the views mark every field the failed world would have added to, and the failed queries
  const view = async (format: string) => (await runCli(['show', '--data-dir', dir, '--at', DEMO_NOW_ISO, '--no-profile', '--format', format])).stdout.toString();
  const annotated = await view('annotated');
  const failedNote = /without the world of "production" \(1 query failed\): LoadWorld fails on any failed query/;
  for (const field of ['"nodes"', '"stack"', '"queries"']) {
    assert.match(annotated.split('\n').find((l) => l.trimStart().startsWith(`${field}:`))!, failedNote, field);
  }
  const table = await view('table');
  const row = table.split('\n').find((l) => l.startsWith('│ production '))!.split('│').map((c) => c.trim());
  assert.match(row[2]!, /^cache, not loaded \(LoadWorld failed: 1 of the/);
  assert.deepEqual(row.slice(3, 6), ['0', '0', '1']);
  assert.match(table.replace(/\s*│\s*/g, ' ').replace(/\s+/g, ' '), failedNote);
});

test('a cache that ended more than an hour ago is skipped, as stats.go skips it', async () => {
  const result = await show(DEMO_DIR, '--at', String(DEMO_NOW + 2 * 3600));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /project "production": the cache ends at \d+, more than 3600s before/);
  const annotated = await runCli(['show', '--data-dir', DEMO_DIR, '--at', String(DEMO_NOW + 2 * 3600), '--format', 'annotated', '--no-profile']);
  assert.match(annotated.stdout.toString(), /production: cache, not loaded \(the cache ends at/);
});

test('--source cache without a cache state DB loads no world and says why', async () => {
  const { dir } = demoCopy('nostate');
  rmSync(join(dir, 'cache', 'db.sqlite'));
  const result = await show(dir, '--source', 'cache');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /no Coroot cache state at .*; no project's world is loaded from the cache/);
  assert.equal(JSON.parse(result.stdout.toString()).infra.nodes, 0);
});
