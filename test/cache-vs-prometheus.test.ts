/**
 * The same cluster (fixtures/metrics/cluster.om) read two ways: from a real Prometheus (`--prometheus-url`)
 * and from a Coroot metrics cache (`--source cache`) that the cache writer filled the way Coroot's updater
 * does, with the results of the same queries over the same Prometheus, in 10-minute v4 chunks. Both
 * payloads must agree on every non-runtime field.
 *
 * The one designed difference is the recording rules: the Prometheus path rebuilds rr_connection_* from
 * the per-instance connection queries and answers every other rr_* query with 0 series, while the cache
 * path reads whatever rr_* series the cache holds. This cluster has no connection, so both find no
 * rr_connection_* series; the cache here also holds one rr_application_traffic series, so that query's
 * metrics_count is 1 from the cache and 0 from Prometheus, and nothing else changes (the traffic stage
 * builds nothing the payload reads).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { steadyStateRows, writeSteadyStateChunks, type CachedSeries, type SteadyStateCache } from '../fixtures/cache-cluster.js';
import { seriesPairs } from '../fixtures/cache-writer.js';
import { buildSqliteDataDir, prometheusJson, rolesJson } from '../fixtures/datadir.js';
import { END, SCRAPE_INTERVAL } from '../fixtures/metrics/build-cluster.js';
import { maskVolatile } from '../src/diff/volatile.js';
import { PrometheusSource } from '../src/sources/prometheus.js';
import { constructorQueries, RR } from '../src/world/queries.js';
import { runCli } from './helpers/cli.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STEP = SCRAPE_INTERVAL;
// the Prometheus path puts the world's hour at [END - 1 h, END] for this `now` (window.ts: four steps back)
const AT = END + 4 * STEP;
// the updater's steady state for the same hour: raw queries two steps past END, rules one, GetTo one less
const RAW_LAST = END + 2 * STEP;
const HISTORY = 5400;
const work = mkdtempSync(join(tmpdir(), 'coroot-usage-cachevsprom-'));

/** What Coroot's updater would have stored: every raw stats-path query, asked of Prometheus over the cached span. */
async function cacheFromPrometheus(url: string): Promise<SteadyStateCache> {
  const source = new PrometheusSource({ url, basicAuth: null, tlsSkipVerify: false, extraSelector: '', customHeaders: null });
  const from = RAW_LAST - HISTORY - 1200;
  const window = { from: from - (from % STEP), to: RAW_LAST, step: STEP };
  const series = new Map<string, CachedSeries[]>();
  try {
    for (const q of constructorQueries(window, STEP)) {
      if (q.recordingRule) continue;
      const { metrics } = await source.queryRange({ ...q, window });
      if (metrics.length === 0) continue;
      series.set(q.query, metrics.map((mv) => ({
        pairs: seriesPairs(mv),
        value: (t: number) => mv.values[(t - window.from) / STEP],
      })));
    }
  } finally {
    await source.close();
  }
  series.set(RR.applicationTraffic, [{ pairs: [['app', 'proj1:default:Deployment:web'], ['kind', 'inbound']], value: 1 }]);
  return { projectId: 'proj1', step: STEP, rawLast: RAW_LAST, history: HISTORY, series };
}

describe('the payload from the cache equals the payload from Prometheus for the same cluster', () => {
  let prometheus: PrometheusServer;
  let dataDir: string;
  before(async () => {
    prometheus = await startPrometheus([join(root, 'fixtures', 'metrics', 'cluster.om')]);
    const cache = await cacheFromPrometheus(prometheus.url);
    // every recording rule has a state row one step behind, as in the updater, even without series
    const rrRows = Object.values(RR).filter((name) => !cache.series.has(name))
      .map((query) => ({ project_id: 'proj1', query, last_ts: RAW_LAST - STEP, last_error: '' }));
    dataDir = join(work, 'dd');
    buildSqliteDataDir(dataDir, {
      instanceUuid: '4423595b-9d97-4e01-a19f-8e3d60c83b2a',
      users: [{ email: 'admin', name: 'Admin', password: 'x', roles: rolesJson(['Admin']) }],
      projects: [{ id: 'proj1', name: 'production', prometheus: prometheusJson({ url: prometheus.url, refreshMs: 30000 }), settings: '{"integrations":{"aws":null}}' }],
      cacheState: [...steadyStateRows(cache), ...rrRows],
    });
    assert.ok(writeSteadyStateChunks(join(dataDir, 'cache'), cache) > 100);
  });
  after(async () => {
    await prometheus?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('every non-runtime field agrees; only rr_application_traffic counts differently', async () => {
    const args = ['show', '--data-dir', dataDir, '--at', String(AT), '--no-profile', '--format', 'raw'];
    const fromCache = await runCli([...args, '--source', 'cache']);
    assert.equal(fromCache.code, 0, fromCache.stderr);
    const fromPrometheus = await runCli([...args, '--prometheus-url', prometheus.url]);
    assert.equal(fromPrometheus.code, 0, fromPrometheus.stderr);
    const c = JSON.parse(fromCache.stdout.toString());
    const p = JSON.parse(fromPrometheus.stdout.toString());
    // the comparison means something: the cluster's world was loaded on both sides
    assert.equal(p.infra.nodes, 8);
    assert.equal(Object.keys(p.performance.constructor.queries).length, 280);

    assert.equal(c.performance.constructor.queries[RR.applicationTraffic].metrics_count, 1);
    assert.equal(p.performance.constructor.queries[RR.applicationTraffic].metrics_count, 0);
    c.performance.constructor.queries[RR.applicationTraffic].metrics_count = 0;
    assert.deepEqual(maskVolatile(c), maskVolatile(p));
  });

  test('--source contradicting --prometheus-url is a usage error', async () => {
    const result = await runCli(['show', '--data-dir', dataDir, '--source', 'cache', '--prometheus-url', prometheus.url]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--source cache contradicts --prometheus-url/);
  });
});
