import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSqliteDataDir } from '../fixtures/datadir.js';
import { runCli } from './helpers/cli-run.js';

interface Report {
  usage_statistics: { enabled: boolean; decided_by: { source: string; origin: string }; inputs: Record<string, unknown> };
  send: { url: string; route: string; payload: { bytes?: number; unavailable?: string } };
  other_outbound_calls: Array<{ id: string; url: string; active: boolean | null; state: string }>;
}

const AT = '1763640000';
let tmp: string;
let dataDir: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'coroot-usage-status-'));
  dataDir = join(tmp, 'data');
  buildSqliteDataDir(dataDir, { instanceUuid: '3f1c2a44-7d1e-4b8a-9c2f-5e6d7a8b9c0d', projects: [{ id: 'p1', name: 'prod' }] });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

async function status(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Report> {
  const run = await runCli(['status', '--json', ...args], env);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout.toString()) as Report;
}

describe('status', () => {
  it('enabled by default, with the URL and the size of the payload `show` builds', async () => {
    const report = await status(['--data-dir', dataDir, '--at', AT, '--no-profile']);
    const shown = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--no-profile', '--format', 'raw']);
    assert.equal(report.usage_statistics.enabled, true);
    assert.equal(report.usage_statistics.decided_by.source, 'default');
    assert.equal(report.send.url, 'https://coroot.com/ce/usage-statistics');
    assert.equal(report.send.payload.bytes, shown.stdout.length);
    assert.match(report.send.route, /^direct/);
  });

  it('names the setting that disabled it, for each form', async () => {
    const config = join(tmp, 'off.yaml');
    writeFileSync(config, 'disable_usage_statistics: yes\n');
    const cases: Array<[string[], NodeJS.ProcessEnv, string, string]> = [
      [['--disable-usage-statistics'], {}, 'flag', '--disable-usage-statistics'],
      [[], { DISABLE_USAGE_STATISTICS: 'T' }, 'env', 'DISABLE_USAGE_STATISTICS'],
      [['--config', config], {}, 'config', `${config}: disable_usage_statistics`],
      [['--config', config, '--no-disable-usage-statistics'], {}, 'config', `${config}: disable_usage_statistics`],
    ];
    for (const [args, env, source, origin] of cases) {
      const report = await status(['--data-dir', dataDir, ...args], env);
      assert.equal(report.usage_statistics.enabled, false, args.join(' '));
      assert.deepEqual(report.usage_statistics.decided_by, { source, origin });
    }
    const notOff = await status(['--data-dir', dataDir, '--no-disable-usage-statistics'], { DISABLE_USAGE_STATISTICS: 'true' });
    assert.equal(notOff.usage_statistics.enabled, true, 'the flag wins over the variable');
    const bad = await runCli(['status'], { DISABLE_USAGE_STATISTICS: 'nope' });
    assert.equal(bad.code, 2);
  });

  it('does not fail without a readable data-dir', async () => {
    const report = await status(['--data-dir', join(tmp, 'missing')]);
    assert.match(report.send.payload.unavailable ?? '', /does not exist/);
    const corrupt = join(tmp, 'corrupt');
    buildSqliteDataDir(corrupt, {}, { mainDb: false });
    writeFileSync(join(corrupt, 'db.sqlite'), 'not a database');
    const report2 = await status(['--data-dir', corrupt]);
    assert.ok(report2.send.payload.unavailable, JSON.stringify(report2.send.payload));
  });

  it('lists the calls the opt-out does not cover, with their local state', async () => {
    const report = await status(['--data-dir', dataDir, '--disable-usage-statistics']);
    const byId = new Map(report.other_outbound_calls.map((c) => [c.id, c]));
    assert.equal(byId.get('version-check')!.url, 'https://cloud.coroot.com/ce/version');
    assert.equal(byId.get('version-check')!.active, true);
    assert.equal(byId.get('coroot-cloud')!.url, 'https://cloud.coroot.com/api/*');
    assert.equal(byId.get('coroot-cloud')!.active, false, 'a SQLite settings table without a Coroot Cloud key');
    const connected = join(tmp, 'cloud-data');
    buildSqliteDataDir(connected, { projects: [{ id: 'p1', name: 'prod' }], settings: [{ name: 'cloud_integration_settings', value: { api_key: 'cloudKey123456', rca: { disable_incidents_auto_investigation: false } } }] });
    const viaDb = await status(['--data-dir', connected]);
    const cloudCall = viaDb.other_outbound_calls.find((c) => c.id === 'coroot-cloud')!;
    assert.equal(cloudCall.active, true);
    assert.doesNotMatch(JSON.stringify(viaDb), /cloudKey123456/);
    const unknown = await status(['--data-dir', join(tmp, 'missing')]);
    assert.equal(unknown.other_outbound_calls.find((c) => c.id === 'coroot-cloud')!.active, null);
    assert.equal(byId.get('cloud-pricing')!.url, 'https://coroot.github.io/cloud-pricing/data/cloud-pricing.json.gz');

    const config = join(tmp, 'cloud.yaml');
    writeFileSync(config, 'do_not_check_for_updates: true\ncorootCloud:\n  apiKey: abcdefabcdef\n');
    const configured = await status(['--data-dir', dataDir, '--config', config]);
    const c2 = new Map(configured.other_outbound_calls.map((c) => [c.id, c]));
    assert.equal(c2.get('version-check')!.active, false);
    assert.equal(c2.get('coroot-cloud')!.active, true);
    assert.doesNotMatch(JSON.stringify(configured), /abcdefabcdef/);

    const byEnv = await status(['--data-dir', dataDir], { DO_NOT_CHECK_FOR_UPDATES: '1' });
    assert.equal(byEnv.other_outbound_calls.find((c) => c.id === 'version-check')!.active, false);
    const byFlag = await status(['--data-dir', dataDir, '--do-not-check-for-updates']);
    assert.match(byFlag.other_outbound_calls.find((c) => c.id === 'version-check')!.state, /--do-not-check-for-updates/);
  });

  it('shows the proxy route without its credentials, and a readable text view', async () => {
    const report = await status(['--data-dir', dataDir], { HTTPS_PROXY: 'http://u:Secr3tpw@proxy.corp:3128' });
    assert.match(report.send.route, /through proxy http:\/\/\*\*\*@proxy\.corp:3128/);
    assert.doesNotMatch(JSON.stringify(report), /Secr3tpw/);
    const text = await runCli(['status', '--data-dir', dataDir, '--disable-usage-statistics']);
    assert.equal(text.code, 0);
    const out = text.stdout.toString();
    assert.match(out, /^Usage statistics: DISABLED\n/);
    assert.match(out, /decided by: --disable-usage-statistics \(flag\)/);
    assert.match(out, /Other outbound calls the opt-out does not cover/);
    assert.doesNotMatch(out, /\x1b\[/, 'no colours when not a TTY');
  });
});
