/**
 * One cluster read two ways: from a real Prometheus (`--prometheus-url`) and from a Coroot metrics cache
 * (`--source cache`) that the cache writer filled the way Coroot's updater does, with the results of the
 * same queries over the same Prometheus, in 10-minute v4 chunks (fixtures/cache-cluster.ts). Both payloads
 * must agree on every non-runtime field, with one designed exception: the recording rules.
 *
 * The Prometheus path rebuilds rr_connection_* from the per-instance connection queries and answers every
 * other rr_* query with 0 series; the cache path reads whatever rr_* series the cache holds, nothing is
 * rebuilt. So:
 *  - fixtures/metrics/cluster.om (nodes, RDS, ElastiCache, one pod, no connection): no rr_connection_*
 *    series on either side. The cache also holds one rr_application_traffic series: that query's
 *    metrics_count is 1 from the cache and 0 from Prometheus, and nothing else changes (the traffic stage
 *    builds nothing the payload reads).
 *  - fixtures/metrics/apps.om (applications that talk to each other): the cache holds, as the updater
 *    would, one rr_connection_tcp_successful series per (app, dest) link of the Prometheus world and one
 *    rr_connection_external_endpoints series per endpoint of its ExternalServices. The rebuild finds
 *    exactly those (7 links, 1 endpoint; the cluster has no traffic the other rules count), so the two
 *    payloads are equal, query statistics included. A cache whose updater also stored other
 *    rr_connection_* rules (active connections, bytes, latency, L7) would count them where this rebuild
 *    counts 0 for a cluster without those metrics.
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
import { END, SCRAPE_INTERVAL } from '../fixtures/metrics/openmetrics.js';
import { maskVolatile } from '../src/diff/volatile.js';
import { applicationIdString } from '../src/model/application-id.js';
import { PrometheusSource } from '../src/sources/prometheus.js';
import { ApplicationKind } from '../src/world/application-id.js';
import { loadProjectWorld } from '../src/world/load.js';
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
after(() => rmSync(work, { recursive: true, force: true }));

type RuleSeries = Map<string, CachedSeries[]>;

/** What Coroot's updater would have stored: every raw stats-path query asked of Prometheus over the cached span, plus `rules`. */
async function cacheFromPrometheus(url: string, projectId: string, rules: RuleSeries): Promise<SteadyStateCache> {
  const source = new PrometheusSource({ url });
  const from = RAW_LAST - HISTORY - 1200;
  const window = { from: from - (from % STEP), to: RAW_LAST, step: STEP };
  const series = new Map<string, CachedSeries[]>(rules);
  try {
    for (const q of constructorQueries(window, STEP)) {
      if (q.recordingRule) continue;
      const { metrics } = await source.queryRange({ ...q, window });
      if (metrics.length === 0) continue;
      series.set(q.query, metrics.map((mv) => ({ pairs: seriesPairs(mv), value: (t: number) => mv.values[(t - window.from) / STEP] })));
    }
  } finally {
    await source.close();
  }
  return { projectId, step: STEP, rawLast: RAW_LAST, history: HISTORY, series };
}

interface Setup {
  prometheus: PrometheusServer;
  dataDir: string;
}

async function setup(omFile: string, projectId: string, rules: (prometheusUrl: string) => Promise<RuleSeries>): Promise<Setup> {
  const prometheus = await startPrometheus([join(root, 'fixtures', 'metrics', omFile)]);
  const cache = await cacheFromPrometheus(prometheus.url, projectId, await rules(prometheus.url));
  // every recording rule has a state row one step behind, as in the updater, even without series
  const rrRows = Object.values(RR).filter((name) => !cache.series.has(name))
    .map((query) => ({ project_id: projectId, query, last_ts: RAW_LAST - STEP, last_error: '' }));
  const dataDir = join(work, omFile);
  buildSqliteDataDir(dataDir, {
    instanceUuid: '4423595b-9d97-4e01-a19f-8e3d60c83b2a',
    users: [{ email: 'admin', name: 'Admin', password: 'x', roles: rolesJson(['Admin']) }],
    projects: [{ id: projectId, name: 'production', prometheus: prometheusJson({ url: prometheus.url, refreshMs: 30000 }), settings: '{"integrations":{"aws":null}}' }],
    cacheState: [...steadyStateRows(cache), ...rrRows],
  });
  assert.ok(writeSteadyStateChunks(join(dataDir, 'cache'), cache) > 50);
  return { prometheus, dataDir };
}

type Payload = { performance: { constructor: { queries: Record<string, { metrics_count: number }> } } } & Record<string, unknown>;

async function bothPayloads(s: Setup): Promise<{ cache: Payload; prometheus: Payload }> {
  const args = ['show', '--data-dir', s.dataDir, '--at', String(AT), '--no-profile', '--format', 'raw'];
  const fromCache = await runCli([...args, '--source', 'cache']);
  assert.equal(fromCache.code, 0, fromCache.stderr);
  const fromPrometheus = await runCli([...args, '--prometheus-url', s.prometheus.url]);
  assert.equal(fromPrometheus.code, 0, fromPrometheus.stderr);
  return { cache: JSON.parse(fromCache.stdout.toString()) as Payload, prometheus: JSON.parse(fromPrometheus.stdout.toString()) as Payload };
}

describe('cache vs Prometheus: the node cluster', () => {
  let s: Setup;
  before(async () => {
    s = await setup('cluster.om', 'proj1', async () => new Map([
      [RR.applicationTraffic, [{ pairs: [['app', 'proj1:default:Deployment:web'], ['kind', 'inbound']], value: 1 }]],
    ]));
  });
  after(async () => s?.prometheus.stop());

  test('every non-runtime field agrees; only rr_application_traffic counts differently', async () => {
    const { cache: c, prometheus: p } = await bothPayloads(s);
    // the comparison means something: the cluster's world was loaded on both sides
    assert.equal((p.infra as { nodes: number }).nodes, 8);
    assert.equal(Object.keys(p.performance.constructor.queries).length, 280);
    assert.equal(c.performance.constructor.queries[RR.applicationTraffic]!.metrics_count, 1);
    assert.equal(p.performance.constructor.queries[RR.applicationTraffic]!.metrics_count, 0);
    c.performance.constructor.queries[RR.applicationTraffic]!.metrics_count = 0;
    assert.deepEqual(maskVolatile(c), maskVolatile(p));
  });

  test('--source contradicting --prometheus-url is a usage error', async () => {
    const result = await runCli(['show', '--data-dir', s.dataDir, '--source', 'cache', '--prometheus-url', s.prometheus.url]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--source cache contradicts --prometheus-url/);
  });
});

/** The links of the Prometheus world as the cache updater's rules would store them (see the file comment). */
async function linkRules(url: string): Promise<RuleSeries> {
  const source = new PrometheusSource({ url });
  const world = await loadProjectWorld({ id: 'p1' }, source, { from: END - 3600, to: END, step: STEP }, { stages: null, queries: null });
  await source.close();
  assert.equal(world.error, null);
  const links: CachedSeries[] = [];
  const endpoints: CachedSeries[] = [];
  for (const app of world.applications.values()) {
    for (const dest of app.upstreams.values()) {
      const ids = { app: applicationIdString(app.id), dest: applicationIdString(dest.id) };
      links.push({ pairs: Object.entries(ids), value: 1 });
      if (dest.id.kind !== ApplicationKind.ExternalService) continue;
      // the endpoints are the instances named host:port other than the one named after the destination
      // itself (loadAppToAppConnections adds that one when no IP is known); when none is left, the
      // destination was its own endpoint
      const named = dest.instances.map((i) => i.name).filter((n) => n.includes(':') && n !== dest.id.name);
      for (const name of named.length > 0 ? named : [dest.id.name]) endpoints.push({ pairs: [...Object.entries(ids), ['actual_destination', name]], value: 1 });
    }
  }
  return new Map([[RR.tcpSuccessful, links], [RR.externalEndpoints, endpoints]]);
}

describe('cache vs Prometheus: applications that talk to each other', () => {
  let s: Setup;
  before(async () => {
    s = await setup('apps.om', 'p1', linkRules);
  });
  after(async () => s?.prometheus.stop());

  test('every non-runtime field agrees, the query statistics of the rules included', async () => {
    const { cache: c, prometheus: p } = await bothPayloads(s);
    assert.ok((p.infra as { applications: number }).applications > 3);
    // the rebuild found links (tcp successful connects) and one ExternalService endpoint, nothing for
    // the other rr_connection_* rules: exactly what this cache holds
    assert.equal(p.performance.constructor.queries[RR.tcpSuccessful]!.metrics_count, 7);
    assert.equal(p.performance.constructor.queries[RR.externalEndpoints]!.metrics_count, 1);
    assert.deepEqual(maskVolatile(c), maskVolatile(p));
  });
});
