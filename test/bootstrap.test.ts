/**
 * Coroot's start-up bootstrap, applied in memory: the default project, BOOTSTRAP_* settings and config-file
 * projects change the first payload after a restart; --as-running shows the database as it is.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildSqliteDataDir, prometheusJson, rolesJson } from '../fixtures/datadir.js';
import { loadCorootConfig, parseGoBool } from '../src/sources/coroot-config.js';
import { cleanEnv, runCli } from './helpers/cli.js';

const AT = '2026-11-20T12:00:00Z';
const UUID = '4423595b-9d97-4e01-a19f-8e3d60c83b2a';
const work = mkdtempSync(join(tmpdir(), 'coroot-usage-bootstrap-'));
after(() => rmSync(work, { recursive: true, force: true }));
const admin = { email: 'admin', name: 'Admin', password: 'x', roles: rolesJson(['Admin']) };

async function payloadOf(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const result = await runCli(['show', '--at', AT, '--format', 'raw', ...argv], { env: cleanEnv(env) });
  assert.equal(result.code, 0, result.stderr);
  return { payload: JSON.parse(result.stdout.toString()), stderr: result.stderr };
}

test('an empty database gets the default project, with the BOOTSTRAP_* Prometheus and ClickHouse', async () => {
  const dir = join(work, 'empty');
  buildSqliteDataDir(dir, { instanceUuid: UUID, users: [admin] });
  const plain = await payloadOf(['--data-dir', dir]);
  assert.equal(plain.payload.infra.projects, 1);
  assert.equal(plain.payload.integration.prometheus_refresh_interval, 30);
  assert.equal(plain.payload.integration.prometheus, false);
  assert.match(plain.stderr, /creates the project "default"/);

  const boot = await payloadOf(['--data-dir', dir], { BOOTSTRAP_PROMETHEUS_URL: 'http://prom:9090', BOOTSTRAP_REFRESH_INTERVAL: '15s', BOOTSTRAP_CLICKHOUSE_ADDRESS: 'ch:9000' });
  assert.equal(boot.payload.integration.prometheus, true);
  assert.equal(boot.payload.integration.prometheus_refresh_interval, 15);
  assert.equal(boot.payload.integration.clickhouse, true);

  // a global Prometheus disables the bootstrap one, and never sets integration.prometheus itself
  const global = await payloadOf(['--data-dir', dir], { BOOTSTRAP_PROMETHEUS_URL: 'http://prom:9090', GLOBAL_PROMETHEUS_URL: 'http://g:9090' });
  assert.equal(global.payload.integration.prometheus, false);

  const running = await payloadOf(['--data-dir', dir, '--as-running'], { BOOTSTRAP_PROMETHEUS_URL: 'http://prom:9090' });
  assert.equal(running.payload.infra.projects, 0);
  assert.equal(running.stderr, '');
});

test('config-file projects: created, multicluster, remote Coroot, notifications, categories, overrides', async () => {
  const dir = join(work, 'configured');
  buildSqliteDataDir(dir, {
    instanceUuid: UUID,
    users: [admin],
    projects: [
      { id: 'p-prod', name: 'production', prometheus: prometheusJson({ url: 'http://prom:9090', refreshMs: 30000 }), settings: '{"application_category_settings":{"old":null},"integrations":{"aws":null}}' },
      { id: 'p-stg', name: 'staging', settings: '{"integrations":{"aws":null,"slack":{"token":"t"}}}' },
    ],
  });
  const config = join(work, 'coroot.yaml');
  writeFileSync(config, `
data_dir: ${dir}
projects:
  - name: production
    apiKeys: [{key: prod-key-123, description: ci}]
    notificationIntegrations:
      baseURL: https://coroot.example.com
      webhook: {url: "https://hooks.example.com/\${HOOK_ID}"}
    applicationCategories:
      - {name: shop, customPatterns: ["shop/*"]}
      - {name: infra, customPatterns: ["infra/*"]}
    inspectionOverrides:
      sloAvailability: [{applicationId: "shop:Deployment:cart", objectivePercent: 99.9}]
      sloLatency: [{applicationId: "shop:Deployment:cart", objectivePercent: 99, objectiveThreshold: 100ms}]
  - name: edge
    remoteCoroot: {url: "https://edge.example.com", apiKey: edge-api-key, metricResolution: 1m}
  - name: everything
    memberProjects: [production, staging, edge]
`);
  const { payload, stderr } = await payloadOf(['--config', config], { HOOK_ID: 'abc' });
  // 2 stored + edge + everything
  assert.equal(payload.infra.projects, 4);
  // edge's remote Coroot: its Prometheus URL (60 s) and ClickHouse count; the minimum refresh stays 30
  assert.equal(payload.integration.prometheus, true);
  assert.equal(payload.integration.prometheus_refresh_interval, 30);
  assert.equal(payload.integration.clickhouse, true);
  // production's notification block replaces its integrations: webhook; staging keeps slack
  assert.deepEqual(payload.integration.alerting_integrations, ['slack', 'webhook']);
  // production's categories are replaced by the config's: shop, infra ("old" is gone)
  assert.equal(payload.integration.application_categories, 2);
  assert.deepEqual(payload.integration.inspection_overrides, {
    SLOAvailability: { project_level: 0, application_level: 1 },
    SLOLatency: { project_level: 0, application_level: 1 },
  });
  assert.match(stderr, /creates the config-file project "edge"/);
  assert.doesNotMatch(stderr, /edge-api-key|prod-key-123/);
});

test('config files Coroot refuses to start with are errors (exit 3)', async () => {
  for (const [yaml, message] of [
    ['projects:\n  - apiKeys: [{key: k}]\n', /name is required/],
    ['projects:\n  - name: lonely\n', /no api keys defined/],
    ['disable_usage_statistics: maybe\n', /disable_usage_statistics: cannot unmarshal "maybe" into a boolean/],
    ['global_clickhouse: {user: u}\n', /global_clickhouse needs an address/],
  ] as const) {
    const file = join(work, 'bad.yaml');
    writeFileSync(file, yaml);
    const result = await runCli(['show', '--config', file, '--data-dir', work]);
    assert.equal(result.code, 3, `${yaml}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});

test("the opt-out follows Coroot's rules: flag over variable, empty variable ignored, YAML OR flags", () => {
  const file = join(work, 'optout.yaml');
  writeFileSync(file, 'disable_usage_statistics: yes\n');
  assert.equal(loadCorootConfig({ config: file }, {}).disableUsageStatistics.source, 'config');
  assert.equal(loadCorootConfig({ config: file, disableUsageStatistics: false }, {}).disableUsageStatistics.value, true);
  assert.equal(loadCorootConfig({}, { DISABLE_USAGE_STATISTICS: '' }).disableUsageStatistics.value, false);
  assert.equal(loadCorootConfig({}, { DISABLE_USAGE_STATISTICS: 'T' }).disableUsageStatistics.origin, 'DISABLE_USAGE_STATISTICS');
  assert.equal(loadCorootConfig({ disableUsageStatistics: false }, { DISABLE_USAGE_STATISTICS: 'true' }).disableUsageStatistics.value, false);
  assert.throws(() => loadCorootConfig({}, { DISABLE_USAGE_STATISTICS: 'yes' }), /not a boolean/);
  assert.deepEqual(['1', 't', 'True', '0', 'FALSE', 'yes', ''].map(parseGoBool), [true, true, true, false, false, undefined, undefined]);
});
