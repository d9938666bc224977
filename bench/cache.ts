/**
 * The stats path on a large Coroot metrics cache: 1,000 nodes and 30,000 containers (15,000 pods, 1,500
 * Deployments linked in chains by rr_connection series), 30 s step, written as the updater leaves it.
 * Two child processes over the same files in the same run:
 *   load   what `show --source cache` does for the project: state DB, chunk index, statsWorldDecision,
 *          loadProjectWorld over the window (280 queries, world building);
 *   floor  read every chunk file the window touches and LZ4-decompress its value blocks and label
 *          dictionary, nothing else: no label decoding, no grid fill, no world.
 *   read   the 280 stats-path queries from the cache as the query stage issues them (all at once), and
 *          nothing else: chunk selection, decompression, labels, fill, no statistics, no world.
 * Each reports wall time and its peak RSS (getrusage maxrss, what /usr/bin/time -v calls "Maximum
 * resident set size"); the load also its "query" stage: the same 280 queries with Coroot's per-query
 * statistics (counts, cardinality) recorded as each answers. `read` is what the floor is the floor of;
 * world building on top is the same code as from Prometheus (bench/world.ts). Medians of alternating
 * rounds, and the median of each round's read / floor (run back to back, so less moved by the machine's
 * drift between rounds).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheQueryText, labelPairs, steadyStateRows, writeSteadyStateChunks, type CachedSeries, type SteadyStateCache } from '../fixtures/cache-cluster.js';
import { buildSqliteDataDir } from '../fixtures/datadir.js';
import { applicationIdString } from '../src/model/application-id.js';
import { parseHeader } from '../src/sources/cache/chunk.js';
import { decompressBlock } from '../src/sources/cache/lz4.js';
import { CacheMetricsSource } from '../src/sources/cache/source.js';
import { CacheStateDb, statsWorldDecision } from '../src/sources/cache/state.js';
import type { Window } from '../src/sources/metrics.js';
import { constructorQueries } from '../src/world/queries.js';
import { loadProjectWorld, type ConstructorProfile } from '../src/world/load.js';

const NODES = 1000;
const PODS = 15000;
const CONTAINERS_PER_POD = 2;
const PODS_PER_APP = 10;
const STEP = 30;
const NOW = 1795176000;
const PROJECT = 'bench';
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** a deterministic value that changes every point, as CPU and memory do (so blocks do not compress to nothing) */
const noisy = (seed: number, scale: number) => (t: number) => scale * (1 + (Math.imul(seed ^ t, 2654435761) >>> 0) / 2 ** 32);

function benchCache(): SteadyStateCache {
  const series = new Map<string, CachedSeries[]>();
  const add = (name: string, labels: Record<string, string>, value: CachedSeries['value'] = 1) => {
    const query = cacheQueryText(name);
    const list = series.get(query) ?? [];
    list.push({ pairs: labelPairs(labels), value });
    series.set(query, list);
  };
  const nodeIds = (n: number) => ({ machine_id: `m${String(n).padStart(31, '0')}`, system_uuid: `u${String(n).padStart(31, '0')}` });
  for (let n = 0; n < NODES; n++) {
    const ids = nodeIds(n);
    add('node_info', { ...ids, hostname: `node-${n}`, kernel_version: '6.1.0' });
    add('node_agent_info', { ...ids, version: '1.26.0' });
    add('node_cloud_info', { ...ids, provider: n % 2 ? 'AWS' : 'GCP', region: 'r1', availability_zone: 'z1', instance_type: 't1' });
    add('node_cpu_cores', ids, 16);
    add('node_memory_total_bytes', ids, 64 * 2 ** 30);
    add('kube_node_info', { node: `node-${n}`, system_uuid: ids.system_uuid, kernel_version: '6.1.0' });
  }
  const apps = PODS / PODS_PER_APP;
  for (let p = 0; p < PODS; p++) {
    const app = Math.floor(p / PODS_PER_APP);
    const ns = `ns-${app % 50}`;
    const pod = `app-${app}-5f6c7d8e9a-${p}`;
    const n = p % NODES;
    add('kube_pod_info', { uid: `uid-${p}`, namespace: ns, pod, created_by_kind: 'ReplicaSet', created_by_name: `app-${app}-5f6c7d8e9a`, node: `node-${n}` });
    for (let c = 0; c < CONTAINERS_PER_POD; c++) {
      const ids = { ...nodeIds(n), container_id: `/k8s/${ns}/${pod}/c${c}` };
      add('container_cpu_usage', ids, noisy(p * 2 + c, 0.2));
      add('container_memory_rss', ids, noisy(p * 2 + c + 1, 2e8));
      add('container_memory_limit', ids, 1e9);
      add('container_restarts', ids, 0);
    }
  }
  for (let a = 0; a + 1 < apps; a++) {
    const id = (i: number) => applicationIdString({ clusterId: PROJECT, namespace: `ns-${i % 50}`, kind: 'Deployment', name: `app-${i}` });
    add('rr_connection_tcp_successful', { app: id(a), dest: id(a + 1) }, 5);
  }
  return { projectId: PROJECT, step: STEP, rawLast: NOW - 2 * STEP, history: 3600 + 1200, series };
}

function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** the window statsWorldDecision gives, and the chunk files it touches */
function windowOf(dir: string): Window {
  const state = CacheStateDb.open(dir);
  try {
    const decision = statsWorldDecision(state, PROJECT, CacheMetricsSource.open(dir, PROJECT).index, NOW);
    if (!decision.loaded) throw new Error(decision.reason);
    return decision.window;
  } finally {
    state.close();
  }
}

async function read(dir: string): Promise<Record<string, unknown>> {
  // the index and the window are taken first, as the load's query stage starts after them
  const source = CacheMetricsSource.open(dir, PROJECT);
  const window = windowOf(dir);
  const start = process.hrtime.bigint();
  const series = await Promise.all(constructorQueries(window, window.step).map(async (q) => (await source.queryRange(q)).metrics.length));
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, series: series.reduce((a, b) => a + b, 0), peakRssMiB: peakRssMiB() };
}

async function load(dir: string): Promise<Record<string, unknown>> {
  const start = process.hrtime.bigint();
  const state = CacheStateDb.open(dir);
  const source = CacheMetricsSource.open(dir, PROJECT);
  const decision = statsWorldDecision(state, PROJECT, source.index, NOW);
  if (!decision.loaded) throw new Error(decision.reason);
  const profile: ConstructorProfile = { stages: {}, queries: {} };
  const world = await loadProjectWorld({ id: PROJECT }, source, decision.window, profile);
  state.close();
  if (world.error) throw new Error(world.error);
  return {
    ms: Number(process.hrtime.bigint() - start) / 1e6,
    nodes: world.nodes.length,
    applications: world.applications.size,
    queryStage: profile.stages!.query,
    peakRssMiB: peakRssMiB(),
  };
}

function floor(dir: string): Record<string, unknown> {
  const window = windowOf(dir);
  const start = process.hrtime.bigint();
  const projectDir = join(dir, 'cache', PROJECT);
  let files = 0;
  let bytes = 0;
  let decompressed = 0;
  for (const name of readdirSync(projectDir)) {
    const [, , from, points, step] = name.replace(/\.db$/, '').split('-').map(Number);
    if (from! > window.to || from! + (points! - 1) * step! < window.from) continue;
    const buf = readFileSync(join(projectDir, name));
    files++;
    bytes += buf.length;
    const h = parseHeader(buf);
    const count = buf.readUInt32LE(22);
    let off = 26 + 8 * count;
    let remaining = count * h.pointsCount * 4;
    while (remaining > 0) {
      const size = buf.readUInt32LE(off);
      const csize = buf.readUInt32LE(off + 4);
      off += 8;
      decompressed += decompressBlock(buf.subarray(off, off + csize), new Uint8Array(size));
      off += csize;
      remaining -= size;
    }
    const compressedVals = buf.readUInt32LE(off);
    const keysSize = buf.readUInt32LE(off + 4);
    const valsSize = buf.readUInt32LE(off + 8);
    off += 24 + keysSize;
    decompressed += decompressBlock(buf.subarray(off, off + compressedVals), new Uint8Array(valsSize));
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, files, MiB: Math.round(bytes / 2 ** 20), decompressedMiB: Math.round(decompressed / 2 ** 20), peakRssMiB: peakRssMiB() };
}

function child(mode: string, dir: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), mode, dir], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2);
  if (mode === 'load' || mode === 'floor' || mode === 'read') {
    console.log(JSON.stringify(mode === 'load' ? await load(dir!) : mode === 'read' ? await read(dir!) : floor(dir!)));
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'coroot-usage-bench-cache-'));
  try {
    const cache = benchCache();
    const t0 = Date.now();
    buildSqliteDataDir(work, { cacheState: steadyStateRows(cache) }, { mainDb: false });
    const chunks = writeSteadyStateChunks(join(work, 'cache'), cache);
    console.log(`cache: ${NODES} nodes, ${PODS * CONTAINERS_PER_POD} containers, ${chunks} chunk files written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // alternating rounds, medians: the machine is shared, single runs swing by 2x
    const floors: Array<Record<string, unknown>> = [];
    const reads: Array<Record<string, unknown>> = [];
    const loads: Array<Record<string, unknown>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      floors.push(child('floor', work));
      reads.push(child('read', work));
      loads.push(child('load', work));
    }
    for (let round = 0; round < ROUNDS; round++) {
      console.log(`round ${round + 1}: floor ${JSON.stringify(floors[round])}`);
      console.log(`round ${round + 1}: read ${JSON.stringify(reads[round])}`);
      console.log(`round ${round + 1}: load ${JSON.stringify(loads[round])}`);
    }
    const floorMs = median(floors.map((f) => f.ms as number));
    const readMs = median(reads.map((r) => r.ms as number));
    const queryMs = median(loads.map((l) => (l.queryStage as number) * 1000));
    const loadMs = median(loads.map((l) => l.ms as number));
    const peak = Math.max(...loads.map((l) => l.peakRssMiB as number));
    console.log(`median floor (read + LZ4 of the window's files): ${floorMs.toFixed(0)} ms`);
    console.log(`median stats-path window read (the 280 queries from the cache, nothing else): ${readMs.toFixed(0)} ms = ${(readMs / floorMs).toFixed(2)}x the floor (target < 2x)`);
    // the floor and the read of one round run back to back, so their ratio is what drift between rounds leaves out
    const paired = reads.map((r, i) => (r.ms as number) / (floors[i]!.ms as number));
    console.log(`read / floor of each round: ${paired.map((x) => x.toFixed(2)).join(', ')}; median ${median(paired).toFixed(2)}x`);
    console.log(`median query stage (the same with per-query statistics: LoadWorld's "query" stage): ${queryMs.toFixed(0)} ms = ${(queryMs / floorMs).toFixed(2)}x the floor`);
    console.log(`median whole load (state DB, index, statsWorldDecision, loadProjectWorld with world building): ${loadMs.toFixed(0)} ms = ${(loadMs / floorMs).toFixed(2)}x the floor`);
    console.log(`peak RSS of the load: ${peak} MiB (target < 1024)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
