/**
 * The world build at scale: a generated cluster of 1,000 nodes and 30,000 containers (Deployments whose
 * pods listen and connect to other Deployments' pods) backfilled into a real Prometheus, then
 *   world: loadProjectWorld with the Prometheus source (every query, the connection rebuild, all stages);
 *   floor: the same query_range requests (recorded from the world run), fetched and read at the same
 *          concurrency, nothing parsed;
 * alternately in child processes of the same run, median of ROUNDS. Targets: world under 1.5x the floor,
 * peak RSS (VmHWM) of the world's process under 1 GB.
 *
 * On a small machine Prometheus and the build share the cores: the floor is Prometheus' CPU time alone,
 * the build adds its own on the same cores, and the ratio says as much about the core count as about the
 * code. A second set of rounds, reported beside the first, pins Prometheus to half of the cores and the
 * floor and the build to the other half (taskset), as when Prometheus runs on another machine.
 *
 *   node dist/bench/world.js
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { END } from '../fixtures/metrics/openmetrics.js';
import type { PrometheusIntegration } from '../src/sources/database/records.js';
import type { MetricsQuery, MetricsSource } from '../src/sources/metrics.js';
import { PrometheusSource, prometheusConfig, PROMETHEUS_DEFAULTS } from '../src/sources/prometheus.js';
import { addExtraSelector, substituteRange } from '../src/sources/promql.js';
import { loadProjectWorld, STAGES, type ConstructorProfile } from '../src/world/load.js';
import { startPrometheus } from '../test/helpers/prometheus.js';

const NODES = 1000;
const CONTAINERS = 30_000;
const PODS_PER_DEPLOYMENT = 10;
const STEP = 60;
const WINDOW = { from: END - 3600, to: END, step: STEP };
/** info series only need a sample within Prometheus' 5-minute lookback of each step */
const INFO_EVERY = 240;
const ROUNDS = 3;
const self = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------- the cluster

/** Streams OpenMetrics text to `file`, family by family (promtool wants each family contiguous). */
export function generate(file: string): { series: number; samples: number } {
  const fd = openSync(file, 'w');
  let buffer: string[] = [];
  let size = 0;
  let series = 0;
  let samples = 0;
  const flush = () => {
    writeSync(fd, buffer.join(''));
    buffer = [];
    size = 0;
  };
  const emit = (name: string, labels: string, every: number, value: (t: number) => number) => {
    series++;
    const prefix = `${name}{${labels}} `;
    for (let t = WINDOW.from - 300; t <= WINDOW.to; t += every) {
      const line = `${prefix}${value(t)} ${t}\n`;
      buffer.push(line);
      size += line.length;
      samples++;
    }
    if (size > 1 << 22) flush();
  };
  const node = (n: number) => `machine_id="m${n}",system_uuid="u${n}"`;
  const pod = (c: number) => {
    const d = Math.floor(c / PODS_PER_DEPLOYMENT);
    return { ns: `ns${d % 50}`, deployment: `app${d}`, name: `app${d}-5f7b8c9d4-p${c}`, node: c % NODES, ip: `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}` };
  };
  const cid = (c: number) => {
    const p = pod(c);
    return `${node(p.node)},container_id="/k8s/${p.ns}/${p.name}/app"`;
  };
  const one = () => 1;
  for (let n = 0; n < NODES; n++) emit('node_info', `${node(n)},hostname="node${n}",kernel_version="6.1.0"`, INFO_EVERY, one);
  for (let n = 0; n < NODES; n++) emit('node_resources_cpu_logical_cores', node(n), INFO_EVERY, () => 8);
  for (let n = 0; n < NODES; n++) emit('kube_node_info', `node="node${n}",system_uuid="u${n}",kernel_version="6.1.0"`, INFO_EVERY, one);
  for (let c = 0; c < CONTAINERS; c++) {
    const p = pod(c);
    emit('kube_pod_info', `namespace="${p.ns}",pod="${p.name}",uid="uid${c}",created_by_kind="ReplicaSet",created_by_name="${p.deployment}-5f7b8c9d4",node="node${p.node}",pod_ip="${p.ip}",host_ip="10.255.${p.node >> 8}.${p.node & 255}"`, INFO_EVERY, one);
  }
  for (let c = 0; c < CONTAINERS; c++) emit('container_net_tcp_listen_info', `${cid(c)},listen_addr="${pod(c).ip}:8080"`, INFO_EVERY, one);
  for (let c = 0; c < CONTAINERS; c++) emit('container_resources_cpu_usage_seconds_total', cid(c), STEP, (t) => (t - WINDOW.from) * 0.1);
  for (let c = 0; c < CONTAINERS; c++) {
    // each pod calls a pod of the next Deployment
    const target = pod((c + PODS_PER_DEPLOYMENT) % CONTAINERS).ip;
    emit('container_net_tcp_successful_connects_total', `${cid(c)},destination="${target}:8080",actual_destination="${target}:8080"`, STEP, (t) => (t - WINDOW.from) * 2);
  }
  buffer.push('# EOF\n');
  flush();
  closeSync(fd);
  return { series, samples };
}

// ---------------------------------------------------------------------------------------------- child runs

interface ChildResult {
  ms: number;
  /** VmHWM: the process's peak resident set */
  peakRssMb: number;
  applications?: number;
  queries?: number;
  failures?: number;
}

function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

const integration = (url: string): PrometheusIntegration => ({
  global: false, url, refreshInterval: STEP, tlsSkipVerify: false, basicAuth: null, extraSelector: '', customHeaders: null, remoteWriteUrl: '', useClickHouse: false,
});

/** the world build, recording the queries that reach Prometheus for the floor to replay */
async function worldChild(url: string, queriesFile: string): Promise<ChildResult> {
  const inner = new PrometheusSource(prometheusConfig(integration(url)));
  const sent: MetricsQuery[] = [];
  const source: MetricsSource = {
    description: inner.description,
    recordingRules: inner.recordingRules,
    queryRange: (q, signal) => {
      if (!q.recordingRule) sent.push(q);
      return inner.queryRange(q, signal);
    },
    close: () => inner.close(),
  };
  const profile: ConstructorProfile = { stages: Object.fromEntries(STAGES.map((s) => [s, 0])), queries: {} };
  const start = process.hrtime.bigint();
  const world = await loadProjectWorld({ id: 'bench' }, source, WINDOW, profile, {});
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await source.close();
  if (world.error) throw new Error(world.error);
  writeFileSync(queriesFile, JSON.stringify(sent.map((q) => ({ query: q.query, window: q.window }))));
  return { ms, peakRssMb: peakRssMb(), applications: world.applications.size, queries: sent.length, failures: world.failures.length };
}

/** the floor: the same POSTs as PrometheusSource sends them, bodies read (and gunzipped), nothing parsed */
async function floorChild(url: string, queriesFile: string): Promise<ChildResult> {
  const queries = JSON.parse(readFileSync(queriesFile, 'utf8')) as Array<Pick<MetricsQuery, 'query' | 'window'>>;
  const concurrency = PROMETHEUS_DEFAULTS.concurrency;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const endpoint = new URL('/api/v1/query_range', url);
  const post = (body: string) => new Promise<number>((resolve, reject) => {
    const req = request(endpoint, {
      method: 'POST', agent,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Encoding': 'gzip', 'Content-Length': String(Buffer.byteLength(body)) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve((res.headers['content-encoding'] === 'gzip' ? gunzipSync(data) : data).length);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < queries.length) {
      const q = queries[next++]!;
      const w = q.window;
      const from = w.from - (w.from % w.step);
      const to = w.to - (w.to % w.step);
      await post(new URLSearchParams({ query: addExtraSelector(substituteRange(q.query, w.step), ''), start: String(from), end: String(to), step: String(w.step) }).toString());
    }
  }));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  agent.destroy();
  return { ms, peakRssMb: peakRssMb(), queries: queries.length };
}

/** `taskset -c <cpus>` in front of the child, or nothing */
type Pinning = string[];

function runChild(mode: 'world' | 'floor', url: string, queriesFile: string, extraArgs: string[] = [], pinning: Pinning = []): ChildResult {
  const command = [...pinning, process.execPath, ...extraArgs, self, '--child', mode, url, queriesFile];
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${mode} run failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as ChildResult;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'coroot-usage-bench-world-'));
  try {
    const om = join(dir, 'cluster.om');
    let t = Date.now();
    const { series, samples } = generate(om);
    console.log(`generated ${NODES} nodes, ${CONTAINERS} containers: ${series} series, ${samples} samples in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    const prometheus = await startPrometheus([om]);
    rmSync(om);
    console.log(`backfilled and started Prometheus in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    try {
      const queriesFile = join(dir, 'queries.json');
      const cpuProfile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
      const warm = runChild('world', prometheus.url, queriesFile); // warms Prometheus' caches and records the queries
      console.log(`warm-up: ${warm.applications} applications, ${warm.queries} queries, ${warm.failures} failed`);
      const rounds = (pinning: Pinning, profile: string[]) => {
        const world: ChildResult[] = [];
        const floor: ChildResult[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          world.push(runChild('world', prometheus.url, queriesFile, i === 0 ? profile : [], pinning));
          floor.push(runChild('floor', prometheus.url, queriesFile, [], pinning));
        }
        const worldMs = median(world.map((r) => r.ms));
        const floorMs = median(floor.map((r) => r.ms));
        console.log(`  world build (loadProjectWorld, Prometheus source): ${worldMs.toFixed(0)} ms (median of ${ROUNDS}: ${world.map((r) => r.ms.toFixed(0)).join(', ')})`);
        console.log(`  floor (same ${warm.queries} query_range responses fetched, concurrency ${PROMETHEUS_DEFAULTS.concurrency}): ${floorMs.toFixed(0)} ms (${floor.map((r) => r.ms.toFixed(0)).join(', ')})`);
        return { ratio: worldMs / floorMs, peak: Math.max(...world.map((r) => r.peakRssMb)) };
      };
      const cores = availableParallelism();
      console.log(`Prometheus and the build on the same ${cores} cores:`);
      const shared = rounds([], cpuProfile);
      console.log(`  ratio ${shared.ratio.toFixed(2)}x (target < 1.5x) ${shared.ratio < 1.5 ? 'ok' : 'MISSED'}`);
      console.log(`  peak RSS of the world build ${shared.peak.toFixed(0)} MB (target < 1024 MB) ${shared.peak < 1024 ? 'ok' : 'MISSED'}`);
      if (cores >= 2 && spawnSync('taskset', ['-V']).status === 0) {
        const half = Math.floor(cores / 2);
        const list = (from: number, to: number) => (to - from === 1 ? String(from) : `${from}-${to - 1}`);
        execFileSync('taskset', ['-a', '-p', '-c', list(half, cores), String(prometheus.pid)], { stdio: 'ignore' });
        console.log(`Prometheus on cores ${list(half, cores)}, the floor and the build on ${list(0, half)}:`);
        const apart = rounds(['taskset', '-c', list(0, half)], []);
        console.log(`  ratio ${apart.ratio.toFixed(2)}x`);
      }
    } finally {
      await prometheus.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [mode, url, queriesFile] = process.argv.slice(3) as ['world' | 'floor', string, string];
  const result = mode === 'world' ? await worldChild(url, queriesFile) : await floorChild(url, queriesFile);
  console.log(JSON.stringify(result));
} else if (process.argv[1] === self) {
  await main();
}
