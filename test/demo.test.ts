/**
 * The bundled demo data-dir: the README's main command, checked against the expectations the fixture's
 * author derived from Coroot's rules (fixtures/build-demo.ts for the database, fixtures/demo-cluster.ts
 * for the metrics cache), against the golden payload, and against the same rows in a real PostgreSQL.
 * Runtime values (world_load_time_avg, stage and query times, profiles) are masked before comparing.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEMO_DIR, DEMO_EXPECTED_DB_STATS, DEMO_INSTANCE_UUID, DEMO_NOW_ISO, DEMO_SECRETS, demoSpec } from '../fixtures/build-demo.js';
import { loadPostgres, postgresDatabaseUrl } from '../fixtures/datadir.js';
import { cleanEnv, REPO_ROOT, runBin, runCli } from './helpers/cli.js';
import { testPostgresUrl } from './helpers/env.js';
import { maskVolatile } from '../src/diff/volatile.js';

const work = mkdtempSync(join(tmpdir(), 'coroot-usage-demo-'));
after(() => rmSync(work, { recursive: true, force: true }));
const golden = readFileSync(join(REPO_ROOT, 'test', 'golden', 'demo.json'));

/** the golden payload's non-runtime content */
const masked = (text: string | Buffer) => maskVolatile(JSON.parse(text.toString()));

/**
 * What the production project's cache (fixtures/demo-cluster.ts) gives, worked out from Coroot's rules.
 * Staging's cache has state rows but no chunk (step 0: an empty world, loaded, no query), all-clusters is
 * multicluster (skipped), so every value comes from production's world over [12:00 - 60 s - 1 h, 12:00 - 60 s].
 */
const DEMO_EXPECTED_WORLD_STATS = {
  /** four node_info series with machine_id */
  'integration.node_agent': true,
  /** node-4 runs 1.25.2, the other three 1.26.0; sorted set */
  'integration.node_agent_versions': ['1.25.2', '1.26.0'],
  /** containers have /k8s/ ids (required) and kube_pod_info has series (installed) */
  'integration.kube_state_metrics': true,
  /** no DATA_DIR/cloud-pricing dump in the demo, so no node has a price */
  'integration.cloud_costs': false,
  'integration.java_async_profiler': false,
  'integration.fluxcd': false,
  'integration.argocd': false,
  /** provider AWS (node-1, node-2) and GCP (node-3, node-4), lower-cased */
  'stack.clouds': ['aws', 'gcp'],
  /** container_application_type of postgres-0/postgres, the only typed container of a counted application */
  'stack.services': ['postgres'],
  /** pg_up / pg_info with namespace shop, pod postgres-0 → the postgres instance */
  'stack.instrumented_services': ['postgres'],
  'infra.nodes': 4,
  /** 4 + 4 + 4 + 8 logical cores at the last point of the window */
  'infra.cpu_cores': 20,
  'infra.gpus': 0,
  /**
   * checkout, gateway, ledger (Deployments from their ReplicaSet names) and postgres (StatefulSet) all have
   * an rr_connection_* link; coredns has none, so it is standalone and not counted
   */
  'infra.applications': 4,
  /** every application by kind, counted or not: Deployment checkout (2 pods), gateway, ledger, coredns (1 each) */
  'infra.applications_by_kind': { Deployment: { applications: 4, instances: 5 }, StatefulSet: { applications: 1, instances: 1 } },
  /** instances of the counted applications: checkout 2 + gateway 1 + ledger 1 + postgres 1 */
  'infra.instances': 5,
  /** sorted set of node_info kernel_version */
  'infra.kernel_versions': ['5.15.0-gke', '6.1.0-aws'],
  /**
   * application_deployment rows of counted applications started in the hour before 12:00: checkout-5f6c7d8e9a
   * (11:05) and gateway-6b8c9d7f4e (11:45, in progress). Not: checkout-7d9f8b6c5d (two days ago), the
   * legacy cart row (30 days ago, and its id has no cluster), staging's checkout (staging's world is empty)
   */
  'infra.deployments': 2,
  /**
   * checkout-5f6c7d8e9a's snapshot against checkout-7d9f8b6c5d's (gateway's has none):
   *  availability (179900 - 2210) × 100 / 179900 = 98.77 < 99.9 (checkout's check config) → -SLO
   *  latency: le 0.25 (its objective bucket) holds 93 % of requests < 99 → -SLO
   *  CPU per request 402.7 / 179900 vs 221.4 / 184200: +86 % (> 5 %) → -CPU
   *  memory 428.5 MB vs 412 MB: +4 % (not > 5 %), no OOM kill, leak 0.4 % (not > 5 %) → nothing
   *  restarts 2 − OOM kills 0 > 0 → -Instances
   *  log errors per request 311 / 179900 vs 12 / 184200: +2,550 % → -Logs
   */
  'infra.deployment_summaries': { '-CPU': 1, '-Instances': 1, '-Logs': 1, '-SLO': 2 },
} as const;

/**
 * metrics_count of every query with series: one series per node for the node queries and kube_node_info,
 * 6 pods, 8 containers (checkout ×2, gateway + envoy, ledger, postgres + exporter, coredns), one typed
 * container, 4 + 1 workload replicas series, one exporter series each, and 4 (app, dest) pairs per
 * rr_connection rule written. Every other query of the 280 answers 0 series; none fails.
 */
const DEMO_EXPECTED_QUERY_COUNTS: Record<string, number> = {
  node_info: 4, node_agent_info: 4, node_cloud_info: 4, node_cpu_cores: 4, node_memory_total_bytes: 4, node_net_ip: 4, kube_node_info: 4,
  kube_pod_info: 6, container_cpu_usage: 8, container_memory_rss: 8, container_application_type: 1,
  kube_deployment_spec_replicas: 4, kube_statefulset_replicas: 1, pg_up: 1, pg_info: 1,
  rr_connection_tcp_successful: 4, rr_connection_tcp_active: 4,
};

function field(payload: Record<string, any>, path: string): unknown { // any: walking a parsed payload by dotted path
  return path.split('.').reduce((v: any, k) => v?.[k], payload);
}

test('the README main command prints the demo payload, every DB- and cache-derived field as the fixtures derive it', () => {
  const result = runBin(['show', '--data-dir', DEMO_DIR, '--at', DEMO_NOW_ISO, '--format', 'raw', '--no-profile']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(masked(result.stdout), masked(golden));
  const payload = JSON.parse(result.stdout.toString());
  assert.equal(payload.instance.uuid, DEMO_INSTANCE_UUID);
  for (const [path, expected] of Object.entries(DEMO_EXPECTED_DB_STATS)) assert.deepEqual(field(payload, path), expected, path);
  for (const [path, expected] of Object.entries(DEMO_EXPECTED_WORLD_STATS)) assert.deepEqual(field(payload, path), expected, path);
  const queries = payload.performance.constructor.queries as Record<string, { metrics_count: number; failed: boolean }>;
  assert.equal(Object.keys(queries).length, 280);
  for (const [name, q] of Object.entries(queries)) {
    assert.equal(q.failed, false, name);
    assert.equal(q.metrics_count, DEMO_EXPECTED_QUERY_COUNTS[name] ?? 0, name);
  }
  // production's world and staging's empty world both count in the average
  assert.ok(payload.ux.world_load_time_avg > 0);
  // staging's empty world is audited last, and an audit of no applications times no stage
  assert.deepEqual(payload.performance.auditor.stages, {});
});

test('the annotated and table views say which source each project used and over which window', async () => {
  for (const format of ['annotated', 'table']) {
    const result = await runCli(['show', '--data-dir', DEMO_DIR, '--at', DEMO_NOW_ISO, '--format', format, '--no-profile']);
    assert.equal(result.code, 0, result.stderr);
    const text = result.stdout.toString().replace(/\s*│\s*/g, ' ').replace(/\s+/g, ' ');
    assert.match(text, /metrics source cache, per non-multicluster project: production: cache, window 2026-11-20T10:59:00Z\.\.2026-11-20T11:59:00Z, step 15s; staging: cache, window 2026-11-20T10:58:30Z\.\.2026-11-20T11:58:30Z, step 0/, format);
  }
  // production and staging both load a world: the order-dependent fields say whose order this is
  const annotated = (await runCli(['show', '--data-dir', DEMO_DIR, '--at', DEMO_NOW_ISO, '--format', 'annotated', '--no-profile'])).stdout.toString();
  for (const field of ['"components"', '"auditor"', '"queries"']) {
    assert.match(annotated.split('\n').find((l) => l.trimStart().startsWith(`${field}:`))!, /2 projects loaded a world: Coroot visits projects in Go map order/, field);
  }
  // the table view opens with one row per project: production's world has the 4 nodes and 5 applications
  // (4 Deployments and the StatefulSet) of the payload; staging's empty world none
  const table = await runCli(['show', '--data-dir', DEMO_DIR, '--at', DEMO_NOW_ISO, '--format', 'table', '--no-profile']);
  const row = (project: string) => table.stdout.toString().split('\n').find((l) => l.startsWith(`│ ${project} `))!.split('│').map((c) => c.trim());
  assert.deepEqual(row('production').slice(3, 6), ['4', '5', '0']);
  assert.deepEqual(row('staging').slice(3, 6), ['0', '0', '0']);
  const none = await runCli(['show', '--data-dir', DEMO_DIR, '--at', DEMO_NOW_ISO, '--format', 'annotated', '--source', 'none', '--no-profile']);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout.toString(), /metrics source: none/);
  assert.match(none.stdout.toString(), /"nodes": 0,/);
});

test('without --at a stopped cache is read as of its last update; --at now and send use the clock', async () => {
  // the demo's cache state was last written at 11:59:30 (production's queries); today is long after
  const LAST_UPDATE = '2026-11-20T11:59:30Z';
  const plain = await runCli(['show', '--data-dir', DEMO_DIR, '--no-profile', '--format', 'raw']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, new RegExp(`^warning: the metrics cache was last updated at ${LAST_UPDATE}, more than an hour ago: building the payload as of then`));
  const pinned = await runCli(['show', '--data-dir', DEMO_DIR, '--no-profile', '--format', 'raw', '--at', LAST_UPDATE]);
  assert.deepEqual(masked(plain.stdout), masked(pinned.stdout));
  assert.equal(JSON.parse(plain.stdout.toString()).infra.nodes, 4);

  const now = await runCli(['show', '--data-dir', DEMO_DIR, '--no-profile', '--format', 'raw', '--at', 'now']);
  assert.equal(now.code, 0, now.stderr);
  assert.match(now.stderr, /project "production": the cache ends at 1795175940, more than 3600s before/);
  assert.equal(JSON.parse(now.stdout.toString()).infra.nodes, 0);

  // send builds what Coroot would send now: no world from a stopped cache
  const dry = await runCli(['send', '--data-dir', DEMO_DIR, '--no-profile', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.doesNotMatch(dry.stderr, /last updated/);
  const body = dry.stdout.subarray(dry.stdout.indexOf('\r\n\r\n') + 4);
  assert.equal(JSON.parse(body.toString()).infra.nodes, 0);
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
  // Coroot keeps its metrics cache in DATA_DIR whatever its database
  cpSync(join(DEMO_DIR, 'cache'), join(dir, 'cache'), { recursive: true });
  const result = await runCli(['show', '--data-dir', dir, '--at', DEMO_NOW_ISO, '--format', 'raw', '--no-profile'],
    { env: cleanEnv({ PG_CONNECTION_STRING: postgresDatabaseUrl(url, 'coroot_demo') }) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(masked(result.stdout), masked(golden.toString().replace('"database_type":"sqlite"', '"database_type":"postgres"')));
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
  // everything but the profile section and the timings is the golden payload
  assert.deepEqual(masked(result.stdout), masked(golden));
});
