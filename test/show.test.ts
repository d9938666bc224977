/**
 * `show` end to end on real SQLite files with Coroot's schema and on a real PostgreSQL with the same rows:
 * golden wire bytes, Coroot's quirks, every bad input, and a data-dir that stays byte-identical.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  buildSqliteDataDir, checkConfigsJson, loadPostgres, postgresDatabaseUrl, projectSettingsJson, prometheusJson, rolesJson,
  simpleCheck, type DataDirSpec,
} from '../fixtures/datadir.js';
import { cleanEnv, REPO_ROOT, runBin, runCli } from './helpers/cli.js';
import { testPostgresUrl } from './helpers/env.js';

const AT = '2026-11-20T12:00:00Z';
const NOW = 1795176000;
const UUID = '4423595b-9d97-4e01-a19f-8e3d60c83b2a';
const work = mkdtempSync(join(tmpdir(), 'coroot-usage-show-'));
after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
function dataDir(spec: DataDirSpec, schema?: 'current' | 'older'): string {
  const dir = join(work, `dd${counter++}`);
  mkdirSync(dir);
  buildSqliteDataDir(dir, spec, schema ? { schema } : {});
  return dir;
}

const golden = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'golden', `${name}.json`));
const admin = { email: 'admin', name: 'Admin', password: '$2a$10$x', roles: rolesJson(['Admin']) };

async function showRaw(dir: string, ...extra: string[]) {
  return runCli(['show', '--data-dir', dir, '--at', AT, '--format', 'raw', '--no-profile', ...extra]);
}

describe('golden payloads (payload.md section 12, built by Go)', () => {
  test('B: no projects (a running Coroot whose last project was deleted)', async () => {
    const result = await showRaw(dataDir({ instanceUuid: UUID, users: [admin] }), '--as-running');
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.toString(), golden('no-projects-B').toString());
  });

  test('C: one project with its own Prometheus (30 s), three categories, no fresh metrics', async () => {
    const dir = dataDir({
      instanceUuid: `${UUID}\n`,
      users: [admin],
      projects: [{
        id: 'p1', name: 'default',
        prometheus: prometheusJson({ url: 'http://prometheus:9090', refreshMs: 30000 }),
        settings: '{"application_category_settings":{"application":null,"monitoring":null,"shop":{"custom_patterns":["shop/*"]}},"integrations":{"aws":null}}',
      }],
      cacheState: [{ project_id: 'p1', query: 'rr_connection_tcp_active', last_ts: NOW - 7200, last_error: '' }],
    });
    const result = await showRaw(dir);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), golden('stale-C').toString());
  });

  test('A: a project row Coroot cannot decode, as a running Coroot sends it', async () => {
    const dir = dataDir({ instanceUuid: UUID, users: [admin], projects: [{ id: 'p1', name: 'broken', settings: '{"readonly":"yes"}' }] });
    const strict = await showRaw(dir);
    assert.equal(strict.code, 3);
    assert.match(strict.stderr, /project "broken" \(p1\).*cannot unmarshal string into Go value of type bool.*would fail to start/);
    assert.equal(strict.stdout.length, 0);
    const running = await showRaw(dir, '--as-running');
    assert.equal(running.code, 0);
    assert.match(running.stderr, /cannot read its projects/);
    assert.equal(running.stdout.toString(), golden('early-return-A').toString());
  });
});

/**
 * A multicluster install. Derivation by Coroot's rules (stats/stats.go:364-539, database.md section 3):
 * - infra.projects = 3: every row, the multicluster one included;
 * - prometheus: true (prod has a URL); refresh interval = min(15000 ms → 15 s, staging NULL column → default 30) = 15;
 * - clickhouse and friends: prod's own integration has an addr;
 * - application_categories: prod {application, shop, (deprecated) legacy} ∪ staging {shop} = 3; the
 *   multicluster project's {ignored} does not count;
 * - alerting_integrations: prod slack + webhook, staging teams; pagerduty:null in staging is not configured;
 * - inspection_overrides: prod ":::" {CPUNode} → project level; "shop:Deployment:cart" and
 *   "p-prod:shop:Deployment:cart" are the same application, counted once ({CPUNode, SLOLatency}); staging
 *   "{}" adds nothing; a row with a 2-part id is skipped; the multicluster project's row is ignored;
 * - users_by_role: Admin 1, Editor 1 + Viewer 1 (one user with two roles) = {"Admin":1,"Editor":1,"Viewer":1};
 * - sent_notifications: timestamp >= now-3600 and sent_at > 0, every project: slack:ops 2 (one at exactly
 *   now-3600), teams 1; the unsent one, the old one and alert notifications do not count.
 */
const multicluster: DataDirSpec = {
  instanceUuid: UUID,
  users: [admin, { email: 'e@example.com', name: 'Ed', password: 'x', roles: rolesJson(['Editor', 'Viewer']) }],
  projects: [
    {
      id: 'p-prod', name: 'production',
      prometheus: prometheusJson({ url: 'http://prom.prod:9090', refreshMs: 15000 }),
      settings: '{"application_categories":{"legacy":["old/*"]},"application_category_settings":{"application":null,"shop":{"custom_patterns":["shop/*"]}},"integrations":{"clickhouse":{"addr":"ch:9000","auth":{"user":"u","password":"ch-pass"}},"aws":null,"slack":{"token":"xoxb-secret","default_channel":"ops"},"webhook":{"url":"https://hooks.example.com/x"}}}',
    },
    { id: 'p-stg', name: 'staging', settings: '{"application_category_settings":{"shop":null},"integrations":{"aws":null,"teams":{"webhook_url":"https://t"},"pagerduty":null}}' },
    { id: 'p-all', name: 'all', prometheus: prometheusJson({ url: 'http://x', refreshMs: 5000 }), settings: projectSettingsJson({ memberProjects: ['production', 'staging'], applicationCategorySettings: { ignored: null } }) },
  ],
  checkConfigs: [
    { project_id: 'p-prod', application_id: ':::', configs: checkConfigsJson({ CPUNode: simpleCheck(80) }) },
    { project_id: 'p-prod', application_id: 'shop:Deployment:cart', configs: checkConfigsJson({ CPUNode: simpleCheck(90), SLOLatency: [] }) },
    { project_id: 'p-prod', application_id: 'p-prod:shop:Deployment:cart', configs: checkConfigsJson({ CPUNode: simpleCheck(70), SLOLatency: [] }) },
    { project_id: 'p-prod', application_id: 'bad:id', configs: checkConfigsJson({ DnsLatency: simpleCheck(1) }) },
    { project_id: 'p-stg', application_id: ':::', configs: '{}' },
    { project_id: 'p-all', application_id: ':::', configs: checkConfigsJson({ NetworkRTT: simpleCheck(1) }) },
  ],
  incidentNotifications: [
    { project_id: 'p-prod', application_id: 'a', incident_key: 'k1', status: 4, destination: 'slack:ops', timestamp: NOW - 3600, sent_at: NOW - 3500 },
    { project_id: 'p-prod', application_id: 'a', incident_key: 'k2', status: 1, destination: 'slack:ops', timestamp: NOW - 10, sent_at: NOW - 5 },
    { project_id: 'p-stg', application_id: 'a', incident_key: 'k3', status: 4, destination: 'teams', timestamp: NOW - 100, sent_at: NOW - 99 },
    { project_id: 'p-stg', application_id: 'a', incident_key: 'k4', status: 4, destination: 'webhook', timestamp: NOW - 100 },
    { project_id: 'p-prod', application_id: 'a', incident_key: 'k5', status: 4, destination: 'pagerduty', timestamp: NOW - 3601, sent_at: NOW - 3000 },
  ],
  alertNotifications: [
    { project_id: 'p-prod', alert_id: 'al', rule_id: 'r', application_id: 'a', status: 4, destination: 'opsgenie', timestamp: NOW - 10, sent_at: NOW - 9 },
  ],
};

const multiclusterExpected = (dbType: string) => `{"instance":{"uuid":"${UUID}","version":"1.24.5","database_type":"${dbType}","edition":"Community"},"integration":{"prometheus":true,"prometheus_refresh_interval":15,"node_agent":false,"node_agent_versions":[],"kube_state_metrics":null,"inspection_overrides":{"CPUNode":{"project_level":1,"application_level":1},"SLOLatency":{"project_level":0,"application_level":1}},"application_categories":3,"alerting_integrations":["slack","teams","webhook"],"cloud_costs":false,"clickhouse":true,"tracing":true,"logs":true,"profiles":true,"java_async_profiler":false,"fluxcd":false,"argocd":false},"stack":{"clouds":[],"services":[],"instrumented_services":[]},"infra":{"projects":3,"nodes":0,"cpu_cores":0,"gpus":0,"applications":0,"applications_by_kind":{},"instances":0,"deployments":0,"deployment_summaries":{},"kernel_versions":[]},"ux":{"world_load_time_avg":0,"audit_time_avg":0,"users_by_screen_size":{},"users_by_theme":{},"users":[],"users_by_role":{"Admin":1,"Editor":1,"Viewer":1},"page_views":{},"api_calls":{},"mcp_calls":{},"sent_notifications":{"slack:ops":2,"teams":1}},"performance":{"constructor":{"stages":{},"queries":{}},"auditor":{"stages":null},"components":null},"profile":{"from":0,"to":0,"cpu":"","memory":""}}\n`;

describe('multicluster install', () => {
  test('SQLite: derived by hand', async () => {
    const result = await showRaw(dataDir(multicluster));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), multiclusterExpected('sqlite'));
  });

  test('PostgreSQL with the same rows gives the same bytes, database_type "postgres"', async () => {
    const url = testPostgresUrl();
    await loadPostgres(url, 'coroot_multicluster', multicluster);
    const dir = join(work, 'pg-datadir');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'instance.uuid'), UUID);
    const result = await runCli(['show', '--data-dir', dir, '--at', AT, '--format', 'raw', '--no-profile'],
      { env: cleanEnv({ PG_CONNECTION_STRING: postgresDatabaseUrl(url, 'coroot_multicluster') }) });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), multiclusterExpected('postgres'));
  });
});

describe("Coroot's quirks", () => {
  test('older schema (no project.settings, no incident columns) reads as Coroot would after migrating it', async () => {
    const dir = dataDir({ instanceUuid: UUID, users: [admin], projects: [{ id: 'p1', name: 'old', prometheus: '{"url":"http://p","refresh_interval":999}' }] }, 'older');
    const result = await showRaw(dir);
    assert.equal(result.code, 0, result.stderr);
    const payload = JSON.parse(result.stdout.toString());
    // 999 ms truncates to 0 s, which applyDefaults turns into 30
    assert.equal(payload.integration.prometheus_refresh_interval, 30);
    assert.equal(payload.integration.prometheus, true);
  });

  test('two spellings of one application id: the row SQLite returns last wins (index order of application_id)', async () => {
    const dir = dataDir({
      instanceUuid: UUID, users: [admin], projects: [{ id: 'p1', name: 'one', settings: '{"integrations":{"aws":null}}' }],
      checkConfigs: [
        { project_id: 'p1', application_id: 'shop:Deployment:cart', configs: checkConfigsJson({ MemoryOOM: simpleCheck(1) }) },
        { project_id: 'p1', application_id: 'p1:shop:Deployment:cart', configs: checkConfigsJson({ CPUNode: simpleCheck(70) }) },
      ],
    });
    const payload = JSON.parse((await showRaw(dir)).stdout.toString());
    assert.deepEqual(payload.integration.inspection_overrides, { MemoryOOM: { project_level: 0, application_level: 1 } });
  });

  test('unreadable roles: users_by_role {} with a warning; bad check_configs JSON: that project is skipped', async () => {
    const dir = dataDir({
      instanceUuid: UUID,
      users: [admin, { email: 'b', name: 'B', password: 'x', roles: '[Admin' }],
      projects: [{ id: 'p1', name: 'one', settings: '{"integrations":{"aws":null}}' }],
      checkConfigs: [{ project_id: 'p1', application_id: ':::', configs: '{"CPUNode":' }],
    });
    const result = await showRaw(dir);
    assert.equal(result.code, 0, result.stderr);
    const payload = JSON.parse(result.stdout.toString());
    assert.deepEqual(payload.ux.users_by_role, {});
    assert.deepEqual(payload.integration.inspection_overrides, {});
    assert.match(result.stderr, /cannot read its users/);
    assert.match(result.stderr, /inspection overrides of project "one"/);
  });

  test('installation_type from INSTALLATION_TYPE, instance.uuid forms Coroot keeps as written', async () => {
    const dir = dataDir({ instanceUuid: `  urn:uuid:${UUID.toUpperCase()}\u0085\n`, users: [admin] });
    const result = await runCli(['show', '--data-dir', dir, '--at', AT, '--format', 'raw'], { env: cleanEnv({ INSTALLATION_TYPE: 'helm' }) });
    const payload = JSON.parse(result.stdout.toString());
    assert.equal(payload.instance.uuid, `urn:uuid:${UUID.toUpperCase()}`);
    assert.equal(payload.instance.installation_type, 'helm');
  });

  test('missing instance.uuid: a warning and a placeholder, and the file is not created', async () => {
    const dir = dataDir({ users: [admin] });
    const result = await showRaw(dir);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /would write a new random UUID/);
    assert.equal(JSON.parse(result.stdout.toString()).instance.uuid, '00000000-0000-4000-8000-000000000000');
    assert.throws(() => readFileSync(join(dir, 'instance.uuid')));
  });

  test('--payload re-encodes a saved payload to the same wire bytes, floats rounded to float32', async () => {
    const bytes = golden('no-projects-B').toString().replace('"world_load_time_avg":0', '"world_load_time_avg":0.1234567891');
    const result = await runCli(['show', '--payload', '-', '--format', 'raw'], { stdin: bytes });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), bytes.replace('0.1234567891', '0.12345679'));
  });

  test('the table view counts each project\'s failed queries', async () => {
    const { renderTable } = await import('../src/output/table.js');
    const { payloadBeforeProjects } = await import('./helpers/payload.js');
    const { Chalk } = await import('chalk');
    const text = renderTable(payloadBeforeProjects(), new Map(), new Chalk({ level: 0 }), 120, [
      { project: 'prod', source: 'prometheus', window: { from: 0, to: 3600, step: 30 }, notLoaded: 'LoadWorld failed: 3 of the world\'s queries failed', world: { nodes: 2, applications: 7, failedQueries: 3 } },
    ]);
    const row = text.split('\n').find((l) => l.startsWith('│ prod '))!.split('│').map((c) => c.trim());
    assert.deepEqual(row.slice(3, 6), ['2', '7', '3']);
    assert.match(row[2]!, /^prometheus, not loaded \(LoadWorld failed/);
  });

  test('annotated and table views name every field with its fidelity', async () => {
    const dir = dataDir(multicluster);
    const annotated = (await runCli(['show', '--data-dir', dir, '--at', AT, '--format', 'annotated'])).stdout.toString();
    assert.match(annotated, /"sent_notifications": \{ {2}\/\/ .*\[exact\]/);
    assert.match(annotated, /"page_views": \{\}, {2}\/\/ .*\[memory-only\].*right after a restart/);
    assert.doesNotMatch(annotated, /\x1b\[/);
    const table = (await runCli(['show', '--data-dir', dir, '--at', AT, '--format', 'table'])).stdout.toString();
    assert.match(table, /sent_notifications/);
    assert.match(table, /memory-only/);
  });
});

describe('bad input: one line on stderr, a documented exit code, nothing on stdout', () => {
  const cases: Array<[string, () => Promise<{ code: number; stdout: Buffer; stderr: string }>, number, RegExp]> = [
    ['missing data-dir', () => showRaw(join(work, 'nope')), 3, /data-dir .*nope: no such directory/],
    ['data-dir that is a file', () => { const f = join(work, 'file'); writeFileSync(f, 'x'); return showRaw(f); }, 3, /not a directory/],
    ['no db.sqlite', () => { const d = join(work, 'empty-dir'); mkdirSync(d, { recursive: true }); return showRaw(d); }, 3, /db\.sqlite: no such file/],
    ['db.sqlite that is a directory', () => { const d = join(work, 'dir-db'); mkdirSync(join(d, 'db.sqlite'), { recursive: true }); return showRaw(d); }, 3, /db\.sqlite: not a file/],
    ['corrupt db.sqlite', () => { const d = join(work, 'corrupt'); mkdirSync(d, { recursive: true }); writeFileSync(join(d, 'db.sqlite'), Buffer.alloc(4096, 7)); return showRaw(d); }, 3, /not a readable SQLite database/],
    ['a database of another application', () => {
      const d = join(work, 'foreign'); mkdirSync(d, { recursive: true });
      const db = new Database(join(d, 'db.sqlite')); db.exec('CREATE TABLE things (id INTEGER)'); db.close();
      return showRaw(d);
    }, 3, /not a Coroot database/],
    ['invalid config YAML', () => { const f = join(work, 'bad.yaml'); writeFileSync(f, 'data_dir: [\n'); return runCli(['show', '--config', f]); }, 3, /bad\.yaml: invalid YAML/],
    ['invalid --at', () => runCli(['show', '--at', 'yesterday']), 2, /--at "yesterday"/],
    ['malformed payload file', () => runCli(['show', '--payload', '-'], { stdin: '{"instance":' }), 3, /stdin: not a JSON payload/],
    ['payload that is not v1.24.5', () => runCli(['show', '--payload', '-'], { stdin: '{"instance":{}}' }), 3, /not a Coroot v1\.24\.5 payload: instance\.uuid/],
    ['unknown flag', () => runCli(['show', '--frobnicate']), 2, /Unknown argument: frobnicate/],
    ['PostgreSQL not listening', () => runCli(['show', '--data-dir', work, '--pg-connection-string', 'postgres://coroot:hunter2pw@127.0.0.1:1/coroot', '--pg-timeout', '2000']), 4, /cannot connect/],
    ['PostgreSQL wrong password', () => {
      const url = new URL(testPostgresUrl()); url.password = 'wrong-Pa55word';
      return runCli(['show', '--data-dir', work, '--pg-connection-string', url.toString()]);
    }, 4, /login refused/],
  ];
  for (const [name, run, code, message] of cases) {
    test(name, async () => {
      const result = await run();
      assert.equal(result.code, code, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /hunter2pw|wrong-Pa55word|\n\s+at /);
      assert.equal(result.stdout.length, 0);
    });
  }

  test('a database locked by another process: exit 4 after the busy timeout, as a child process', () => {
    const dir = dataDir({ instanceUuid: UUID, users: [admin] });
    const holder = new Database(join(dir, 'db.sqlite'));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const result = runBin(['show', '--data-dir', dir, '--db-busy-timeout', '300']);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /locked by another process/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  test('--debug adds the stack trace', async () => {
    const result = await runCli(['show', '--data-dir', join(work, 'nope'), '--debug']);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /\n\s+at /);
  });
});
