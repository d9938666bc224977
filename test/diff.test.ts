import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSqliteDataDir } from '../fixtures/datadir.js';
import { listChanges } from '../src/diff/changes.js';
import { maskVolatile } from '../src/diff/volatile.js';
import { runCli } from './helpers/cli-run.js';

type Json = Record<string, any>; // any: tests poke into payload trees freely

const AT = '1763640000';
let tmp: string;
let dataDir: string;
let basePath: string;
let base: Json;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'coroot-usage-diff-'));
  dataDir = join(tmp, 'data');
  buildSqliteDataDir(dataDir, { instanceUuid: '3f1c2a44-7d1e-4b8a-9c2f-5e6d7a8b9c0d', projects: [{ id: 'p1', name: 'prod' }] });
  basePath = join(tmp, 'base.json');
  const shown = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--no-profile', '--format', 'raw', '--out', basePath]);
  assert.equal(shown.code, 0, shown.stderr);
  base = JSON.parse(readFileSync(basePath, 'utf8')) as Json;
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function variant(name: string, edit: (p: Json) => void): string {
  const copy = structuredClone(base);
  edit(copy);
  const path = join(tmp, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(copy)}\n`);
  return path;
}

describe('diff', () => {
  it('exit 0 for the same payload, also against live', async () => {
    const same = await runCli(['diff', basePath, basePath]);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout.toString(), /no differences\n$/);
    const live = await runCli(['diff', basePath, 'live', '--data-dir', dataDir, '--at', AT, '--no-profile']);
    assert.equal(live.code, 0, live.stdout.toString() + live.stderr);
  });

  it('reports value, added, removed and type differences by path, exit 1', async () => {
    const other = variant('other', (p) => {
      p.instance.version = '1.24.4';
      p.ux.api_calls = { ...p.ux.api_calls, '/api/project/{project}/overview': 3 };
      delete p.integration.java_async_profiler;
      p.integration.kube_state_metrics = p.integration.kube_state_metrics === null ? true : null;
    });
    const text = await runCli(['diff', basePath, other]);
    assert.equal(text.code, 1);
    const out = text.stdout.toString();
    assert.match(out, /^--- .*base\.json\n\+\+\+ .*other\.json\n/);
    assert.match(out, /^- {4}version: "1\.24\.5"$/m);
    assert.match(out, /^\+ {4}version: "1\.24\.4"$/m);
    assert.match(out, /4 differences: 1 changed, 1 added, 1 removed, 1 type changes\n$/);
    const json = await runCli(['diff', basePath, other, '--json']);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout.toString()) as { same: boolean; changes: Array<{ path: string; kind: string }> };
    assert.equal(report.same, false);
    assert.deepEqual(report.changes.map((c) => `${c.kind} ${c.path}`).sort(), [
      'added ux.api_calls["/api/project/{project}/overview"]',
      'changed instance.version',
      'removed integration.java_async_profiler',
      'type integration.kube_state_metrics',
    ]);
  });

  it('--ignore-volatile ignores timings and profiles but not new keys', async () => {
    const timed = variant('timed', (p) => {
      p.ux.world_load_time_avg = 0.25;
      p.ux.audit_time_avg = 0.5;
      p.profile = { from: 1, to: 2, cpu: 'AAAA', memory: 'BBBB' };
    });
    assert.equal((await runCli(['diff', basePath, timed])).code, 1);
    const ignored = await runCli(['diff', basePath, timed, '--ignore-volatile']);
    assert.equal(ignored.code, 0, ignored.stdout.toString());
    assert.match(ignored.stdout.toString(), /no differences \(volatile values ignored\)/);
    const staged = variant('staged', (p) => {
      p.performance.constructor.stages = { ...p.performance.constructor.stages, load_nodes: 0.5 };
    });
    const withStage = await runCli(['diff', basePath, staged, '--ignore-volatile', '--json']);
    assert.equal(withStage.code, 1);
    assert.match(withStage.stdout.toString(), /"path": "performance\.constructor\.stages\.load_nodes"/);
  });

  it('two live builds differ only in their profiles, which --ignore-volatile ignores', async () => {
    const raw = await runCli(['diff', 'live', 'live', '--data-dir', dataDir, '--at', AT, '--json']);
    assert.equal(raw.code, 1);
    const paths = (JSON.parse(raw.stdout.toString()) as { changes: Array<{ path: string }> }).changes.map((c) => c.path);
    assert.ok(paths.length > 0 && paths.every((p) => p.startsWith('profile.')), paths.join(', '));
    const ignored = await runCli(['diff', 'live', 'live', '--data-dir', dataDir, '--at', AT, '--ignore-volatile']);
    assert.equal(ignored.code, 0, ignored.stdout.toString());
  });

  it('reads stdin, colours only on a terminal without NO_COLOR, refuses two stdins', async () => {
    const other = variant('colour', (p) => {
      p.instance.version = '9';
    });
    const fromStdin = await runCli(['diff', '-', other], {}, { stdin: readFileSync(basePath) });
    assert.equal(fromStdin.code, 1, fromStdin.stderr);
    assert.match(fromStdin.stdout.toString(), /^--- stdin/);
    assert.doesNotMatch(fromStdin.stdout.toString(), /\x1b\[/);
    const tty = await runCli(['diff', basePath, other], { NO_COLOR: '' }, { tty: true });
    assert.match(tty.stdout.toString(), /\x1b\[3[12]m/);
    const noColor = await runCli(['diff', basePath, other], { NO_COLOR: '1' }, { tty: true });
    assert.doesNotMatch(noColor.stdout.toString(), /\x1b\[/);
    const two = await runCli(['diff', '-', '-']);
    assert.equal(two.code, 2);
  });

  it('compares other payload shapes as plain JSON, with a warning; rejects non-JSON', async () => {
    const old = join(tmp, 'old.json');
    writeFileSync(old, '// v1.8 doc example\n{"instance": {"uuid": "x"}, "performance": {"cpu_usage": [1,2],},}\n');
    const run = await runCli(['diff', old, basePath, '--json']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /not a Coroot v1\.24\.5 payload/);
    const garbage = join(tmp, 'garbage.json');
    writeFileSync(garbage, 'not json');
    assert.equal((await runCli(['diff', garbage, basePath])).code, 3);
  });

  it('string sets compare as sets, order changes still count', () => {
    assert.deepEqual(listChanges({ s: ['a', 'b'] }, { s: ['b', 'c'] }).map((c) => c.kind).sort(), ['added', 'removed']);
    assert.deepEqual(listChanges({ s: ['a', 'b'] }, { s: ['b', 'a'] }).map((c) => c.kind), ['changed']);
    assert.deepEqual(maskVolatile({ performance: { constructor: { queries: { q: { query_time: 1, failed: false } } } } }),
      { performance: { constructor: { queries: { q: { query_time: '<volatile>', failed: false } } } } });
  });
});
