/**
 * The node-level world against a real Prometheus loaded with fixtures/metrics/cluster.om (built by
 * fixtures/metrics/build-cluster.ts). Expected values are derived by hand from Coroot v1.24.5's rules;
 * each derivation is written next to its assertion.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { END } from '../fixtures/metrics/build-cluster.js';
import { applyWorldToPayload } from '../src/model/collect-world.js';
import { PrometheusSource } from '../src/sources/prometheus.js';
import { loadProjectWorld, STAGES, type ConstructorProfile, type LoadedWorld } from '../src/world/load.js';
import { nodeName } from '../src/world/model.js';
import type { CloudPricingModel } from '../src/world/pricing.js';
import { last } from '../src/world/timeseries.js';
import { loadCurrentProjectWorld } from '../src/world/project.js';
import { detectStep, worldWindow } from '../src/world/window.js';
import { payloadBeforeProjects } from './helpers/payload.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = join(root, 'fixtures', 'metrics', 'cluster.om');
const WINDOW = { from: END - 3600, to: END, step: 30 };

describe('world from a real Prometheus: nodes', () => {
  let prometheus: PrometheusServer;
  let source: PrometheusSource;
  let profile: ConstructorProfile;
  let world: LoadedWorld;

  before(async () => {
    prometheus = await startPrometheus([fixture]);
    source = new PrometheusSource({ url: prometheus.url, timeoutMs: 20_000 });
    profile = { stages: {}, queries: {} };
    world = await loadProjectWorld({ id: 'proj1' }, source, WINDOW, profile);
  });
  after(async () => {
    await source?.close();
    await prometheus?.stop();
  });

  it('loads without failures and records all 280 stats-path queries', () => {
    assert.equal(world.error, null, JSON.stringify(world.failures));
    const queries = profile.queries!;
    assert.equal(Object.keys(queries).length, 280);
    for (const [name, s] of Object.entries(queries)) {
      assert.equal(s.failed, false, name);
      assert.ok(s.query_time > 0 && Math.fround(s.query_time) === s.query_time, `${name}: float32 seconds since the batch start`);
    }
  });

  it('counts series after the label allow-list and the window, as the cache would hold them', () => {
    const q = profile.queries!;
    // node_info: node-a's two raw series differ only in job/instance, which are not kept, so they merge
    // into 1; node-b, node-c, node-g 1 each; node-d 2 (the kernel label changed); "ghost" has no node id
    // but is still a series; node-old's samples end 30 min before the window (outside the 5 min
    // lookback) so Prometheus returns nothing for it: 1 + 3 + 2 + 1 = 7
    assert.equal(q.node_info!.metrics_count, 7);
    // node_agent_info: a, b, c, d (1.25.0 and 1.26.1) = 5; node-old's 0.9.0 is outside the window
    assert.equal(q.node_agent_info!.metrics_count, 5);
    // node_cpu_cores: a, b, c, d (its series ends 15 min before the end, still inside), g = 5
    assert.equal(q.node_cpu_cores!.metrics_count, 5);
    assert.equal(q.kube_node_info!.metrics_count, 2);
    assert.equal(q.node_gpu_info!.metrics_count, 2);
    // two containers of one pod: the only query here with container ids, so the only cardinality
    assert.equal(q.container_cpu_usage!.metrics_count, 2);
    assert.deepEqual(q.container_cpu_usage!.cardinality, { container_id: 2 });
    assert.equal(q.node_info!.cardinality, undefined);
    // recording rules are Coroot's own: Prometheus has none of them
    for (const name of ['rr_connection_tcp_successful', 'rr_application_log_messages', 'rr_connection_l7_requests_raw']) {
      assert.deepEqual(q[name], { metrics_count: 0, query_time: q[name]!.query_time, failed: false });
    }
  });

  it('times every stage into the profile', () => {
    const stages = profile.stages!;
    for (const name of Object.keys(stages)) assert.ok((STAGES as readonly string[]).includes(name), name);
    for (const name of ['query', 'load_nodes', 'load_containers'] as const) assert.ok(stages[name]! > 0, name);
  });

  it('builds the nodes with Coroot\'s identity and attribute rules', () => {
    const byName = new Map(world.nodes.map((n) => [nodeName(n), n]));
    // 6 from node_info/kube_node_info (a, b, c, d, g; e from kube_node_info alone) + rds + elasticache
    assert.deepEqual([...byName.keys()].sort(), [
      'elasticache:cache-0001', 'node-a', 'node-b', 'node-c', 'node-d', 'node-e', 'node-g', 'rds:db-1',
    ]);
    const a = byName.get('node-a')!;
    // kube_node_info joined node-a through the dash-less system_uuid
    assert.equal(a.k8sName.value(), 'ip-10-0-0-1.ec2.internal');
    assert.equal(a.cloudProvider.value(), 'aws');
    const c = byName.get('node-c')!;
    // GPU-1111, GPU-2222 from node_gpu_info, and "" from the temperature series without gpu_uuid
    assert.deepEqual([...c.gpus.keys()].sort(), ['', 'GPU-1111', 'GPU-2222']);
    // Azure with a numeric zone: region-zone
    assert.equal(c.availabilityZone.value(), 'eastus-1');
    assert.equal(last(c.cpuCapacity), Math.fround(7.9));
    const d = byName.get('node-d')!;
    // the series with the newest sample wins: 1.26.1 / hetzner-2 are seen up to the end, the old ones
    // only up to END-1530 (last sample END-1800 plus the 5 min lookback)
    assert.equal(d.agentVersion.value(), '1.26.1');
    assert.equal(d.kernelVersion.value(), '6.1.0-hetzner-2');
    assert.ok(Number.isNaN(last(d.cpuCapacity)), 'no sample within 5 min of the end: Last() is NaN');
    const e = byName.get('node-e')!;
    assert.equal(e.id.systemUuid, 'eeeeeeee000000000000000000000005');
    assert.equal(e.id.machineId, e.id.systemUuid);
    assert.equal(e.kernelVersion.value(), '5.10.0-ksm');
    assert.equal(byName.get('node-g')!.id.systemUuid, 'gggg0000gggg0000gggg0000gggg0000');
    assert.equal(last(byName.get('rds:db-1')!.cpuCapacity), 2);
  });

  it('gives the node-level payload fields', () => {
    const payload = payloadBeforeProjects();
    applyWorldToPayload(payload, world, END);
    // nodes: a, b, c, d, e, g, rds:db-1, elasticache:cache-0001
    assert.equal(payload.infra.nodes, 8);
    // int(Last()) per node when > 0: a 2, b 4, c float32(7.9) → 7, d NaN (skipped), e none, g 1.5 → 1,
    // rds 2, elasticache none: 2 + 4 + 7 + 1 + 2 = 16
    assert.equal(payload.infra.cpu_cores, 16);
    // node-c's three GPUs
    assert.equal(payload.infra.gpus, 3);
    // "" (e, g, the managed nodes) is dropped by StringSet.Add; sorted
    assert.deepEqual(payload.integration.node_agent_versions, ['1.25.2', '1.26.0', '1.26.1']);
    assert.deepEqual(payload.infra.kernel_versions, ['4.19.0', '5.10.0-ksm', '5.15.0-gke', '6.1.0-aws', '6.1.0-hetzner-2', '6.8.0-azure']);
    // AWS (a, rds, elasticache), GCP, Azure, Hetzner, lower-cased
    assert.deepEqual(payload.stack.clouds, ['aws', 'azure', 'gcp', 'hetzner']);
    assert.equal(payload.integration.node_agent, true);
    // required: container ids /k8s/default/web-1/...; installed: a kube_pod_info series
    assert.equal(payload.integration.kube_state_metrics, true);
    assert.equal(payload.integration.fluxcd, true);
    assert.equal(payload.integration.argocd, false);
    // no cloud-pricing dump: Coroot's pricing manager has no model, so no node has a price
    assert.equal(payload.integration.cloud_costs, false);
  });

  it('finds node prices when a cloud-pricing dump is loaded', async () => {
    type Compute = NonNullable<NonNullable<CloudPricingModel['aws']>['compute']>;
    const dump = (compute: Compute): CloudPricingModel => ({ aws: { compute, managed_db: null, managed_cache: null }, gcp: null, azure: null });
    // node-a is the only node with both CPU and memory: AWS us-east-1 m5.large
    const priced = await loadProjectWorld({ id: 'proj1' }, source, WINDOW, { stages: {}, queries: {} }, {
      cloudPricing: dump({ 'us-east-1': { 'm5.large': { on_demand: 0.096, spot: 0.035 } } }),
    });
    assert.deepEqual(priced.nodes.filter((n) => n.price !== null).map(nodeName), ['node-a']);
    const payload = payloadBeforeProjects();
    applyWorldToPayload(payload, priced, END);
    assert.equal(payload.integration.cloud_costs, true);
    // a dump without that instance type prices nothing: the other nodes lack memory, custom pricing included
    const unpriced = await loadProjectWorld({ id: 'proj1' }, source, WINDOW, { stages: {}, queries: {} }, { cloudPricing: dump({}) });
    assert.ok(unpriced.nodes.every((n) => n.price === null));
  });

  it('adds projects up: sums and unions', () => {
    const payload = payloadBeforeProjects();
    applyWorldToPayload(payload, world, END);
    applyWorldToPayload(payload, world, END);
    assert.equal(payload.infra.nodes, 16);
    assert.equal(payload.infra.cpu_cores, 32);
    assert.deepEqual(payload.stack.clouds, ['aws', 'azure', 'gcp', 'hetzner']);
  });

  it('applies the project\'s extra selector to every selector', async () => {
    const narrowed = new PrometheusSource({ url: prometheus.url, extraSelector: '{hostname="node-g"}' });
    try {
      const p: ConstructorProfile = { stages: {}, queries: {} };
      const w = await loadProjectWorld({ id: 'proj1' }, narrowed, WINDOW, p);
      assert.equal(w.error, null);
      assert.equal(p.queries!.node_info!.metrics_count, 1);
      // node_cpu_cores series have no hostname label, so nothing matches
      assert.equal(p.queries!.node_cpu_cores!.metrics_count, 0);
      assert.deepEqual(w.nodes.map(nodeName), ['node-g']);
    } finally {
      await narrowed.close();
    }
  });

  it('detects the scrape interval and derives the window', async () => {
    // scrapes every 30 s: with a 30 s refresh interval the step stays 30; with 15 s, round(30/15)·15 = 30
    assert.deepEqual(await detectStep(source, 30, END), { step: 30, error: null });
    assert.deepEqual(await detectStep(source, 15, END), { step: 30, error: null });
    // with a 60 s refresh interval, round(30/60)·60 = 60 (Go rounds half away from zero), not larger: 60
    assert.deepEqual(await detectStep(source, 60, END), { step: 60, error: null });
    assert.deepEqual(worldWindow(END + 29, 30), { from: END - 3600 - 120, to: END - 120, step: 30 });
  });

  it('loads the current world of a project, or reports it stale when Prometheus cannot be probed', async () => {
    // collection at END + 2 min: step 30, window [END - 3600, END]
    const p: ConstructorProfile = { stages: {}, queries: {} };
    const current = await loadCurrentProjectWorld({ id: 'proj1' }, source, 30, END + 120, p);
    assert.equal(current.status, 'loaded');
    if (current.status === 'loaded') {
      assert.deepEqual(current.window, WINDOW);
      assert.equal(current.world.nodes.length, 8);
    }
    const down = new PrometheusSource({ url: 'http://127.0.0.1:1', timeoutMs: 2000 });
    try {
      const empty: ConstructorProfile = { stages: {}, queries: {} };
      const stale = await loadCurrentProjectWorld({ id: 'proj1' }, down, 30, END, empty);
      assert.equal(stale.status, 'stale');
      assert.deepEqual(empty, { stages: {}, queries: {} });
    } finally {
      await down.close();
    }
  });

  it('returns an empty loaded world without stages or queries for a zero step', async () => {
    const p: ConstructorProfile = { stages: {}, queries: {} };
    const w = await loadProjectWorld({ id: 'proj1' }, source, { from: END - 3600, to: END, step: 0 }, p);
    assert.equal(w.error, null);
    assert.equal(w.nodes.length, 0);
    assert.deepEqual(p, { stages: {}, queries: {} });
  });
});
