/**
 * The small Go semantics the world depends on, checked without a Prometheus: query set, PromQL rewrites,
 * string and address functions, cardinality statistics, label-last-value and float32 → int.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goInt, MIN_INT64 } from '../src/model/collect-world.js';
import type { MetricValues } from '../src/sources/metrics.js';
import { addExtraSelector, substituteRange } from '../src/sources/promql.js';
import { newApplicationId } from '../src/world/application-id.js';
import { calcApplicationCategory, isAuxiliaryCategory } from '../src/world/categories.js';
import { customSliQueries, parseCheckConfigs } from '../src/world/check-configs.js';
import { goToLower, parsesAsInt8, splitN } from '../src/world/gostrings.js';
import { PrometheusSource } from '../src/sources/prometheus.js';
import { goSeconds, loadProjectWorld, type ConstructorProfile } from '../src/world/load.js';
import { nodeIdFromLabels } from '../src/world/model.js';
import { classifyHost, splitHostPortHost } from '../src/world/netaddr.js';
import { constructorQueries, QUERIES } from '../src/world/queries.js';
import { cardinalityStats, recordQuery } from '../src/world/query-stats.js';
import { LabelLastValue, lastNotNull, mergeAny } from '../src/world/timeseries.js';
import { freePort } from './helpers/services.js';

const mv = (fields: Partial<MetricValues>): MetricValues => ({
  labels: {}, machineId: '', systemUuid: '', containerId: '', destination: '', actualDestination: '', destIp: false,
  values: new Float32Array([1]), ...fields,
});

describe('stats-path query set', () => {
  it('has Coroot\'s 329 definitions and 280 stats keys', () => {
    assert.equal(QUERIES.length, 329);
    assert.equal(QUERIES.filter((q) => q.instanceToInstance).length, 67);
    const batch = constructorQueries({ from: 100_000, to: 103_600, step: 30 }, 30);
    assert.equal(batch.length, 280);
    assert.equal(batch.filter((q) => q.recordingRule).length, 19);
    assert.ok(!batch.some((q) => q.name === 'container_log_messages'));
    const raw = batch.find((q) => q.name === 'rr_connection_l7_requests_raw')!;
    // min(from, to − 6 h) = 82 000, truncated to the raw step
    assert.deepEqual(raw.window, { from: 81_990, to: 103_590, step: 30 });
    assert.deepEqual(batch.find((q) => q.name === 'node_info')!.window, { from: 99_990, to: 103_590, step: 30 });
    const kubePodInfo = batch.find((q) => q.name === 'kube_pod_info')!;
    assert.deepEqual([...kubePodInfo.labels].sort(), [
      'actual_destination', 'container_id', 'created_by_kind', 'created_by_name', 'destination', 'destination_ip', 'host_ip',
      'machine_id', 'namespace', 'node', 'pod', 'pod_ip', 'system_uuid', 'uid',
    ]);
  });

  it('shares one stats key among custom SLI queries', () => {
    const batch = constructorQueries({ from: 0, to: 3600, step: 60 }, 60, [
      { applicationId: 'p:ns:Deployment:a', kind: 'total_requests', query: 'sum(rate(a_total[$RANGE]))' },
      { applicationId: 'p:ns:Deployment:a', kind: 'requests_histogram', query: 'sum by(le)(rate(a_bucket[$RANGE]))' },
    ]);
    assert.equal(batch.length, 282);
    const custom = batch.filter((q) => q.statsName === 'application_custom_sli_raw');
    assert.deepEqual(custom.map((q) => q.name), [
      'application_custom_sli/p:ns:Deployment:a/total_requests_raw', 'application_custom_sli/p:ns:Deployment:a/requests_histogram_raw',
    ]);
    assert.ok(custom[1]!.labels.has('le'));
  });

  it('takes custom SLIs from each application\'s own, a glob-matching or the project-level config', () => {
    const availability = (total: string, custom = true) => JSON.stringify([{ custom, total_requests_query: total, failed_requests_query: `${total}_failed`, objective_percentage: 99 }]);
    const cc = parseCheckConfigs('p', [
      // the project level: every application in check configs without a closer config inherits it
      { applicationId: 'p:::', configs: `{"SLOAvailability":${availability('proj')}}` },
      // its own config, not custom: no availability query, even though the project's is custom
      { applicationId: 'p:ns:Deployment:own', configs: `{"SLOAvailability":${availability('own', false)}}` },
      // a config of another check only: inherits through the glob, then the project level
      { applicationId: 'p:ns:Deployment:api', configs: '{"DeploymentStatus":{"threshold":60}}' },
      { applicationId: 'ns:Deployment:a*', configs: `{"SLOLatency":[{"custom":true,"histogram_query":"h_bucket"}]}` },
      // an undecodable config falls back to the default, which is not custom; fields absent are ""
      { applicationId: 'p:ns:Deployment:bad', configs: '{"SLOAvailability":{"custom":true},"SLOLatency":[{"custom":true}]}' },
    ]);
    assert.deepEqual(customSliQueries(cc).map((q) => `${q.applicationId} ${q.kind} ${q.query}`), [
      // the project level is ApplicationIdZero, whose String() is ":::"
      '::: total_requests sum(rate(proj[$RANGE]))',
      '::: failed_requests sum(rate(proj_failed[$RANGE]))',
      'p:ns:Deployment:api total_requests sum(rate(proj[$RANGE]))',
      'p:ns:Deployment:api failed_requests sum(rate(proj_failed[$RANGE]))',
      'p:ns:Deployment:api requests_histogram sum by(le)(rate(h_bucket[$RANGE]))',
      // the glob id itself: its own latency config, the project's availability
      'p:ns:Deployment:a* total_requests sum(rate(proj[$RANGE]))',
      'p:ns:Deployment:a* failed_requests sum(rate(proj_failed[$RANGE]))',
      'p:ns:Deployment:a* requests_histogram sum by(le)(rate(h_bucket[$RANGE]))',
      'p:ns:Deployment:bad requests_histogram sum by(le)(rate([$RANGE]))',
    ]);
  });
});

describe('PromQL rewrites', () => {
  it('puts three steps in $RANGE', () => {
    assert.equal(substituteRange('rate(x[$RANGE]) / rate(y[$RANGE])', 30), 'rate(x[90s]) / rate(y[90s])');
  });

  it('appends the extra selector to every vector selector and nothing else', () => {
    const sel = '{coroot_project_id="p1"}';
    assert.equal(
      addExtraSelector('sum by(app_id, destination) (rate(c_total{app_id!=""}[90s])) or rate(c_total{app_id=""}[90s])', sel),
      'sum by(app_id, destination) (rate(c_total{app_id!="",coroot_project_id="p1"}[90s])) or rate(c_total{app_id="",coroot_project_id="p1"}[90s])',
    );
    assert.equal(addExtraSelector('a / ignoring(mode) group_left sum(b) without(mode) * 100', sel),
      'a{coroot_project_id="p1"} / ignoring(mode) group_left sum(b{coroot_project_id="p1"}) without(mode) * 100');
    assert.equal(addExtraSelector('{__name__="up"} offset 5m', '{a="}"}'), '{__name__="up",a="}"} offset 5m');
    assert.equal(addExtraSelector('up', 'job'), 'up{__name__="job"}');
  });

  it('rejects malformed selectors and queries', () => {
    assert.throws(() => addExtraSelector('up', '{a=b}'));
    assert.throws(() => addExtraSelector('up', '{a="b"'));
    assert.throws(() => addExtraSelector('rate(up[5m]', '{a="b"}'));
    assert.throws(() => addExtraSelector('up{a="b}', '{a="b"}'));
  });
});

describe('Go string and address semantics', () => {
  it('lower-cases like strings.ToLower', () => {
    assert.equal(goToLower('AWS'), 'aws');
    // JS gives "i̇bm" and a final sigma; Go maps code point by code point
    assert.equal(goToLower('İBM'), 'ibm');
    assert.equal(goToLower('ΟΔΟΣ'), 'οδοσ');
  });

  it('parses int8 and splits like SplitN', () => {
    assert.deepEqual(['1', '-128', '127', '128', '01', '1.0', ''].map(parsesAsInt8), [true, true, true, false, true, false, false]);
    assert.deepEqual(splitN('a/b/c/d', '/', 3), ['a', 'b', 'c/d']);
    assert.deepEqual(splitN('a', '/', 2), ['a']);
  });

  it('splits host and port like net.SplitHostPort', () => {
    assert.equal(splitHostPortHost('10.0.0.1:5432'), '10.0.0.1');
    assert.equal(splitHostPortHost('[fe80::1]:80'), 'fe80::1');
    assert.equal(splitHostPortHost('db.local:'), 'db.local');
    assert.equal(splitHostPortHost('fe80::1:80'), '');
    assert.equal(splitHostPortHost('nohost'), '');
    assert.equal(splitHostPortHost('[::1]x:80'), '');
  });

  it('classifies hosts like netaddr and utils.IsIpPrivate', () => {
    assert.deepEqual(
      ['127.0.0.2', '10.1.2.3', '172.20.0.1', '192.168.1.1', '100.64.0.1', '8.8.8.8', '::1', 'fd00::1', '::ffff:10.0.0.1', '2001:db8::1', 'db.local', '010.0.0.1'].map(classifyHost),
      ['loopback', 'private', 'private', 'private', 'private', 'external', 'loopback', 'private', 'external', 'external', 'not-ip', 'not-ip'],
    );
  });
});

describe('query statistics', () => {
  it('leaves cardinality out without container ids and counts destinations otherwise', () => {
    assert.equal(cardinalityStats([mv({ destination: '10.0.0.1:80' })]), undefined);
    const stats = cardinalityStats([
      mv({ containerId: '/k8s/a/b/c', destination: '10.0.0.1:80', actualDestination: '10.0.0.2:80' }),
      mv({ containerId: '/k8s/a/b/c', destination: 'db.local:5432' }),
      mv({ containerId: '/docker/x', destination: '127.0.0.1:80' }),
      mv({ containerId: '/docker/y', destination: '1.1.1.1:53' }),
      mv({ containerId: '/docker/y', destination: '1.1.1.1:53' }),
      mv({ containerId: '/docker/z', destination: 'bad' }),
    ]);
    assert.deepEqual(stats, {
      container_id: 4,
      destination: { unique: 5, external_total: 2, external_unique: 1, private_total: 1, private_unique: 1, fqdn_total: 1, fqdn_unique: 1, loopback_total: 1 },
      actual_destination: { unique: 1, external_total: 0, external_unique: 0, private_total: 1, private_unique: 1, fqdn_total: 0, fqdn_unique: 0, loopback_total: 0 },
    });
  });

  it('adds counts and float32 times, ORs failures and overwrites cardinality', () => {
    const queries = {};
    recordQuery(queries, 'q', [mv({ containerId: '/a' })], 0.1, false);
    recordQuery(queries, 'q', [mv({}), mv({})], 0.2, true);
    assert.deepEqual(queries, { q: { metrics_count: 3, query_time: Math.fround(Math.fround(0.1) + Math.fround(0.2)), failed: true } });
  });

  it('converts durations as float32(d.Seconds())', () => {
    assert.equal(goSeconds(22_014_374n), Math.fround(0.022014374));
    assert.equal(goSeconds(3_500_000_001n), Math.fround(3.500000001));
  });
});

describe('timeseries and node rules', () => {
  const w = { from: 100, to: 160, step: 30 };

  it('keeps the label of the series with the newest sample; later series win ties', () => {
    const lv = new LabelLastValue();
    lv.update(new Float32Array([1, 1, NaN]), 'old', w);
    lv.update(new Float32Array([NaN, NaN, 1]), 'new', w);
    lv.update(new Float32Array([1, NaN, NaN]), 'older', w);
    assert.equal(lv.value(), 'new');
    lv.update(new Float32Array([NaN, 1, 1]), 'tie', w);
    assert.equal(lv.value(), 'tie');
    // Go's LastNotNull of an all-NaN series is (0, 0), which still updates an empty value
    assert.deepEqual(lastNotNull(new Float32Array([NaN]), w), { t: 0, v: 0 });
    lv.update(null, 'nil', w);
    assert.equal(lv.value(), 'tie');
  });

  it('merges with Any: the first series wins where it has a value', () => {
    assert.deepEqual([...mergeAny(new Float32Array([1, NaN, 3]), new Float32Array([7, 8, 9]))!], [1, 8, 3]);
    const only = new Float32Array([1]);
    assert.equal(mergeAny(null, only), only);
  });

  it('derives node ids like NewNodeIdFromLabels', () => {
    assert.deepEqual(nodeIdFromLabels({ machineId: 'm', systemUuid: 'a-b-c' }), { machineId: 'm', systemUuid: 'abc' });
    assert.deepEqual(nodeIdFromLabels({ machineId: '', systemUuid: 'a-b' }), { machineId: 'ab', systemUuid: 'ab' });
    assert.deepEqual(nodeIdFromLabels({ machineId: 'm', systemUuid: '' }), { machineId: 'm', systemUuid: 'm' });
  });

  it('converts float32 to int as Go on amd64', () => {
    assert.deepEqual([goInt(Math.fround(7.9)), goInt(1.5), goInt(Infinity), goInt(2 ** 63)], [7, 1, MIN_INT64, MIN_INT64]);
  });
});

describe('a world whose Prometheus is down', () => {
  it('records every query as failed, marks the world not loaded and returns quickly', async () => {
    const source = new PrometheusSource({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    const profile: ConstructorProfile = { stages: {}, queries: {} };
    const started = Date.now();
    try {
      const world = await loadProjectWorld({ id: 'p' }, source, { from: 100_000, to: 103_600, step: 30 }, profile);
      assert.match(world.error ?? '', /^261 of the world's queries failed; the last: .*ECONNREFUSED/);
      assert.equal(world.nodes.length, 0);
    } finally {
      await source.close();
    }
    assert.ok(Date.now() - started < 5000);
    const queries = Object.entries(profile.queries!);
    assert.equal(queries.length, 280);
    // the 19 recording rules never reach Prometheus, so they do not fail
    assert.equal(queries.filter(([, s]) => s.failed).length, 261);
    assert.ok(queries.every(([, s]) => s.metrics_count === 0));
    // LoadWorld stops after the query stage
    assert.deepEqual(Object.keys(profile.stages!).sort(), ['get_check_configs', 'query']);
  });
});

describe('application ids and categories', () => {
  it('normalises kinds like NewApplicationId', () => {
    const id = (kind: string, name: string) => {
      const a = newApplicationId('p1', 'ns', kind, name);
      return `${a.clusterId}:${a.namespace}:${a.kind}:${a.name}`;
    };
    assert.equal(id('ReplicaSet', 'web-7d4b9c8f6d'), 'p1:ns:Deployment:web');
    // upper-case or non-hex hashes stay ReplicaSets
    assert.equal(id('ReplicaSet', 'web-7D4B'), 'p1:ns:ReplicaSet:web-7D4B');
    assert.equal(id('ReplicaSet', 'web-xyz'), 'p1:ns:ReplicaSet:web-xyz');
    // a name that is all hex loses everything
    assert.equal(id('ReplicaSet', 'abc'), 'p1:ns:Deployment:');
    assert.equal(id('Job', 'backup-28437120'), 'p1:ns:CronJob:backup');
    assert.equal(id('Job', 'backup-18446744073709551616'), 'p1:ns:Job:backup-18446744073709551616');
    assert.equal(id('Job', 'backup-+1'), 'p1:ns:Job:backup-+1');
    assert.equal(id('', 'x'), 'p1:ns:Pod:x');
    assert.equal(id('<none>', 'x'), 'p1:ns:Pod:x');
    const empty = newApplicationId('', '', 'Unknown', 'nginx');
    assert.deepEqual(empty, { clusterId: '_', namespace: '_', kind: 'Unknown', name: 'nginx' });
  });

  it('categorises by the project\'s patterns, then the built-in ones, in name order', () => {
    const none = { applicationCategorySettings: null };
    assert.equal(calcApplicationCategory(none, 'kube-system', 'coredns'), 'control-plane');
    assert.equal(calcApplicationCategory(none, 'default', 'my-prometheus'), 'monitoring');
    // "*" does not cross "/": the system unit under "_" matches "*/systemd*"
    assert.equal(calcApplicationCategory(none, '_', 'systemd-journald'), 'control-plane');
    assert.equal(calcApplicationCategory(none, 'shop', 'web'), 'application');
    const settings = {
      applicationCategorySettings: {
        zeta: { customPatterns: ['shop/*'], raw: {} },
        alpha: { customPatterns: ['shop/web'], raw: {} },
        empty: { customPatterns: [], raw: {} },
        nulled: null,
        // custom patterns win over the built-in ones
        mine: { customPatterns: ['kube-system/coredns'], raw: {} },
      },
    };
    assert.equal(calcApplicationCategory(settings, 'shop', 'web'), 'alpha');
    assert.equal(calcApplicationCategory(settings, 'shop', 'cart'), 'zeta');
    assert.equal(calcApplicationCategory(settings, 'kube-system', 'coredns'), 'mine');
    assert.deepEqual(['monitoring', 'control-plane', 'application', 'mine'].map(isAuxiliaryCategory), [true, true, false, false]);
  });
});
