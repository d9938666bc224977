/**
 * The bundled demo data-dir: the README's main command, checked against the expectations the fixture's
 * author derived from Coroot's rules (fixtures/build-demo.ts), against golden bytes, and against the same
 * rows in a real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEMO_DIR, DEMO_EXPECTED_DB_STATS, DEMO_INSTANCE_UUID, DEMO_NOW_ISO, DEMO_SECRETS, demoSpec } from '../fixtures/build-demo.js';
import { loadPostgres, postgresDatabaseUrl } from '../fixtures/datadir.js';
import { cleanEnv, REPO_ROOT, runBin, runCli } from './helpers/cli.js';
import { testPostgresUrl } from './helpers/env.js';

const work = mkdtempSync(join(tmpdir(), 'coroot-usage-demo-'));
after(() => rmSync(work, { recursive: true, force: true }));
const golden = readFileSync(join(REPO_ROOT, 'test', 'golden', 'demo.json'));

function field(payload: Record<string, any>, path: string): unknown { // any: walking a parsed payload by dotted path
  return path.split('.').reduce((v: any, k) => v?.[k], payload);
}

test('the README main command prints the demo payload, every DB-derived field as the fixture derives it', () => {
  const result = runBin(['show', '--data-dir', DEMO_DIR, '--at', DEMO_NOW_ISO, '--format', 'raw', '--no-profile']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), golden.toString());
  const payload = JSON.parse(result.stdout.toString());
  assert.equal(payload.instance.uuid, DEMO_INSTANCE_UUID);
  for (const [path, expected] of Object.entries(DEMO_EXPECTED_DB_STATS)) assert.deepEqual(field(payload, path), expected, path);
});

test('the annotated view of the demo leaks none of its secrets', async () => {
  for (const format of ['annotated', 'table', 'json', 'raw']) {
    const result = await runCli(['show', '--data-dir', DEMO_DIR, '--at', DEMO_NOW_ISO, '--format', format]);
    const text = result.stdout.toString() + result.stderr;
    for (const secret of DEMO_SECRETS) assert.ok(!text.includes(secret), `${format} shows a secret`);
  }
});

test('the same rows in PostgreSQL give the same bytes with database_type "postgres"', async () => {
  const url = testPostgresUrl();
  await loadPostgres(url, 'coroot_demo', demoSpec());
  const dir = join(work, 'dd');
  rmSync(dir, { recursive: true, force: true });
  (await import('node:fs')).mkdirSync(dir);
  writeFileSync(join(dir, 'instance.uuid'), readFileSync(join(DEMO_DIR, 'instance.uuid')));
  const result = await runCli(['show', '--data-dir', dir, '--at', DEMO_NOW_ISO, '--format', 'raw', '--no-profile'],
    { env: cleanEnv({ PG_CONNECTION_STRING: postgresDatabaseUrl(url, 'coroot_demo') }) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), golden.toString().replace('"database_type":"sqlite"', '"database_type":"postgres"'));
  assert.doesNotMatch(result.stderr, /pg-test-S3cret/);
});

test("by default the payload carries this process's own CPU and heap profiles, readable pprof", async () => {
  const before = Math.floor(Date.now() / 1000);
  const result = await runCli(['show', '--data-dir', DEMO_DIR, '--at', DEMO_NOW_ISO, '--format', 'raw']);
  assert.equal(result.code, 0, result.stderr);
  const { profile } = JSON.parse(result.stdout.toString());
  assert.ok(profile.from >= before && profile.to >= profile.from && profile.to <= Math.floor(Date.now() / 1000) + 1);
  for (const blob of [profile.cpu, profile.memory]) assert.match(blob, /^H4sI[A-Za-z0-9+/]+=*$/);
  const decoded = await runCli(['profile', '-', '--json'], { stdin: result.stdout });
  assert.equal(decoded.code, 0, decoded.stderr);
  // everything but the profile section is the golden payload
  const rest = result.stdout.toString().replace(/"profile":\{.*\}\}\n$/, '"profile":{"from":0,"to":0,"cpu":"","memory":""}}\n');
  assert.equal(rest, golden.toString());
});
