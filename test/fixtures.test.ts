/**
 * The fixture layer: Coroot's DDL reproduces the sqlite_master of database.md 1.3 (and the Go source, when
 * the mirror is present), the builders write what the spec says the way Coroot would, loadPostgres works on a
 * real server, the committed demo is what build-demo.ts produces, and the large generator is deterministic.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  CURRENT_SCHEMA,
  cacheStateMigration,
  migrationSteps,
  olderSchemaMigration,
  postgresMigration,
  sqliteMigration,
} from '../fixtures/coroot-schema.js';
import {
  applySqliteMigration,
  bcryptLikeHash,
  buildSqliteDataDir,
  checkConfigsJson,
  goJson,
  loadPostgres,
  makeRandomLikeId,
  makeRandomString,
  makeUuidV4,
  metricsSnapshotJson,
  postgresDatabaseUrl,
  projectSettingsJson,
  prometheusJson,
  schemaSteps,
  slackValue,
  webhookValue,
  type DataDirSpec,
} from '../fixtures/datadir.js';
import {
  DEMO_DEPLOYMENT_UUID,
  DEMO_EXPECTED_DB_STATS,
  DEMO_INSTANCE_UUID,
  DEMO_NOW,
  DEMO_NOW_ISO,
  DEMO_PROJECTS,
  DEMO_SECRETS,
  buildDemo,
  demoSpec,
} from '../fixtures/build-demo.js';
import { buildLargeDataDir, largeDataDirSpec } from '../fixtures/build-large.js';
import { testPostgresUrl } from './helpers/env.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEMO = join(REPO, 'fixtures', 'demo');

const scratch = mkdtempSync(join(tmpdir(), 'coroot-usage-fixtures-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const tempDir = (name: string) => join(scratch, `${++counter}-${name}`);

type MasterRow = [type: string, name: string, sql: string | null];

/** database.md section 1.3, verbatim. */
const EXPECTED_MASTER: MasterRow[] = [
  ['table', 'project', 'CREATE TABLE project (\n\t\tid TEXT NOT NULL PRIMARY KEY,\n\t\tname TEXT NOT NULL UNIQUE,\n\t\tprometheus TEXT\n\t, settings text)'],
  ['index', 'sqlite_autoindex_project_1', null],
  ['index', 'sqlite_autoindex_project_2', null],
  ['table', 'check_configs', 'CREATE TABLE check_configs (\n\t\tproject_id TEXT NOT NULL REFERENCES project(id),\n\t\tapplication_id TEXT NOT NULL,\n\t\tconfigs TEXT,\n\t\tPRIMARY KEY (project_id, application_id)\n\t)'],
  ['index', 'sqlite_autoindex_check_configs_1', null],
  ['table', 'incident', 'CREATE TABLE incident (\n\t\tproject_id TEXT NOT NULL REFERENCES project(id),\n\t\tapplication_id TEXT NOT NULL,\n\t\tkey TEXT NOT NULL,\n\t\topened_at INT NOT NULL,\n\t\tresolved_at INT NOT NULL DEFAULT 0,\n\t\tseverity INT NOT NULL, details text, rca text, rca_status text, rca_summary text,\n\t\tPRIMARY KEY (project_id, application_id, opened_at)\n\t)'],
  ['index', 'sqlite_autoindex_incident_1', null],
  ['index', 'incident_key', 'CREATE UNIQUE INDEX incident_key ON incident (project_id, key)'],
  ['index', 'incident_project_id_resolved_opened', 'CREATE INDEX incident_project_id_resolved_opened ON incident (project_id, (resolved_at = 0), opened_at)'],
  ['table', 'incident_notification', "CREATE TABLE incident_notification (\n\t\tproject_id TEXT NOT NULL REFERENCES project(id),\n\t\tapplication_id TEXT NOT NULL,\n\t\tincident_key TEXT NOT NULL,\n\t\tstatus INT NOT NULL,\n\t\tdestination TEXT NOT NULL,\n\t\ttimestamp INT NOT NULL,\n\t\tsent_at INT NOT NULL DEFAULT 0,\n\t\texternal_key TEXT NOT NULL DEFAULT '',\n\t\tdetails TEXT\n\t)"],
  ['table', 'alert_notification', "CREATE TABLE alert_notification (\n\t\tproject_id TEXT NOT NULL REFERENCES project(id),\n\t\talert_id TEXT NOT NULL,\n\t\trule_id TEXT NOT NULL,\n\t\tapplication_id TEXT NOT NULL,\n\t\tstatus INT NOT NULL,\n\t\tdestination TEXT NOT NULL,\n\t\ttimestamp INT NOT NULL,\n\t\tsent_at INT NOT NULL DEFAULT 0,\n\t\texternal_key TEXT NOT NULL DEFAULT '',\n\t\tdetails TEXT\n\t)"],
  ['table', 'application_deployment', 'CREATE TABLE application_deployment (\n\t\tproject_id TEXT NOT NULL REFERENCES project(id),\n\t\tapplication_id TEXT NOT NULL,\n\t\tname TEXT NOT NULL,\n\t\tstarted_at INT NOT NULL,\n\t\tfinished_at INT NOT NULL DEFAULT 0,\n\t\tdetails TEXT,\n\t\tmetrics_snapshot TEXT,\n\t\tnotifications TEXT,\n\t\tPRIMARY KEY (project_id, application_id, started_at)\n\t)'],
  ['index', 'sqlite_autoindex_application_deployment_1', null],
  ['table', 'application_settings', 'CREATE TABLE application_settings (\n\t\tproject_id TEXT NOT NULL REFERENCES project(id),\n\t\tapplication_id TEXT NOT NULL,\n\t\tsettings TEXT NOT NULL,\n\t\tPRIMARY KEY (project_id, application_id)\n\t)'],
  ['index', 'sqlite_autoindex_application_settings_1', null],
  ['table', 'dashboards', "CREATE TABLE dashboards (\n\t\tproject_id TEXT NOT NULL REFERENCES project(id),\n\t\tid TEXT NOT NULL,\n\t\tname TEXT NOT NULL,\n\t\tdescription TEXT NOT NULL DEFAULT '',\n\t\tconfig TEXT NOT NULL DEFAULT '{}',\n\t\tPRIMARY KEY (project_id, id)\n\t)"],
  ['index', 'sqlite_autoindex_dashboards_1', null],
  ['table', 'settings', 'CREATE TABLE settings (\n\t\tname TEXT NOT NULL PRIMARY KEY,\n\t\tvalue TEXT NOT NULL\n\t)'],
  ['index', 'sqlite_autoindex_settings_1', null],
  ['table', 'users', 'CREATE TABLE users (\n\t\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n\t\temail TEXT NOT NULL UNIQUE,\n\t\tname TEXT NOT NULL,\n\t\tpassword TEXT NOT NULL,\n\t\troles TEXT NOT NULL\n\t)'],
  ['index', 'sqlite_autoindex_users_1', null],
  ['table', 'sqlite_sequence', 'CREATE TABLE sqlite_sequence(name,seq)'],
  ['table', 'alerting_rule', 'CREATE TABLE alerting_rule (\n\t\tid TEXT NOT NULL,\n\t\tproject_id TEXT NOT NULL REFERENCES project(id),\n\t\tconfig TEXT NOT NULL,\n\t\tenabled INT NOT NULL DEFAULT 1,\n\t\tbuiltin INT NOT NULL DEFAULT 0,\n\t\tcreated_at INT NOT NULL,\n\t\tupdated_at INT NOT NULL,\n\t\tPRIMARY KEY (id, project_id)\n\t)'],
  ['index', 'sqlite_autoindex_alerting_rule_1', null],
  ['index', 'alerting_rule_project', 'CREATE INDEX alerting_rule_project ON alerting_rule (project_id)'],
  ['table', 'alert', "CREATE TABLE alert (\n\t\tid TEXT PRIMARY KEY,\n\t\tfingerprint TEXT NOT NULL,\n\t\trule_id TEXT NOT NULL,\n\t\tproject_id TEXT NOT NULL REFERENCES project(id),\n\t\tapplication_id TEXT NOT NULL,\n\t\tapplication_category TEXT NOT NULL DEFAULT '',\n\t\tseverity TEXT NOT NULL,\n\t\tsummary TEXT NOT NULL,\n\t\tdetails TEXT,\n\t\topened_at INT NOT NULL,\n\t\tresolved_at INT NOT NULL DEFAULT 0,\n\t\tupdated_at INT NOT NULL,\n\t\tsuppressed INT NOT NULL DEFAULT 0,\n\t\tresolved_by TEXT NOT NULL DEFAULT '',\n\t\treport TEXT NOT NULL DEFAULT '',\n\t\tpattern_words TEXT NOT NULL DEFAULT '',\n\t\tmanually_resolved_at INT NOT NULL DEFAULT 0\n\t)"],
  ['index', 'sqlite_autoindex_alert_1', null],
  ['index', 'alert_project_resolved', 'CREATE INDEX alert_project_resolved ON alert (project_id, resolved_at)'],
  ['index', 'alert_fingerprint_resolved', 'CREATE INDEX alert_fingerprint_resolved ON alert (fingerprint, resolved_at)'],
  ['index', 'alert_fingerprint_suppressed', 'CREATE INDEX alert_fingerprint_suppressed ON alert (fingerprint, suppressed)'],
  ['index', 'alert_project_rule_resolved', 'CREATE INDEX alert_project_rule_resolved ON alert (project_id, rule_id, resolved_at)'],
];

/** database.md section 1.5. */
const EXPECTED_CACHE_MASTER: MasterRow[] = [
  ['table', 'prometheus_query_state', 'CREATE TABLE prometheus_query_state (\n\t\tproject_id TEXT NOT NULL,\n\t\tquery TEXT NOT NULL,\n\t\tlast_ts INTEGER NOT NULL,\n\t\tlast_error TEXT NOT NULL,\n\t\tPRIMARY KEY(project_id, query)\n\t)'],
  ['index', 'sqlite_autoindex_prometheus_query_state_1', null],
];

function master(db: Database.Database): MasterRow[] {
  return (db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY rowid').all() as Array<{ type: string; name: string; sql: string | null }>).map(
    (r) => [r.type, r.name, r.sql],
  );
}

function columns(db: Database.Database, table: string): string[] {
  return db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
}

function memoryDb(statements: string[]): Database.Database {
  const db = new Database(':memory:');
  for (const sql of statements) db.exec(sql);
  return db;
}

/** Every table's rows with SQLite storage classes, for comparing two DBs by content. */
function dump(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const out: Record<string, unknown[]> = { sqlite_master: master(db) };
    for (const table of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[]) {
      const cols = columns(db, table);
      const select = cols.map((c) => `typeof("${c}"), quote("${c}")`).join(', ');
      out[table] = db.prepare(`SELECT ${select} FROM "${table}" ORDER BY rowid`).raw().all();
    }
    return out;
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------------------------------------ schema

describe('coroot-schema', () => {
  test('sqliteMigration() gives exactly the sqlite_master rows of database.md 1.3', () => {
    const db = memoryDb(sqliteMigration());
    assert.deepEqual(master(db), EXPECTED_MASTER);
  });

  test('re-running the migration like Coroot (ADD COLUMN only when missing) changes nothing', () => {
    const db = memoryDb(sqliteMigration());
    applySqliteMigration(db, migrationSteps(CURRENT_SCHEMA));
    assert.deepEqual(master(db), EXPECTED_MASTER);
  });

  test('cacheStateMigration() gives database.md 1.5', () => {
    assert.deepEqual(master(memoryDb(cacheStateMigration())), EXPECTED_CACHE_MASTER);
  });

  test('postgresMigration() rewrites AUTOINCREMENT and uses ADD COLUMN IF NOT EXISTS', () => {
    const sqlite = sqliteMigration();
    const postgres = postgresMigration();
    assert.equal(postgres.length, sqlite.length);
    assert.ok(!postgres.some((s) => s.includes('AUTOINCREMENT')));
    assert.ok(postgres.some((s) => s.includes('\t\tid SERIAL PRIMARY KEY,\n')));
    assert.deepEqual(
      postgres.filter((s) => s.startsWith('ALTER')),
      [
        'ALTER TABLE project ADD COLUMN IF NOT EXISTS settings text',
        'ALTER TABLE incident ADD COLUMN IF NOT EXISTS details text',
        'ALTER TABLE incident ADD COLUMN IF NOT EXISTS rca text',
        'ALTER TABLE incident ADD COLUMN IF NOT EXISTS rca_status text',
        'ALTER TABLE incident ADD COLUMN IF NOT EXISTS rca_summary text',
      ],
    );
  });

  test('older schemas: v1.12.4 incident without details/rca and no alert tables; 0.2.2 project without settings', () => {
    const v1124 = memoryDb(olderSchemaMigration());
    assert.deepEqual(columns(v1124, 'incident'), ['project_id', 'application_id', 'key', 'opened_at', 'resolved_at', 'severity']);
    assert.deepEqual(columns(v1124, 'project'), ['id', 'name', 'prometheus', 'settings']);
    assert.deepEqual(columns(v1124, 'alert_notification'), []);
    assert.ok(columns(v1124, 'users').length > 0);

    const v022 = memoryDb(olderSchemaMigration('0.2.2'));
    assert.deepEqual(master(v022).map((r) => r[1]), ['project', 'sqlite_autoindex_project_1', 'sqlite_autoindex_project_2']);
    assert.deepEqual(columns(v022, 'project'), ['id', 'name', 'prometheus']);

    const v1202 = memoryDb(olderSchemaMigration('v1.20.2'));
    assert.deepEqual(columns(v1202, 'incident').slice(-2), ['details', 'rca']);
  });

  test('an upgraded DB has the current columns, in a different sqlite_master order', () => {
    for (const from of ['0.2.2', 'v1.12.4', 'v1.20.2'] as const) {
      const db = new Database(':memory:');
      applySqliteMigration(db, schemaSteps({ from }));
      const fresh = memoryDb(sqliteMigration());
      for (const [, name] of EXPECTED_MASTER.filter((r) => r[0] === 'table')) {
        assert.deepEqual(columns(db, name), columns(fresh, name), `${from} → ${CURRENT_SCHEMA}: ${name}`);
      }
      assert.deepEqual(
        new Set(master(db).map((r) => r[1])),
        new Set(EXPECTED_MASTER.map((r) => r[1])),
        `${from}: same objects`,
      );
    }
    const db = new Database(':memory:');
    applySqliteMigration(db, schemaSteps({ from: 'v1.20.2' }));
    assert.equal(master(db).at(-1)![1], 'incident_project_id_resolved_opened', 'the index added in v1.21 comes last');
  });
});

// ------------------------------------------------------------------------------------------------ JSON helpers

describe('Go-style JSON', () => {
  test('maps are sorted by UTF-8 bytes, structs keep their order, undefined is left out', () => {
    assert.equal(goJson(new Map([['é', 1], ['a', 2], ['Z', 3], ['10', 4], ['9', 5]])), '{"10":4,"9":5,"Z":3,"a":2,"é":1}');
    assert.equal(goJson({ b: 1, a: undefined, c: [true, null] }), '{"b":1,"c":[true,null]}');
    assert.equal(goJson('<a href="x">&\u2028'), '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u2028"');
  });

  test('prometheusJson reproduces database.md 2.1 (refresh interval in ms)', () => {
    assert.equal(
      prometheusJson({ url: 'http://prometheus:9090', refreshMs: 15000 }),
      '{"global":false,"url":"http://prometheus:9090","refresh_interval":15000,"tls_skip_verify":false,"basic_auth":null,"extra_selector":"","custom_headers":null,"remote_write_url":"","use_clickhouse":false}',
    );
  });

  test('projectSettingsJson applies the defaults Bootstrap persists', () => {
    assert.equal(
      projectSettingsJson({ apiKeys: [{ key: 'k', description: 'default' }] }),
      '{"readonly":false,"application_category_settings":null,"integrations":{"aws":null,"readonly":false,"base_url":""},"custom_applications":null,"api_keys":[{"key":"k","description":"default"}],"custom_cloud_pricing":{"default":true,"per_cpu_core":0.03465,"per_memory_gb":0.003938},"member_projects":null}',
    );
    assert.deepEqual(slackValue({ token: 't', defaultChannel: 'c', incidents: false }).alerts, false);
    assert.equal(slackValue({ token: 't', defaultChannel: 'c', alerts: 'omit' }).alerts, undefined);
    assert.equal(webhookValue({ url: 'u', incidents: true }).alerts, false, 'webhook alerts need an alert template');
    assert.equal(webhookValue({ url: 'u', incidents: true, alertTemplate: 'x' }).alerts, true);
    const explicitNull = JSON.parse(projectSettingsJson({ integrations: { pagerduty: null } })) as { integrations: Record<string, unknown> };
    assert.ok('pagerduty' in explicitNull.integrations && explicitNull.integrations.pagerduty === null);
  });

  test('check configs and metrics snapshots', () => {
    assert.equal(checkConfigsJson({ SLOLatency: [], CPUNode: { threshold: 80 } }), '{"CPUNode":{"threshold":80},"SLOLatency":[]}');
    const snapshot = JSON.parse(metricsSnapshotJson({ timestamp: 100, requests: 1, errors: 0, latency: { '0.500': 1, '+Inf': 1 } })) as Record<string, unknown>;
    assert.deepEqual(Object.keys(snapshot), [
      'timestamp', 'duration', 'requests', 'errors', 'latency', 'restarts', 'cpu_usage', 'memory_leak_percent', 'memory_usage', 'oom_kills', 'log_errors', 'log_warnings',
    ]);
    assert.equal(snapshot.timestamp, 100000);
    assert.equal(snapshot.duration, 1200000);
    assert.match(metricsSnapshotJson({ timestamp: 0, requests: 0, errors: 0 }), /^\{"timestamp":null,/);
  });

  test('id helpers are deterministic and well-formed', () => {
    assert.match(makeRandomLikeId('x'), /^[0-9a-z]{8}$/);
    assert.equal(makeRandomLikeId('x'), makeRandomLikeId('x'));
    assert.notEqual(makeRandomLikeId('x'), makeRandomLikeId('y'));
    assert.match(makeRandomString('x', 32), /^[-_0-9a-zA-Z]{32}$/);
    assert.match(makeUuidV4('x'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(bcryptLikeHash('x'), /^\$2a\$10\$[./A-Za-z0-9]{21}[.Oeu][./A-Za-z0-9]{30}[.CGKOSWaeimqu26]$/);
  });
});

// ------------------------------------------------------------------------------------------------ builders

const SMALL_SPEC: DataDirSpec = {
  instanceUuid: '6b0f3c1e-2d4a-4c8b-9e7f-0a1b2c3d4e5f',
  projects: [
    { id: 'aaaa1111', name: 'one', prometheus: prometheusJson({ url: 'http://p:9090' }), settings: projectSettingsJson() },
    { id: 'bbbb2222', name: 'two' },
    { id: 'cccc3333', name: 'three', prometheus: 'not json', settings: { readonly: true } },
  ],
  checkConfigs: [
    { project_id: 'aaaa1111', application_id: ':::', configs: { CPUNode: { threshold: 80 } } },
    { project_id: 'aaaa1111', application_id: 'ns:Deployment:app', configs: null },
  ],
  users: [
    { email: 'admin', name: 'Admin', password: bcryptLikeHash('a'), roles: ['Admin'] },
    { email: 'e@example.com', name: 'E', password: bcryptLikeHash('e'), roles: 'not json' },
  ],
  incidents: [{ project_id: 'aaaa1111', application_id: 'aaaa1111:ns:Deployment:app', key: 'k1', opened_at: 100, severity: 4, rca_status: '', rca_summary: '' }],
  incidentNotifications: [
    { project_id: 'aaaa1111', application_id: 'aaaa1111:ns:Deployment:app', incident_key: 'k1', status: 4, destination: 'slack:x', timestamp: 100 },
    { project_id: 'aaaa1111', application_id: 'aaaa1111:ns:Deployment:app', incident_key: 'k1', status: 1, destination: 'teams', timestamp: 200, sent_at: 201, details: null },
  ],
  alertNotifications: [
    { project_id: 'aaaa1111', alert_id: 'a1', rule_id: 'r', application_id: 'x', status: 3, destination: 'webhook', timestamp: 150, sent_at: 151 },
  ],
  applicationDeployments: [{ project_id: 'aaaa1111', application_id: 'aaaa1111:ns:Deployment:app', name: 'app-5d4c', started_at: 50 }],
  settings: [
    { name: 'deployment_uuid', value: '"11111111-2222-4333-8444-555555555555"' },
    { name: 'as_text', value: { a: 1 }, storeAs: 'text' },
  ],
  otherRows: { dashboards: [{ project_id: 'aaaa1111', id: 'd1', name: 'Dash' }] },
  cacheState: [{ project_id: 'aaaa1111', query: 'up', last_ts: 1000, last_error: '' }],
};

describe('buildSqliteDataDir', () => {
  test('writes rows as given, with Coroot defaults, storage classes and sqlite_sequence', () => {
    const dir = tempDir('small');
    buildSqliteDataDir(dir, SMALL_SPEC);
    assert.equal(readFileSync(join(dir, 'instance.uuid'), 'utf8'), SMALL_SPEC.instanceUuid);
    const db = new Database(join(dir, 'db.sqlite'), { readonly: true });
    assert.deepEqual(master(db), EXPECTED_MASTER);
    assert.deepEqual(db.prepare('SELECT id, name, prometheus, settings FROM project ORDER BY rowid').raw().all(), [
      ['aaaa1111', 'one', prometheusJson({ url: 'http://p:9090' }), projectSettingsJson()],
      ['bbbb2222', 'two', null, null],
      ['cccc3333', 'three', 'not json', '{"readonly":true}'],
    ]);
    assert.deepEqual(db.prepare('SELECT application_id, configs FROM check_configs ORDER BY rowid').raw().all(), [
      [':::', '{"CPUNode":{"threshold":80}}'],
      ['ns:Deployment:app', null],
    ]);
    assert.deepEqual(db.prepare('SELECT id, email, roles FROM users ORDER BY id').raw().all(), [
      [1, 'admin', '["Admin"]'],
      [2, 'e@example.com', 'not json'],
    ]);
    assert.deepEqual(db.prepare(`SELECT name, seq FROM sqlite_sequence`).raw().all(), [['users', 2]]);
    assert.deepEqual(db.prepare('SELECT destination, sent_at, external_key, details FROM incident_notification ORDER BY rowid').raw().all(), [
      ['slack:x', 0, '', null],
      ['teams', 201, '', null],
    ]);
    assert.deepEqual(db.prepare('SELECT resolved_at, details, rca, rca_status FROM incident').raw().all(), [[0, null, null, '']]);
    assert.deepEqual(db.prepare('SELECT finished_at, metrics_snapshot FROM application_deployment').raw().all(), [[0, null]]);
    assert.deepEqual(db.prepare('SELECT name, typeof(value), CAST(value AS TEXT) FROM settings ORDER BY rowid').raw().all(), [
      ['deployment_uuid', 'blob', '"11111111-2222-4333-8444-555555555555"'],
      ['as_text', 'text', '{"a":1}'],
    ]);
    assert.deepEqual(db.prepare('SELECT description, config FROM dashboards').raw().all(), [['', '{}']]);
    assert.equal(db.prepare('SELECT count(*) FROM alert_notification').pluck().get(), 1);
    db.close();

    const cache = new Database(join(dir, 'cache', 'db.sqlite'), { readonly: true });
    assert.deepEqual(master(cache), EXPECTED_CACHE_MASTER);
    assert.deepEqual(cache.prepare('SELECT * FROM prometheus_query_state').raw().all(), [['aaaa1111', 'up', 1000, '']]);
    cache.close();
    assert.deepEqual(readdirSync(join(dir, 'cache')).sort(), ['aaaa1111', 'db.sqlite']);
    assert.ok(statSync(join(dir, 'cache', 'aaaa1111')).isDirectory());
  });

  test('refuses to overwrite a db.sqlite, and enforces foreign keys unless told not to', () => {
    const dir = tempDir('fk');
    buildSqliteDataDir(dir, { projects: [{ id: 'p', name: 'p' }] });
    assert.throws(() => buildSqliteDataDir(dir, {}), /already exists/);
    const orphan: DataDirSpec = { checkConfigs: [{ project_id: 'gone', application_id: ':::', configs: '{}' }] };
    assert.throws(() => buildSqliteDataDir(tempDir('fk-on'), orphan), /FOREIGN KEY/);
    buildSqliteDataDir(tempDir('fk-off'), orphan, { foreignKeys: false });
  });

  test('older schemas: NULLs for missing columns are dropped, values are refused', () => {
    const dir = tempDir('older');
    buildSqliteDataDir(
      dir,
      { projects: [{ id: 'p', name: 'p' }], incidents: [{ project_id: 'p', application_id: 'a', key: 'k', opened_at: 1, severity: 3, details: null }] },
      { schema: 'older' },
    );
    const db = new Database(join(dir, 'db.sqlite'), { readonly: true });
    assert.deepEqual(columns(db, 'incident'), ['project_id', 'application_id', 'key', 'opened_at', 'resolved_at', 'severity']);
    db.close();
    assert.throws(
      () => buildSqliteDataDir(tempDir('older-bad'), { projects: [{ id: 'p', name: 'p', settings: '{}' }] }, { schema: '0.2.2' }),
      /no column settings/,
    );
    assert.throws(() => buildSqliteDataDir(tempDir('older-table'), { users: [{ email: 'a', name: 'a', password: 'x', roles: [] }] }, { schema: '0.2.2' }), /users does not exist/);
  });

  test('mainDb: false writes only instance.uuid and the cache (a PostgreSQL install)', () => {
    const dir = tempDir('pg-datadir');
    buildSqliteDataDir(dir, { instanceUuid: 'u', cacheDirs: ['x'] }, { mainDb: false });
    assert.deepEqual(readdirSync(dir).sort(), ['cache', 'instance.uuid']);
    assert.deepEqual(readdirSync(join(dir, 'cache')).sort(), ['db.sqlite', 'x']);
    assert.throws(() => buildSqliteDataDir(tempDir('pg-datadir-bad'), { projects: [{ id: 'p', name: 'p' }] }, { mainDb: false }), /loadPostgres/);
  });
});

// ------------------------------------------------------------------------------------------------ demo

describe('demo data-dir', () => {
  test('the committed fixtures/demo is what build-demo.ts produces', () => {
    const dir = tempDir('demo');
    buildDemo(dir);
    const chunks = (root: string) => readdirSync(join(root, 'cache', 'sboc7hq9')).sort();
    assert.deepEqual(chunks(DEMO), chunks(dir));
    assert.ok(chunks(DEMO).length > 100, 'the production project has cache chunks');
    const files = ['instance.uuid', 'coroot.yaml', 'cache/l750cfm9/.gitkeep', ...chunks(dir).map((f) => `cache/sboc7hq9/${f}`)];
    for (const file of files) {
      assert.deepEqual(readFileSync(join(dir, file)), readFileSync(join(DEMO, file)), file);
    }
    assert.deepEqual(dump(join(dir, 'db.sqlite')), dump(join(DEMO, 'db.sqlite')), 'db.sqlite content');
    assert.deepEqual(dump(join(dir, 'cache', 'db.sqlite')), dump(join(DEMO, 'cache', 'db.sqlite')), 'cache/db.sqlite content');
    assert.deepEqual(readdirSync(join(DEMO, 'cache')).sort(), ['db.sqlite', 'l750cfm9', 'sboc7hq9']);
  });

  test('ids, reference time and the DB-only expectations hold', () => {
    assert.equal(new Date(DEMO_NOW * 1000).toISOString().replace('.000', ''), DEMO_NOW_ISO);
    assert.equal(DEMO_PROJECTS.production.id, makeRandomLikeId('demo/project/production'));
    assert.equal(DEMO_PROJECTS.staging.id, makeRandomLikeId('demo/project/staging'));
    assert.equal(DEMO_PROJECTS.allClusters.id, makeRandomLikeId('demo/project/all-clusters'));
    assert.equal(readFileSync(join(DEMO, 'instance.uuid'), 'utf8'), DEMO_INSTANCE_UUID);

    const db = new Database(join(DEMO, 'db.sqlite'), { readonly: true });
    try {
      assert.deepEqual(master(db), EXPECTED_MASTER);
      const sent = Object.fromEntries(
        db
          .prepare('SELECT destination, count(*) FROM incident_notification WHERE timestamp >= ? AND sent_at > 0 GROUP BY destination ORDER BY destination')
          .raw()
          .all(DEMO_NOW - 3600) as Array<[string, number]>,
      );
      assert.deepEqual(sent, DEMO_EXPECTED_DB_STATS['ux.sent_notifications']);
      const roles: Record<string, number> = {};
      for (const r of db.prepare('SELECT roles FROM users').pluck().all() as string[]) {
        for (const role of JSON.parse(r) as string[]) roles[role] = (roles[role] ?? 0) + 1;
      }
      assert.deepEqual(roles, DEMO_EXPECTED_DB_STATS['ux.users_by_role']);
      assert.equal(db.prepare('SELECT count(*) FROM project').pluck().get(), DEMO_EXPECTED_DB_STATS['infra.projects']);
      assert.equal(
        db.prepare(`SELECT CAST(value AS TEXT) FROM settings WHERE name = 'deployment_uuid' AND typeof(value) = 'blob'`).pluck().get(),
        JSON.stringify(DEMO_DEPLOYMENT_UUID),
      );
      for (const row of db.prepare('SELECT prometheus, settings FROM project').raw().all() as Array<[string | null, string | null]>) {
        for (const text of row) if (text !== null) JSON.parse(text);
      }
    } finally {
      db.close();
    }
  });

  test('every planted secret is in the data-dir', () => {
    const db = new Database(join(DEMO, 'db.sqlite'), { readonly: true });
    const texts: string[] = [];
    try {
      for (const table of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]) {
        const select = columns(db, table).map((c) => `CAST("${c}" AS TEXT)`).join(', ');
        for (const row of db.prepare(`SELECT ${select} FROM "${table}"`).raw().all() as unknown[][]) {
          for (const v of row) if (typeof v === 'string') texts.push(v);
        }
      }
    } finally {
      db.close();
    }
    const text = texts.join('\n');
    for (const secret of DEMO_SECRETS) assert.ok(text.includes(secret), secret);
    assert.ok(text.includes('source=coroot\\u0026token='), 'the webhook URL stores & the Go way');
  });
});

// ------------------------------------------------------------------------------------------------ PostgreSQL

describe('loadPostgres', () => {
  const database = 'coroot_usage_fixtures_test';

  async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: postgresDatabaseUrl(testPostgresUrl(), database) });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  after(async () => {
    const admin = new pg.Client({ connectionString: testPostgresUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  test('creates Coroot tables and loads the demo spec', async () => {
    const spec = demoSpec();
    // twice: the second run must drop the first database
    await loadPostgres(testPostgresUrl(), database, spec);
    await loadPostgres(testPostgresUrl(), database, spec);
    await withClient(async (client) => {
      const sqlite = memoryDb(sqliteMigration());
      for (const [, table] of EXPECTED_MASTER.filter((r) => r[0] === 'table' && r[1] !== 'sqlite_sequence')) {
        const res = await client.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        );
        assert.deepEqual(res.rows.map((r) => r.column_name), columns(sqlite, table), table);
      }
      const idColumn = await client.query<{ data_type: string; column_default: string }>(
        `SELECT data_type, column_default FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'id'`,
      );
      assert.deepEqual(idColumn.rows, [{ data_type: 'integer', column_default: "nextval('users_id_seq'::regclass)" }]);
      const indexes = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'incident' ORDER BY indexname`);
      assert.deepEqual(indexes.rows.map((r) => r.indexname), ['incident_key', 'incident_pkey', 'incident_project_id_resolved_opened']);

      const count = async (table: string) => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
      assert.equal(await count('project'), spec.projects!.length);
      assert.equal(await count('check_configs'), spec.checkConfigs!.length);
      assert.equal(await count('incident_notification'), spec.incidentNotifications!.length);
      assert.equal(await count('alert_notification'), spec.alertNotifications!.length);
      assert.equal(await count('application_deployment'), spec.applicationDeployments!.length);

      const sent = await client.query<{ destination: string; n: string }>(
        'SELECT destination, count(*) AS n FROM incident_notification WHERE timestamp >= $1 AND sent_at > 0 GROUP BY destination ORDER BY destination',
        [DEMO_NOW - 3600],
      );
      assert.deepEqual(Object.fromEntries(sent.rows.map((r) => [r.destination, Number(r.n)])), DEMO_EXPECTED_DB_STATS['ux.sent_notifications']);

      const users = await client.query<{ id: number; email: string }>('SELECT id, email FROM users ORDER BY id');
      assert.deepEqual(users.rows.map((r) => [r.id, r.email]), [[1, 'admin'], [2, 'alice@example.com'], [3, 'bob@example.com']]);
      const setting = await client.query<{ value: string }>(`SELECT value FROM settings WHERE name = 'deployment_uuid'`);
      assert.equal(setting.rows[0]!.value, JSON.stringify(DEMO_DEPLOYMENT_UUID));

      // the same bytes as the SQLite demo, column by column
      const demo = new Database(join(DEMO, 'db.sqlite'), { readonly: true });
      try {
        const pgProjects = await client.query('SELECT id, name, prometheus, settings FROM project ORDER BY id');
        assert.deepEqual(pgProjects.rows, demo.prepare('SELECT id, name, prometheus, settings FROM project ORDER BY id').all());
        const pgConfigs = await client.query('SELECT project_id, application_id, configs FROM check_configs ORDER BY project_id, application_id');
        assert.deepEqual(
          pgConfigs.rows,
          demo.prepare('SELECT project_id, application_id, configs FROM check_configs ORDER BY project_id, application_id').all(),
        );
      } finally {
        demo.close();
      }
    });
  });

  test('explicit user ids move the sequence; older schemas load too', async () => {
    await loadPostgres(testPostgresUrl(), database, {
      projects: [{ id: 'p', name: 'p' }],
      users: [{ id: 7, email: 'admin', name: 'Admin', password: 'x', roles: ['Admin'] }],
      incidents: [{ project_id: 'p', application_id: 'a', key: 'k', opened_at: 1, severity: 3 }],
    }, { schema: 'older' });
    await withClient(async (client) => {
      await client.query(`INSERT INTO users (email, name, password, roles) VALUES ('b', 'B', 'x', '["Viewer"]')`);
      assert.deepEqual((await client.query('SELECT id FROM users ORDER BY id')).rows.map((r: { id: number }) => r.id), [7, 8]);
      const incidentColumns = await client.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'incident' ORDER BY ordinal_position`,
      );
      assert.deepEqual(incidentColumns.rows.map((r) => r.column_name), ['project_id', 'application_id', 'key', 'opened_at', 'resolved_at', 'severity']);
    });
  });
});

// ------------------------------------------------------------------------------------------------ large

describe('large data-dir', () => {
  test('has the requested row counts and is deterministic per seed', () => {
    const opts = { projects: 30, checkConfigRows: 2000, incidentNotifications: 3001, deployments: 200, users: 5, seed: 'test' };
    assert.deepEqual(largeDataDirSpec(opts), largeDataDirSpec(opts));
    assert.notDeepEqual(largeDataDirSpec(opts).projects, largeDataDirSpec({ ...opts, seed: 'other' }).projects);
    const dir = tempDir('large');
    buildLargeDataDir(dir, opts);
    const db = new Database(join(dir, 'db.sqlite'), { readonly: true });
    try {
      const count = (t: string) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get();
      assert.equal(count('project'), 30);
      assert.equal(count('check_configs'), 2000);
      assert.equal(count('incident_notification'), 3001);
      assert.equal(count('application_deployment'), 200);
      assert.equal(count('users'), 5);
      const multicluster = (db.prepare('SELECT settings FROM project').pluck().all() as string[]).filter(
        (s) => (JSON.parse(s) as { member_projects: string[] | null }).member_projects !== null,
      );
      assert.equal(multicluster.length, 1);
      assert.ok((count('check_configs') as number) > 0);
    } finally {
      db.close();
    }
  });
});
