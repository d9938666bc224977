/**
 * `show` with a metrics source: a real Prometheus (Debian's) loaded with fixtures/metrics/cluster.om, read
 * through --live (the project's own integration) or --prometheus-url. The node-level values are the ones
 * derived by hand in test/world-nodes.test.ts for the same fixture and hour.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildSqliteDataDir, prometheusJson, rolesJson } from '../fixtures/datadir.js';
import { END } from '../fixtures/metrics/build-cluster.js';
import { runCli } from './helpers/cli.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Coroot's cache ends about four steps before now: this puts the world's hour at [END - 1 h, END].
const AT = String(END + 4 * 30);
const work = mkdtempSync(join(tmpdir(), 'coroot-usage-showprom-'));

describe('show with metrics from a real Prometheus', () => {
  let prometheus: PrometheusServer;
  let dataDir: string;
  before(async () => {
    prometheus = await startPrometheus([join(root, 'fixtures', 'metrics', 'cluster.om')]);
    dataDir = join(work, 'dd');
    buildSqliteDataDir(dataDir, {
      instanceUuid: '4423595b-9d97-4e01-a19f-8e3d60c83b2a',
      users: [{ email: 'admin', name: 'Admin', password: 'x', roles: rolesJson(['Admin']) }],
      projects: [
        { id: 'proj1', name: 'production', prometheus: prometheusJson({ url: prometheus.url, refreshMs: 30000 }), settings: '{"integrations":{"aws":null}}' },
        { id: 'proj2', name: 'lab', settings: '{"integrations":{"aws":null}}' },
      ],
    });
  });
  after(async () => {
    await prometheus?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('--live reads each project from its own Prometheus and fills the node fields', async () => {
    const result = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--live', '--no-profile', '--format', 'raw']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /project "lab": no Prometheus to read/);
    const p = JSON.parse(result.stdout.toString());
    assert.equal(p.infra.nodes, 8);
    assert.equal(p.infra.cpu_cores, 16);
    assert.equal(p.infra.gpus, 3);
    assert.deepEqual(p.integration.node_agent_versions, ['1.25.2', '1.26.0', '1.26.1']);
    assert.deepEqual(p.infra.kernel_versions, ['4.19.0', '5.10.0-ksm', '5.15.0-gke', '6.1.0-aws', '6.1.0-hetzner-2', '6.8.0-azure']);
    assert.deepEqual(p.stack.clouds, ['aws', 'azure', 'gcp', 'hetzner']);
    assert.equal(p.integration.node_agent, true);
    assert.equal(p.integration.kube_state_metrics, true);
    const queries = Object.values(p.performance.constructor.queries) as Array<{ failed: boolean }>;
    assert.equal(queries.length, 280);
    assert.ok(queries.every((q) => !q.failed));
    assert.ok(p.ux.world_load_time_avg > 0);
    // the last loaded world has applications: the auditor ran each of its 19 stages (times not rebuilt)
    assert.deepEqual(Object.keys(p.performance.auditor.stages), [
      'cpu', 'deployments', 'dns', 'dotnet', 'gpu', 'instances', 'jvm', 'logs', 'memcached', 'memory', 'mongodb', 'mysql', 'network',
      'nodejs', 'postgres', 'python', 'redis', 'slo', 'storage',
    ]);
    assert.ok(Object.values(p.performance.auditor.stages).every((v) => v === 0));

    // the per-project table: lab has no Prometheus, so no world and no counts
    const table = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--live', '--no-profile', '--format', 'table']);
    assert.equal(table.code, 0, table.stderr);
    const rows = table.stdout.toString().split('\n');
    const cells = (project: string) => rows.find((l) => l.startsWith(`│ ${project} `))!.split('│').map((c) => c.trim());
    assert.deepEqual(cells('production').slice(3, 5), ['8', String(p.infra.applications_by_kind === null ? 0 : Object.values(p.infra.applications_by_kind as Record<string, { applications: number }>).reduce((n, k) => n + k.applications, 0))]);
    assert.equal(cells('production')[5], '0');
    assert.deepEqual(cells('lab').slice(2, 6), ['prometheus, not loaded (no Prometheus to read)', '-', '-', '-']);
  });

  test('--prometheus-url PROJECT=URL gives the same world fields; an unreachable one fails every query', async () => {
    const direct = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--prometheus-url', `production=${prometheus.url}`, '--no-profile', '--format', 'raw']);
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(JSON.parse(direct.stdout.toString()).infra.nodes, 8);

    const down = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--prometheus-url', 'http://scraper:S3cret-pw@127.0.0.1:1', '--prometheus-timeout', '2', '--no-profile', '--format', 'raw']);
    assert.equal(down.code, 0, down.stderr);
    assert.doesNotMatch(down.stderr, /S3cret-pw/);
    const p = JSON.parse(down.stdout.toString());
    // a Prometheus that cannot answer the step probe stands for a stale cache: the project is skipped
    assert.equal(p.infra.nodes, 0);
    assert.match(down.stderr, /project "production": .*fresh metrics/);
  });

  test('a bad --prometheus-url is a usage error', async () => {
    const result = await runCli(['show', '--data-dir', dataDir, '--prometheus-url', 'ftp://x']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--prometheus-url "ftp:\/\/x": not an http\(s\) URL/);
  });
});
