/**
 * Deployments in the stats (database.md section 5): attaching the DB rows to world applications, the
 * statuses, every rule of CalcApplicationDeploymentSummary with its float32 arithmetic, the check-config
 * objectives, and the stats loop's 1-hour window and standalone/auxiliary filter. Expected values are
 * derived by hand next to each case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyWorldToPayload } from '../src/model/collect-world.js';
import type { Payload } from '../src/model/payload-schema.js';
import type { ApplicationDeploymentRecord } from '../src/sources/database/records.js';
import { Applications, type Application } from '../src/world/applications.js';
import { getLatencyObjective, getSimpleThreshold, getAvailabilityObjective, parseCheckConfigs, type CheckConfigs } from '../src/world/check-configs.js';
import {
  attachDeployments, calcDeploymentStatuses, calcDeploymentSummary, decodeMetricsSnapshot, getFastRequestsCount, type MetricsSnapshot,
} from '../src/world/deployments.js';
import type { LoadedWorld } from '../src/world/load.js';
import { newWorld } from '../src/world/model.js';

const P = 'proj';
const NONE: CheckConfigs = new Map();

function snap(o: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return { requests: 0, errors: 0, latency: null, restarts: 0, cpuUsage: 0, memoryLeakPercent: 0, memoryUsage: 0, oomKills: 0, logErrors: 0, ...o };
}

/** an app of `kind` linked to another one, so that it is not standalone */
function makeApp(apps: Applications, name: string, opts: { kind?: string; namespace?: string; category?: string; standalone?: boolean } = {}): Application {
  const app = apps.getOrCreate({ clusterId: P, namespace: opts.namespace ?? 'default', kind: opts.kind ?? 'Deployment', name }, false);
  app.category = opts.category ?? 'application';
  if (!opts.standalone) {
    const peer = apps.getOrCreate({ clusterId: P, namespace: 'default', kind: 'Deployment', name: `${name}-peer` }, false);
    app.upstreams.set(name, peer);
  }
  return app;
}

function summary(curr: MetricsSnapshot, prev: MetricsSnapshot | null, cc: CheckConfigs = NONE, opts: Parameters<typeof makeApp>[2] = {}): string[] {
  const app = makeApp(new Applications(), 'web', opts);
  return calcDeploymentSummary(app, cc, curr, prev).map((s) => (s.ok ? '+' : '-') + s.report);
}

const lat = (o: Record<string, number>) => new Map(Object.entries(o));

describe('CalcApplicationDeploymentSummary rules', () => {
  it('availability (rule 1/1b): below the objective is -SLO; recovering from a bad previous one is +SLO', () => {
    // 1000 requests, 11 errors: float32(989)*100/1000 = 98.9 < 99
    assert.deepEqual(summary(snap({ requests: 1000, errors: 11 }), null), ['-SLO']);
    // exactly 99 % is not below 99
    assert.deepEqual(summary(snap({ requests: 1000, errors: 10 }), null), []);
    assert.deepEqual(summary(snap({ requests: 1000, errors: 10 }), snap({ requests: 100, errors: 2 })), ['+SLO']);
    // a previous snapshot without requests proves nothing
    assert.deepEqual(summary(snap({ requests: 1000 }), snap({ requests: 0, errors: 0 })), []);
    // no requests: no availability rule at all, even with errors
    assert.deepEqual(summary(snap({ requests: 0, errors: 5 }), snap({ requests: 100, errors: 50 })), []);
  });

  it('availability: float32 rounding decides at the edge', () => {
    // 16,609,444 of 16,777,217 ok: in float64 98.999995 < 99; in float32 16,777,217 is 16,777,216 and the
    // quotient rounds to 99.0, not below the objective
    const req = 16_777_217;
    const ok = 16_609_444;
    assert.ok((ok * 100) / req < 99);
    assert.equal(Math.fround(Math.fround(Math.fround(ok) * 100) / Math.fround(req)), 99);
    assert.deepEqual(summary(snap({ requests: req, errors: req - ok }), null), []);
  });

  it('latency (rule 2/2b): fast share of the 0.5 s bucket, default objective 99', () => {
    // 1000 requests, 980 under 0.5 s: 98 < 99
    assert.deepEqual(summary(snap({ requests: 1000, latency: lat({ '0.100': 900, '0.500': 980, '1.000': 1000, '+Inf': 1000 }) }), null), ['-SLO']);
    // the largest bucket <= 0.5 counts: 0.250 (995) when there is no 0.500 bucket → 99.5, fine
    assert.deepEqual(summary(snap({ requests: 1000, latency: lat({ '1.000': 1000, '0.250': 995 }) }), null), []);
    // recovery: the previous one was 90 %
    const prev = snap({ requests: 100, latency: lat({ '0.500': 90 }) });
    assert.deepEqual(summary(snap({ requests: 100, latency: lat({ '0.500': 100 }) }), prev), ['+SLO']);
    // a NaN histogram (no bucket <= 0.5, or none at all) emits nothing, for curr and prev alike
    assert.deepEqual(summary(snap({ requests: 100, latency: lat({ '1.000': 10 }) }), null), []);
    assert.deepEqual(summary(snap({ requests: 100, latency: lat({ '0.500': 100 }) }), snap({ requests: 100, latency: lat({ '1.000': 1 }) })), []);
    // no requests guard: 0 requests give +Inf (or NaN for 0 fast), neither below 99
    assert.deepEqual(summary(snap({ requests: 0, latency: lat({ '0.500': 5 }) }), null), []);
    assert.deepEqual(summary(snap({ requests: 0, latency: lat({ '0.500': 0 }) }), null), []);
  });

  it('latency: auxiliary categories default to the 5 s bucket, and a project-level config keeps it at 5 s', () => {
    const h = snap({ requests: 100, latency: lat({ '0.500': 50, '5.000': 100 }) });
    assert.deepEqual(summary(h, null), ['-SLO']);
    assert.deepEqual(summary(h, null, NONE, { category: 'monitoring', namespace: 'monitoring' }), []);
    const projectLevel = parseCheckConfigs(P, [{ applicationId: ':::', configs: '{"SLOLatency":[{"objective_bucket":0.5,"objective_percentage":99}]}' }]);
    assert.deepEqual(getLatencyObjective(projectLevel, { clusterId: P, namespace: 'monitoring', kind: 'Deployment', name: 'x' }, 'monitoring'), { bucket: 5, objective: 99 });
    assert.deepEqual(getLatencyObjective(projectLevel, { clusterId: P, namespace: 'default', kind: 'Deployment', name: 'x' }, 'application'), { bucket: 0.5, objective: 99 });
  });

  it('getFastRequestsCount: keys parsed as float32, unparsable ones skipped, sorted by le', () => {
    assert.ok(Number.isNaN(getFastRequestsCount(null, 0.5)));
    assert.ok(Number.isNaN(getFastRequestsCount(lat({}), 0.5)));
    assert.ok(Number.isNaN(getFastRequestsCount(lat({ x: 1, '1e50': 2 }), 0.5)));
    assert.equal(getFastRequestsCount(lat({ '+Inf': 9, '0.5': 7, '0.1': 3, abc: 100 }), 0.5), 7);
    // float32(0.1) > 0.1 but the objective is float32 too: still "<="
    assert.equal(getFastRequestsCount(lat({ '0.1': 3 }), Math.fround(0.1)), 3);
    assert.equal(getFastRequestsCount(lat({ '0x1p-1': 4 }), 0.5), 4);
  });

  it('CPU (rule 3): per-request CPU changing by more than 5 %', () => {
    const prev = snap({ requests: 1000, cpuUsage: 10 });
    assert.deepEqual(summary(snap({ requests: 1000, cpuUsage: 11 }), prev), ['-CPU']);
    assert.deepEqual(summary(snap({ requests: 1000, cpuUsage: 9 }), prev), ['+CPU']);
    // +5 % exactly in decimal, but float32(0.0105) - float32(0.01) carries the rounding: 5.000001 > 5
    assert.equal(Math.fround(Math.fround(Math.fround(Math.fround(10.5 / 1000) - Math.fround(0.01)) * 100) / Math.fround(0.01)), 5.000000953674316);
    assert.deepEqual(summary(snap({ requests: 1000, cpuUsage: 10.5 }), prev), ['-CPU']);
    // doubling requests with doubled CPU is no change
    assert.deepEqual(summary(snap({ requests: 2000, cpuUsage: 20 }), prev), []);
    // any missing input disables the rule
    assert.deepEqual(summary(snap({ requests: 1000, cpuUsage: 20 }), null), []);
    assert.deepEqual(summary(snap({ requests: 1000, cpuUsage: 20 }), snap({ requests: 0, cpuUsage: 10 })), []);
    assert.deepEqual(summary(snap({ requests: 1000, cpuUsage: 20 }), snap({ requests: 1000, cpuUsage: 0 })), []);
  });

  it('the 5 % threshold in float32: 5.0000005 is significant, 5 is not', () => {
    // memory 100 → 105: float32(5)*100/100 = 5, not > 5
    assert.deepEqual(summary(snap({ memoryUsage: 105 }), snap({ memoryUsage: 100 })), []);
    // 20,000,001 → 21,000,002: float32(1,000,001)*100/float32(20,000,001) = 5.0000005 in float32 (> 5); 20,000,001 rounds to 20,000,000
    const diff = Math.fround(Math.fround(Math.fround(1_000_001) * 100) / Math.fround(20_000_001));
    assert.ok(diff > 5);
    assert.deepEqual(summary(snap({ memoryUsage: 21_000_002 }), snap({ memoryUsage: 20_000_001 })), ['-Memory']);
    // the memory leak rule compares the float32 percentage with 5 directly
    assert.deepEqual(summary(snap({ memoryLeakPercent: Math.fround(5) }), null), []);
    assert.deepEqual(summary(snap({ memoryLeakPercent: Math.fround(5.0000005) }), null), ['-Memory']);
  });

  it('memory (rules 4, 5, 6/6b): OOM kills, usage change, leaks — in that order, possibly twice', () => {
    assert.deepEqual(summary(snap({ oomKills: 1, restarts: 1 }), null), ['-Memory']);
    assert.deepEqual(summary(snap({ memoryUsage: 90 }), snap({ memoryUsage: 100 })), ['+Memory']);
    assert.deepEqual(summary(snap({ memoryUsage: 120 }), snap({ memoryUsage: 100 })), ['-Memory']);
    assert.deepEqual(summary(snap({ memoryUsage: 120 }), snap({ memoryUsage: 0 })), []);
    assert.deepEqual(summary(snap({ memoryLeakPercent: 10 }), null), ['-Memory']);
    assert.deepEqual(summary(snap({}), snap({ memoryLeakPercent: 10 })), ['+Memory']);
    assert.deepEqual(summary(snap({ oomKills: 2, restarts: 2, memoryUsage: 200, memoryLeakPercent: 7 }), snap({ memoryUsage: 100 })), ['-Memory', '-Memory', '-Memory']);
  });

  it('instances (rule 7): restarts not caused by OOM; there is no +Instances', () => {
    assert.deepEqual(summary(snap({ restarts: 3, oomKills: 1 }), null), ['-Memory', '-Instances']);
    assert.deepEqual(summary(snap({ restarts: 1, oomKills: 1 }), null), ['-Memory']);
    assert.deepEqual(summary(snap({}), snap({ restarts: 5 })), []);
  });

  it('logs (rule 8/8b): new errors, and errors per request changing by more than 5 %', () => {
    assert.deepEqual(summary(snap({ logErrors: 1 }), null), ['-Logs']);
    assert.deepEqual(summary(snap({ logErrors: 1 }), snap({ logErrors: 0 })), ['-Logs']);
    const prev = snap({ requests: 100, logErrors: 10 });
    assert.deepEqual(summary(snap({ requests: 100, logErrors: 5 }), prev), ['+Logs']);
    assert.deepEqual(summary(snap({ requests: 100, logErrors: 20 }), prev), ['-Logs']);
    assert.deepEqual(summary(snap({ requests: 100, logErrors: 10 }), prev), []);
    // errors without requests on either side: nothing, and errors disappearing is not reported
    assert.deepEqual(summary(snap({ requests: 0, logErrors: 20 }), prev), []);
    assert.deepEqual(summary(snap({ requests: 100, logErrors: 0 }), prev), []);
  });
});

describe('check-config objectives', () => {
  const web = { clusterId: P, namespace: 'default', kind: 'Deployment', name: 'web' };
  it('app id, then glob ids, then project level, then the default', () => {
    const rows = [
      { applicationId: ':::', configs: '{"SLOAvailability":[{"objective_percentage":95}],"DeploymentStatus":{"threshold":600}}' },
      { applicationId: 'default:Deployment:w*', configs: '{"SLOAvailability":[{"objective_percentage":97}]}' },
      { applicationId: `${P}:default:Deployment:web`, configs: '{"SLOAvailability":[{"objective_percentage":99.9}]}' },
    ];
    const cc = parseCheckConfigs(P, rows);
    assert.equal(getAvailabilityObjective(cc, web), Math.fround(99.9));
    assert.equal(getAvailabilityObjective(cc, { ...web, name: 'worker' }), 97);
    assert.equal(getAvailabilityObjective(cc, { ...web, name: 'api' }), 95);
    assert.equal(getSimpleThreshold(cc, 'DeploymentStatus', web), 600);
    assert.equal(getAvailabilityObjective(NONE, web), 99);
    assert.equal(getSimpleThreshold(NONE, 'DeploymentStatus', web), 180);
  });
  it('the 3-part and empty-cluster forms are the same id (the later row wins); other clusters match through the glob pass', () => {
    const cc = parseCheckConfigs(P, [
      { applicationId: 'default:Deployment:web', configs: '{"SLOAvailability":[{"objective_percentage":90}]}' },
      { applicationId: ':default:Deployment:web', configs: '{"DeploymentStatus":{"threshold":60}}' },
    ]);
    assert.equal(getAvailabilityObjective(cc, web), 99);
    assert.equal(getSimpleThreshold(cc, 'DeploymentStatus', web), 60);
    const other = parseCheckConfigs(P, [{ applicationId: 'other:default:Deployment:web', configs: '{"SLOAvailability":[{"objective_percentage":80}]}' }]);
    assert.equal(getAvailabilityObjective(other, web), 80);
  });
  it('undecodable configs fall back to the default; null and {} decode to a zero threshold; an empty array is the default', () => {
    const cc = (json: string) => parseCheckConfigs(P, [{ applicationId: ':::', configs: json }]);
    assert.equal(getSimpleThreshold(cc('{"DeploymentStatus":{"threshold":"x"}}'), 'DeploymentStatus', web), 180);
    assert.equal(getSimpleThreshold(cc('{"DeploymentStatus":null}'), 'DeploymentStatus', web), 0);
    assert.equal(getSimpleThreshold(cc('{"DeploymentStatus":{}}'), 'DeploymentStatus', web), 0);
    assert.equal(getAvailabilityObjective(cc('{"SLOAvailability":[]}'), web), 99);
    assert.equal(getAvailabilityObjective(cc('{"SLOAvailability":{"objective_percentage":1}}'), web), 99);
    // external services: 0 without a config, the default 99 with an undecodable one
    const ext = { clusterId: 'external', namespace: 'external', kind: 'ExternalService', name: 'x:443' };
    assert.equal(getAvailabilityObjective(NONE, ext), 0);
    assert.equal(getAvailabilityObjective(cc('{"SLOAvailability":5}'), ext), 99);
  });
  it('a configs value that is not a JSON object fails the project', () => {
    assert.throws(() => parseCheckConfigs(P, [{ applicationId: ':::', configs: '[1]' }]), /cannot unmarshal array/);
    assert.throws(() => parseCheckConfigs(P, [{ applicationId: ':::', configs: '' }]), /check_configs/);
    assert.equal(parseCheckConfigs(P, [{ applicationId: 'bad', configs: '[1]' }, { applicationId: ':::', configs: null }]).size, 0);
  });
});

describe('metrics snapshot JSON', () => {
  it('decodes with Go rules: partial on type errors, stopped by a bad timestamp, any text is a snapshot', () => {
    assert.equal(decodeMetricsSnapshot(null), null);
    assert.equal(decodeMetricsSnapshot(''), null);
    assert.deepEqual(decodeMetricsSnapshot('null'), snap());
    assert.deepEqual(decodeMetricsSnapshot('{broken'), snap());
    assert.deepEqual(decodeMetricsSnapshot('[1,2]'), snap());
    assert.deepEqual(decodeMetricsSnapshot('{"requests":"x","ERRORS":3,"latency":{"0.5":1.5,"1":2},"cpu_usage":1e40,"oom_kills":1}'),
      snap({ errors: 3, latency: lat({ '0.5': 0, '1': 2 }), oomKills: 1 }));
    assert.deepEqual(decodeMetricsSnapshot('{"requests":5,"timestamp":"soon","errors":3}'), snap({ requests: 5 }));
    assert.deepEqual(decodeMetricsSnapshot('{"duration":"20m","requests":5,"cpu_usage":0.1}'), snap({ requests: 5, cpuUsage: Math.fround(0.1) }));
  });
});

function record(applicationId: string, startedAt: number, finishedAt = 0, metricsSnapshot: string | null = null): ApplicationDeploymentRecord {
  return { projectId: P, applicationId, name: 'x-1', startedAt, finishedAt, metricsSnapshot };
}

describe('statuses and the stats loop', () => {
  const NOW = 1_700_000_000;
  it('Deployed, Cancelled, Stuck, InProgress and Summary with the nearest earlier snapshot as prev', () => {
    const apps = new Applications();
    const app = makeApp(apps, 'web');
    const prevSnap = JSON.stringify({ requests: 100, errors: 0, memory_usage: 100 });
    const problem = attachDeployments(apps, [
      record(`${P}:default:Deployment:web`, NOW - 5000, NOW - 4900, prevSnap),
      record(`${P}:default:Deployment:web`, NOW - 4000, NOW - 3900), // Deployed, no snapshot: skipped as prev
      record(`${P}:default:Deployment:web`, NOW - 3000, 0), // not last, not finished: Cancelled
      record(`${P}:default:Deployment:web`, NOW - 2000, NOW - 1900, JSON.stringify({ requests: 100, errors: 0, memory_usage: 200 })),
      record(`${P}:default:Deployment:web`, NOW - 181, 0), // last and unfinished for 181 s > 180: Stuck
    ]);
    assert.equal(problem, null);
    const statuses = calcDeploymentStatuses(app, NONE, NOW);
    assert.deepEqual(statuses.map((s) => s.state), ['Summary', 'Deployed', 'Cancelled', 'Summary', 'Stuck']);
    // memory 100 → 200 against the first snapshot: +100 %
    assert.deepEqual(statuses[3]!.summary, [{ report: 'Memory', ok: false }]);
    assert.deepEqual(statuses[0]!.summary, []);
    app.deployments[4]!.startedAt = NOW - 180;
    assert.equal(calcDeploymentStatuses(app, NONE, NOW)[4]!.state, 'InProgress');
    const cc = parseCheckConfigs(P, [{ applicationId: ':::', configs: '{"DeploymentStatus":{"threshold":100.9}}' }]);
    // the threshold becomes whole seconds: 100
    app.deployments[4]!.startedAt = NOW - 101;
    assert.equal(calcDeploymentStatuses(app, cc, NOW)[4]!.state, 'Stuck');
    app.deployments[4]!.startedAt = NOW - 100;
    assert.equal(calcDeploymentStatuses(app, cc, NOW)[4]!.state, 'InProgress');
  });

  it('ids are scanned without a fallback cluster: legacy 3-part ids never match; one bad id attaches nothing', () => {
    const apps = new Applications();
    const app = makeApp(apps, 'web');
    assert.equal(attachDeployments(apps, [record('default:Deployment:web', NOW), record(`${P}:default:Deployment:nope`, NOW)]), null);
    assert.deepEqual(app.deployments, []);
    assert.match(attachDeployments(apps, [record(`${P}:default:Deployment:web`, NOW), record('bad:id', NOW)])!, /invalid application id/);
    assert.deepEqual(app.deployments, []);
  });

  it('counts rollouts started at most 3600 s ago, for non-standalone non-auxiliary apps only', () => {
    const world: LoadedWorld = { ...newWorld(P, { from: NOW - 3600, to: NOW, step: 30 }, 30), error: null, failures: [], warnings: [], loadSeconds: 0 };
    makeApp(world.applications, 'web');
    makeApp(world.applications, 'batch', { standalone: true });
    makeApp(world.applications, 'prometheus', { namespace: 'monitoring', category: 'monitoring' });
    const oom = JSON.stringify({ oom_kills: 1, restarts: 1, log_errors: 3 });
    attachDeployments(world.applications, [
      record(`${P}:default:Deployment:web`, NOW - 3601, NOW - 3500, oom), // too old, by one second
      record(`${P}:default:Deployment:web`, NOW - 3600, NOW - 3500, oom), // exactly an hour: counted
      record(`${P}:default:Deployment:web`, NOW - 10, 0), // InProgress: counted, no summary
      record(`${P}:default:Deployment:batch`, NOW - 10, 0, oom),
      record(`${P}:monitoring:Deployment:prometheus`, NOW - 10, 0, oom),
    ]);
    const payload = { integration: { node_agent_versions: null }, infra: { deployments: 2, deployment_summaries: { '-Logs': 1 }, applications_by_kind: null, kernel_versions: null, nodes: 0, cpu_cores: 0, gpus: 0, applications: 0, instances: 0 }, stack: {}, performance: { auditor: { stages: null }, components: null } } as unknown as Payload;
    applyWorldToPayload(payload, world, NOW);
    // the earlier project's 2 rollouts and -Logs add up with this one's. The counted snapshot's prev is the
    // one outside the hour: both have log errors and no requests, so no Logs entry; its OOM kill is -Memory
    // (restarts - oom_kills = 0: no -Instances)
    assert.equal(payload.infra.deployments, 4);
    assert.deepEqual(payload.infra.deployment_summaries, { '-Logs': 1, '-Memory': 1 });
  });
});
