/**
 * The application-level world against a real Prometheus loaded with fixtures/metrics/apps.om (built by
 * fixtures/metrics/build-apps.ts), including the rebuild of Coroot's rr_connection_* recording rules.
 * Expected values are derived by hand from Coroot v1.24.5's rules, next to each assertion.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { END } from '../fixtures/metrics/build-apps.js';
import { applyWorldToPayload } from '../src/model/collect-world.js';
import { PrometheusSource } from '../src/sources/prometheus.js';
import { applicationIdString, isStandalone } from '../src/world/applications.js';
import { endpointPort } from '../src/world/k8s.js';
import { loadProjectWorld, type ConstructorProfile, type LoadedWorld } from '../src/world/load.js';
import { payloadBeforeProjects } from './helpers/payload.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WINDOW = { from: END - 3600, to: END, step: 30 };

describe('world from a real Prometheus: applications', () => {
  let prometheus: PrometheusServer;
  let source: PrometheusSource;
  let profile: ConstructorProfile;
  let world: LoadedWorld;

  before(async () => {
    prometheus = await startPrometheus([join(root, 'fixtures', 'metrics', 'apps.om')]);
    source = new PrometheusSource({ url: prometheus.url, timeoutMs: 20_000 });
    profile = { stages: {}, queries: {} };
    world = await loadProjectWorld({ id: 'p1' }, source, WINDOW, profile);
  });
  after(async () => {
    await source?.close();
    await prometheus?.stop();
  });

  it('rebuilds the rr_connection_* series from the per-instance connections', () => {
    assert.equal(world.error, null, JSON.stringify(world.failures));
    assert.deepEqual(world.warnings, []);
    const q = profile.queries!;
    // (app, dest) pairs with traffic, after grouping in the recording world: web→api (both web pods, one
    // pair), web→api.stripe.com:443, api→DatabaseCluster pg (pg-0's listen), jobs→api (worker, through the
    // Service IP and the actual pod address), prometheus→web (a pod listen), nginx→RDS db-1 (its ipv4:port),
    // coroot→prometheus (9090). web→8.8.8.8:53 made no connection in the window (rate 0, no service, no
    // failures): no ExternalService for it
    assert.equal(q.rr_connection_tcp_successful!.metrics_count, 7);
    // one endpoint of the one ExternalService
    assert.equal(q.rr_connection_external_endpoints!.metrics_count, 1);
    for (const name of ['rr_connection_tcp_active', 'rr_connection_tcp_failed', 'rr_connection_net_latency', 'rr_connection_l7_requests']) {
      assert.equal(q[name]!.metrics_count, 0, name);
    }
    // the per-instance queries belong to the cache updater, not to the stats path
    assert.equal(q.container_net_tcp_successful_connects, undefined);
    assert.equal(Object.keys(q).length, 280);
  });

  it('builds the applications, groups and links of the stats world', () => {
    const ids = world.applications.values().map((a) => `${applicationIdString(a.id)} ${a.instances.length}${isStandalone(a) ? ' standalone' : ''} ${a.category}`);
    assert.deepEqual(ids.sort(), [
      // worker's pods moved to the custom application, StatefulSet pg's to the database cluster
      'external:external:ExternalService:api.stripe.com:443 2 application',
      'p1:_:RDS:db-1 1 application',
      'p1:_:Unknown:nginx 1 application',
      // "coroot/*" is a monitoring pattern
      'p1:coroot:DaemonSet:coroot-node-agent 1 standalone monitoring',
      'p1:coroot:Deployment:coroot 1 monitoring',
      'p1:default:CustomApplication:jobs 1 application',
      'p1:default:DatabaseCluster:pg 2 application',
      'p1:default:Deployment:api 1 application',
      'p1:default:Deployment:batch 1 standalone application',
      'p1:default:Deployment:web 2 application',
      'p1:kube-system:DaemonSet:coredns 1 standalone control-plane',
      'p1:monitoring:Deployment:prometheus 1 monitoring',
    ]);
  });

  it('gives the application-level payload fields', () => {
    const payload = payloadBeforeProjects();
    applyWorldToPayload(payload, world, END);
    // every application counts by kind, standalone and auxiliary ones included; the ExternalService has
    // the instance "34.1.2.3" (ip_to_fqdn of its name) and the endpoint "34.1.2.3:443"
    assert.deepEqual(payload.infra.applications_by_kind, {
      CustomApplication: { applications: 1, instances: 1 },
      DaemonSet: { applications: 2, instances: 2 },
      DatabaseCluster: { applications: 1, instances: 2 },
      Deployment: { applications: 5, instances: 6 },
      ExternalService: { applications: 1, instances: 2 },
      RDS: { applications: 1, instances: 1 },
      Unknown: { applications: 1, instances: 1 },
    });
    // counted: web 2, api 1, pg 2, jobs 1, db-1 1, nginx 1, api.stripe.com 2; not: batch (standalone),
    // coredns (standalone, control-plane), prometheus, coroot, coroot-node-agent (monitoring)
    assert.equal(payload.infra.applications, 7);
    assert.equal(payload.infra.instances, 10);
    // container types of counted instances (nodejs, golang, postgres, java, nginx) and the RDS engine
    assert.deepEqual(payload.stack.services, ['golang', 'java', 'nginx', 'nodejs', 'postgres']);
    // pg-0 by its exporter's address, db-1 by rds_instance_id
    assert.deepEqual(payload.stack.instrumented_services, ['postgres']);
    // the worker's JVM, now an instance of the counted "jobs"
    assert.equal(payload.integration.java_async_profiler, true);
    assert.equal(payload.integration.kube_state_metrics, true);
    // n1, n2 and the RDS instance's node
    assert.equal(payload.infra.nodes, 3);
    assert.equal(payload.infra.cpu_cores, 8);
  });

  it('reports Coroot\'s components: its own applications and, for Coroot itself, its Prometheus', () => {
    const payload = payloadBeforeProjects();
    applyWorldToPayload(payload, world, END);
    const components = (payload.performance.components ?? []).flatMap((x) => (x ? [x] : [])).sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(components.map((c) => c.id), ['p1:coroot:DaemonSet:coroot-node-agent', 'p1:coroot:Deployment:coroot', 'p1:monitoring:Deployment:prometheus']);
    const [agent, corootComponent, prom] = components;
    const approx = (v: number | null | undefined, expected: number) => assert.ok(v !== null && v !== undefined && Math.abs(v - expected) < 1e-3 * expected, `${v} ≈ ${expected}`);
    // the init container is left out; n1 has 4 cores and no memory series (Last() of nil: NaN → null)
    const c = corootComponent!.instances![0]!.containers!;
    assert.deepEqual(Object.keys(c), ['coroot']);
    const coroot = c.coroot!;
    approx(coroot.cpu_usage, 0.1);
    assert.deepEqual({ ...coroot, cpu_usage: 0 }, {
      cpu_total: 4, cpu_usage: 0, cpu_limit: 2, cpu_delay: null, cpu_throttling: null, memory_total: null,
      memory_usage: 500 * 2 ** 20, memory_limit: 2 ** 30,
      // increases over the window, counted only with the scrape target's up series: no OOM, one restart
      memory_ooms: 0, restarts: 1,
    });
    const [volume] = corootComponent!.instances![0]!.volumes!;
    approx(volume!.read_latency, 0.002);
    approx(volume!.reads, 5);
    // sdb has no write series on n1: a known disk with nil series gives null, not 0
    assert.deepEqual({ ...volume, read_latency: 0, reads: 0 }, {
      size: 10 * 2 ** 30, usage: 2 * 2 ** 30, read_latency: 0, write_latency: null, reads: 0, writes: null, read_bandwidth: null, write_bandwidth: null,
    });
    // no restart counter at all: null (NanSum of nil), no volumes: null
    const p = prom!.instances![0]!;
    assert.equal(p.volumes, null);
    assert.deepEqual({ ...p.containers!.prometheus!, cpu_usage: 0 }, {
      cpu_total: 4, cpu_usage: 0, cpu_limit: null, cpu_delay: null, cpu_throttling: null, memory_total: null, memory_usage: null,
      memory_limit: null, memory_ooms: null, restarts: null,
    });
    assert.deepEqual(Object.keys(agent!.instances![0]!.containers!), ['node-agent']);
  });

  it('leaves every application standalone without the rebuild, as a plain Prometheus would', async () => {
    const p: ConstructorProfile = { stages: {}, queries: {} };
    const plain = await loadProjectWorld({ id: 'p1' }, source, WINDOW, p, { rebuildConnections: false });
    const payload = payloadBeforeProjects();
    applyWorldToPayload(payload, plain, END);
    assert.equal(payload.infra.applications, 0);
    assert.equal(p.queries!.rr_connection_tcp_successful!.metrics_count, 0);
    // no ExternalService, and pg / jobs exist only as groups
    assert.equal(payload.infra.applications_by_kind!.ExternalService, undefined);
  });
});

describe('Service endpoint ports', () => {
  it('reads kube_endpoint_address port_number as strconv.ParseUint(s, 10, 16) with the error ignored', () => {
    // checked against Go: a range error returns the 16-bit maximum, a syntax error 0
    const cases: Array<[string, string]> = [
      ['8080', '8080'], ['00080', '80'], ['65535', '65535'], ['65536', '65535'], ['99999999999999999999999', '65535'],
      ['', '0'], ['-1', '0'], ['+80', '0'], ['8_0', '0'], [' 80', '0'],
    ];
    for (const [text, port] of cases) assert.equal(endpointPort(text), port, JSON.stringify(text));
  });
});
