/**
 * infra.deployments and infra.deployment_summaries end to end: `show --prometheus-url` on a real
 * Prometheus loaded with fixtures/metrics/apps.om (project id p1, so the world's app ids are "p1:…") and a
 * SQLite data-dir with application_deployment and check_configs rows. Every expected count is derived by
 * hand next to its rows. The world's applications are the ones test/world-apps.test.ts lists: web and api
 * are linked (counted), batch is standalone and monitoring/prometheus auxiliary (skipped).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  buildSqliteDataDir, checkConfigsJson, metricsSnapshotJson, prometheusJson, rolesJson, simpleCheck, sloAvailabilityCheck, sloLatencyCheck, type ApplicationDeploymentRow,
} from '../fixtures/datadir.js';
import { END } from '../fixtures/metrics/build-apps.js';
import { runCli } from './helpers/cli.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// the world's hour is [END - 1 h, END]; stats "now" is AT
const AT = END + 4 * 30;
const work = mkdtempSync(join(tmpdir(), 'coroot-usage-deploy-'));
const MB = 2 ** 20;

const row = (app: string, startedAgo: number, finishedAgo: number | null, snapshot?: Parameters<typeof metricsSnapshotJson>[0]): ApplicationDeploymentRow => ({
  project_id: 'p1', application_id: app, name: `${app.split(':').pop()}-5f7b8c9d4`, started_at: AT - startedAgo,
  finished_at: finishedAgo === null ? 0 : AT - finishedAgo, metrics_snapshot: snapshot ? metricsSnapshotJson(snapshot) : null,
});
const oomSnapshot = { timestamp: AT - 60, requests: 0, errors: 0, oomKills: 1, restarts: 1 };

const DEPLOYMENTS: ApplicationDeploymentRow[] = [
  // web
  //  1. two hours ago: not counted, but the previous snapshot of 2.
  row('p1:default:Deployment:web', 7200, 7100, { timestamp: AT - 5300, requests: 1000, errors: 0, cpuUsage: 10, memoryUsage: 100 * MB, latency: { '0.500': 1000, '+Inf': 1000 } }),
  //  2. counted, with a summary (default objectives: availability 99, latency 99 % under 0.5 s):
  //     availability 980*100/1000 = 98 < 99            → -SLO
  //     latency 950*100/1000 = 95 < 99                 → -SLO
  //     CPU per request 0.012 vs 0.010: +20 %          → -CPU
  //     1 OOM kill                                      → -Memory
  //     memory 90 MB vs 100 MB: -10 %                   → +Memory
  //     restarts 2 - OOM kills 1 = 1                    → -Instances
  //     log errors 5, none before                       → -Logs
  row('p1:default:Deployment:web', 3000, 2900, {
    timestamp: AT - 1100, requests: 1000, errors: 20, latency: { '0.100': 900, '0.500': 950, '+Inf': 1000 }, cpuUsage: 12, memoryUsage: 90 * MB,
    oomKills: 1, restarts: 2, logErrors: 5,
  }),
  //  3. unfinished, not the last: Cancelled, counted
  row('p1:default:Deployment:web', 600, null),
  //  4. the last, unfinished for 100 s: InProgress, counted
  row('p1:default:Deployment:web', 100, null),
  // api (objectives from check configs: availability 95 through the glob id "default:Deployment:a*")
  //  1. 3601 s ago: one second too old
  row('p1:default:Deployment:api', 3601, 3500),
  //  2. exactly 3600 s ago: counted; availability 480*100/500 = 96, not below 95; log errors 10, no prev → -Logs
  row('p1:default:Deployment:api', 3600, 3500, { timestamp: AT - 1700, requests: 500, errors: 20, logErrors: 10 }),
  //  3. unfinished for 61 s with the app's DeploymentStatus threshold 60: Stuck, counted
  row('p1:default:Deployment:api', 61, null),
  // the external service web calls: its availability objective is 0 without a config, so 0 % is fine; counted
  row('external:external:ExternalService:api.stripe.com:443', 50, 40, { timestamp: AT - 10, requests: 100, errors: 100 }),
  // skipped: batch is standalone, monitoring/prometheus auxiliary, a legacy 3-part id matches no app
  row('p1:default:Deployment:batch', 10, 5, oomSnapshot),
  row('p1:monitoring:Deployment:prometheus', 10, 5, oomSnapshot),
  row('default:Deployment:web', 10, 5, oomSnapshot),
];
// counted: web 3 + api 2 + external 1 = 6
const EXPECTED_DEPLOYMENTS = 6;
const EXPECTED_SUMMARIES = { '+Memory': 1, '-CPU': 1, '-Instances': 1, '-Logs': 2, '-Memory': 1, '-SLO': 2 };

describe('deployments from the DB against a world from a real Prometheus', () => {
  let prometheus: PrometheusServer;
  let dataDir: string;
  before(async () => {
    prometheus = await startPrometheus([join(root, 'fixtures', 'metrics', 'apps.om')]);
    dataDir = join(work, 'dd');
    buildSqliteDataDir(dataDir, {
      instanceUuid: '4423595b-9d97-4e01-a19f-8e3d60c83b2a',
      users: [{ email: 'admin', name: 'Admin', password: 'x', roles: rolesJson(['Admin']) }],
      projects: [{ id: 'p1', name: 'production', prometheus: prometheusJson({ url: prometheus.url, refreshMs: 30000 }), settings: '{"integrations":{"aws":null}}' }],
      checkConfigs: [
        { project_id: 'p1', application_id: 'default:Deployment:a*', configs: checkConfigsJson({ SLOAvailability: sloAvailabilityCheck({ objectivePercentage: 95 }) }) },
        { project_id: 'p1', application_id: 'p1:default:Deployment:api', configs: checkConfigsJson({ DeploymentStatus: simpleCheck(60) }) },
        // custom SLIs of an application the world does not have: queryCache runs them all the same
        {
          project_id: 'p1', application_id: 'p1:default:Deployment:checkout', configs: checkConfigsJson({
            SLOAvailability: sloAvailabilityCheck({ custom: true, totalRequestsQuery: 'container_restarts_total', failedRequestsQuery: 'container_oom_kills_total', objectivePercentage: 99 }),
            // not custom: no query
            SLOLatency: sloLatencyCheck({ custom: false, histogramQuery: 'never_queried_bucket', objectiveBucket: 0.5, objectivePercentage: 99 }),
          }),
        },
      ],
      applicationDeployments: DEPLOYMENTS,
    });
  });
  after(async () => {
    await prometheus?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('show --prometheus-url counts the rollouts of the last hour and their summaries', async () => {
    const result = await runCli(['show', '--data-dir', dataDir, '--at', String(AT), '--prometheus-url', prometheus.url, '--no-profile', '--format', 'raw']);
    assert.equal(result.code, 0, result.stderr);
    const p = JSON.parse(result.stdout.toString());
    assert.ok(p.infra.nodes > 0, 'the world was loaded');
    assert.equal(p.infra.deployments, EXPECTED_DEPLOYMENTS);
    assert.deepEqual(p.infra.deployment_summaries, EXPECTED_SUMMARIES);
    // sum(rate(container_restarts_total[…])) and sum(rate(container_oom_kills_total[…])): one series each,
    // summed under one statistics key
    const sli = p.performance.constructor.queries.application_custom_sli_raw;
    assert.equal(sli.metrics_count, 2);
    assert.equal(sli.failed, false);
  });
});
