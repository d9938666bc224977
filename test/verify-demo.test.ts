/**
 * verify against the bundled demo data-dir: every planted secret and identifying string, put into a
 * payload, is found; the demo's real payload has only the known Coroot behaviour; nothing is repeated.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { DEMO_DEPLOYMENT_UUID, DEMO_DIR, DEMO_IDENTIFYING, DEMO_NOW_ISO, DEMO_SECRET_LOCATIONS, DEMO_SECRETS } from '../fixtures/build-demo.js';
import { runCli } from './helpers/cli-run.js';

let tmp: string;
let demo: string;
let sources: string[];

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'coroot-usage-verify-demo-'));
  demo = join(tmp, 'demo');
  // a copy: verify must not touch the bundled fixture, and SQLite may create -shm files next to it
  cpSync(DEMO_DIR, demo, { recursive: true });
  sources = ['--data-dir', demo, '--config', join(demo, 'coroot.yaml'), '--at', DEMO_NOW_ISO];
});
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Finding { rule: string; path: string; note?: string; severity: string }

it('the demo payload has only known-behaviour findings, which an allow file accepts', async () => {
  const run = await runCli(['verify', '--json', ...sources]);
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout.toString()) as { findings: Finding[] };
  assert.ok(report.findings.length > 0);
  for (const f of report.findings) assert.ok(f.note, `unexpected finding ${f.rule} at ${f.path}`);
  const allow = join(tmp, 'allow.yaml');
  writeFileSync(allow, "- path: 'ux.sent_notifications[*]'\n  reason: channel names are sent by Coroot v1.24.5; reviewed\n");
  const accepted = await runCli(['verify', ...sources, '--allow', allow]);
  assert.equal(accepted.code, 0, accepted.stdout.toString());
  for (const s of [...DEMO_SECRETS, ...DEMO_IDENTIFYING]) assert.ok(!run.stdout.toString().includes(s), `repeats ${s}`);
});

it('finds every planted secret and identifying string in a payload, without repeating any', async () => {
  const shown = await runCli(['show', ...sources, '--format', 'raw']);
  assert.equal(shown.code, 0, shown.stderr);
  const payload = JSON.parse(shown.stdout.toString()) as { infra: { kernel_versions: string[] | null }; ux: { sent_notifications: Record<string, number> } };
  const planted = [...DEMO_SECRETS, ...DEMO_IDENTIFYING];
  // kernel_versions: a plain string set (ux.users is exempt from the token rule: its ids are random by design)
  payload.infra.kernel_versions = planted.map((s) => `seen ${s} here`);
  payload.ux.sent_notifications = {};
  const file = join(tmp, 'planted.json');
  writeFileSync(file, JSON.stringify(payload));
  const run = await runCli(['verify', '--json', '--payload', file, ...sources]);
  assert.equal(run.code, 1);
  const report = JSON.parse(run.stdout.toString()) as { findings: Finding[] };
  const hitIndexes = new Set(report.findings.map((f) => /^infra\.kernel_versions\[(\d+)\]$/.exec(f.path)?.[1]).filter((i) => i !== undefined).map(Number));
  const missed = planted.filter((_, i) => !hitIndexes.has(i));
  assert.deepEqual(missed, [], 'planted values verify did not find');
  // values only the database holds (settings table, users) are recognised as this instance's, not just by shape
  for (const value of [DEMO_SECRET_LOCATIONS.authSecret.value, DEMO_SECRET_LOCATIONS.cloudApiKey.value, DEMO_DEPLOYMENT_UUID, 'alice@example.com']) {
    const index = planted.indexOf(value);
    const rules = report.findings.filter((f) => f.path === `infra.kernel_versions[${index}]`).map((f) => f.rule);
    assert.ok(rules.some((r) => r.startsWith('source:')), `${rules.join(', ')} for planted #${index}`);
  }
  const out = run.stdout.toString();
  for (const s of planted) assert.ok(!out.includes(s), `repeats ${s}`);
  assert.deepEqual(readFileSync(join(DEMO_DIR, 'instance.uuid')), readFileSync(join(demo, 'instance.uuid')));
});
