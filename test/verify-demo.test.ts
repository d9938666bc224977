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

it('a busy real-looking payload (stage, query, route, MCP and page keys, versions, device ids) is clean', async () => {
  const shown = await runCli(['show', ...sources, '--no-profile', '--format', 'raw']);
  const payload = JSON.parse(shown.stdout.toString()) as Record<string, any>; // any: a payload tree edited freely
  const queries = ['node_agent_info', 'up', 'ip_to_fqdn', 'node_net_ip', 'kube_endpoint_address', 'pg_wal_current_lsn', 'rr_connection_tcp_bytes_sent',
    'rr_application_l7_inbound_histogram_raw', 'application_custom_sli_raw', 'container_nodejs_event_loop_blocked_time_seconds',
    'argocd_application_operation_finished_timestamp_seconds', 'fluxcd_kustomization_inventory_entry_info', 'aws_rds_net_rx_bytes_per_second',
    'pg_backup_first_recoverability_point_timestamp_seconds', 'node_gpu_memory_utilization_percent_p95', 'rr_connection_external_endpoints'];
  payload.performance.constructor = {
    stages: Object.fromEntries(['get_check_configs', 'load_fqdn', 'join_db_cluster_components', 'load_k8s_metadata', 'calc_app_events'].map((k) => [k, 0.012])),
    queries: Object.fromEntries(queries.map((q) => [q, { metrics_count: 12, query_time: 0.25, failed: false }])),
  };
  payload.performance.auditor = { stages: Object.fromEntries(['slo', 'instances', 'postgres', 'nodejs', 'deployments'].map((k) => [k, 0.001])) };
  payload.ux.api_calls = Object.fromEntries(['/api/project/{project}/prom/api/v1/{rest:.+}', '/api/v1/label/{labelName}/values', '/api/project/{project}/overview/applications',
    '/api/project/{project}/app/{app}/inspection/{type}/config', '/api/clickhouse-connect', '/api/project/'].map((k, i) => [k, i + 1]));
  payload.ux.mcp_calls = { get_incident_details: 2, traces_outliers: 1, query_metrics: 4 };
  payload.ux.page_views = { '/p/:projectId///': 3, '/p/:projectId/applications/:id/SLO': 2, '/p/:projectId/settings/prometheus': 1, '/p/:projectId/traces/a:b:c': 1 };
  payload.ux.users_by_screen_size = { lg: 1, xs: 2 };
  payload.ux.users_by_theme = { '': 1, dark: 2 };
  payload.ux.users = ['0b6f7c1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f', 'f4e3d2c1-b0a9-4876-8543-210fedcba987'];
  payload.infra.kernel_versions = ['5.15.0-1051-azure', '6.8.0-1024-aws', '4.18.0-477.27.1.el8_8.x86_64', '6.1.0-18-cloud-amd64'];
  payload.integration.node_agent_versions = ['1.20.3', '1.21.0-rc.1'];
  payload.instance.installation_type = 'k8s-operator';
  payload.ux.sent_notifications = {}; // the known channel findings are covered above
  const file = join(tmp, 'busy.json');
  writeFileSync(file, JSON.stringify(payload));
  const run = await runCli(['verify', '--payload', file, ...sources, '--json']);
  const report = JSON.parse(run.stdout.toString()) as { findings: Finding[] };
  assert.deepEqual(report.findings.map((f) => `${f.rule} ${f.path}`), []);
  assert.equal(run.code, 0);
});
