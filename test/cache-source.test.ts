/**
 * CacheMetricsSource end to end on a cache written like Coroot's: overlapping v3 and v4 chunks applied in
 * creation order (older unfinalized and compacted chunks, a step change, a fresh unfinalized chunk),
 * recording rules by name hash, chunks outside the window never opened, and every failure confined to
 * its query. Expected values are worked out by hand from timeseries.FillAny and client.QueryRange.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildSqliteDataDir } from '../fixtures/datadir.js';
import { CliError } from '../src/errors.js';
import { CacheMetricsSource, queryHash } from '../src/sources/cache/source.js';
import { MetricsQueryError, type MetricValues, type MetricsQuery, type Window } from '../src/sources/metrics.js';
import { QUERIES, RR } from '../src/world/queries.js';
import { chunkFileName, chunkJitter, writeChunk, type ChunkSpec } from '../fixtures/cache-writer.js';

const tmp = mkdtempSync(join(tmpdir(), 'cache-source-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const T0 = 1795170000;
const F = T0 - 300;
/** 15 points: index 10 is T0 */
const WINDOW: Window = { from: F, to: T0 + 120, step: 30 };
const nodeInfo = QUERIES.find((q) => q.name === 'node_info')!;
const q = (over: Partial<MetricsQuery> = {}): MetricsQuery => ({
  name: nodeInfo.name, query: nodeInfo.query, labels: nodeInfo.labels, recordingRule: false, fill: 'any', window: WINDOW, ...over,
});
const N = NaN;
const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);

const dir = join(tmp, 'data');
buildSqliteDataDir(dir, { cacheState: [{ project_id: 'p1', query: 'up', last_ts: T0, last_error: '' }] }, { mainDb: false });
const cacheDir = join(dir, 'cache');

function put(query: string, spec: ChunkSpec, created: number, version: 3 | 4 = 4): string {
  return writeChunk(cacheDir, 'p1', query, spec, { created, version });
}

// B (created 900, v3): T0-600 .. T0-30, window indexes 0..9 hold k = 10..19
put(nodeInfo.query, { from: T0 - 600, pointsCount: 20, step: 30, finalized: true, series: [
  { hash: 1n, pairs: [['machine_id', 'm1'], ['hostname', 'old']], values: range(500, 20) },
  { hash: 3n, pairs: [['machine_id', 'm3']], values: range(300, 20) },
] }, 900, 3);
// A (created 1000, compacted hour): T0-3600 .. T0-30, window indexes 0..9 hold k = 110..119
put(nodeInfo.query, { from: T0 - 3600, pointsCount: 120, step: 30, finalized: true, series: [
  { hash: 1n, pairs: [['machine_id', 'm1'], ['hostname', 'new']], values: range(0, 120).map((k) => (k === 112 || k === 113 ? N : k)) },
  { hash: 2n, pairs: [['machine_id', 'm2']], values: new Array<number>(120).fill(2) },
] }, 1000);
// D (created 1500, step 60): T0-120 .. T0+60; Go advances one 30 s point per 60 s point
put(nodeInfo.query, { from: T0 - 120, pointsCount: 4, step: 60, finalized: false, series: [
  { hash: 1n, pairs: [['machine_id', 'm1']], values: [900, 901, 902, 903] },
] }, 1500);
// C (created 2000, unfinalized, only 3 points so far)
put(nodeInfo.query, { from: T0, pointsCount: 20, step: 30, finalized: false, series: [
  { hash: 1n, pairs: [['machine_id', 'm1']], values: [1000, 1001, 1002] },
  { hash: 4n, pairs: [['machine_id', 'm4'], ['hostname', 'h4']], values: [N, 42] },
] }, 2000);
// outside the window on both sides, and unreadable: they must never be opened
const before = put(nodeInfo.query, { from: T0 - 7200, pointsCount: 120, step: 30, finalized: true, series: [{ hash: 9n, pairs: [], values: [1] }] }, 500);
const afterWindow = put(nodeInfo.query, { from: T0 + 150, pointsCount: 20, step: 30, finalized: false, series: [{ hash: 9n, pairs: [], values: [1] }] }, 2500);
for (const path of [before, afterWindow]) {
  const bytes = readFileSync(path);
  bytes.fill(0xee, 26);
  writeFileSync(path, bytes);
}
// a recording rule, stored under the hash of its name
put(RR.tcpSuccessful, { from: T0 - 600, pointsCount: 20, step: 30, finalized: true, series: [
  { hash: 77n, pairs: [['app_id', 'a'], ['destination', 'b']], values: new Array<number>(20).fill(0.5) },
] }, 1000);
// a truncated chunk Coroot's index skips, and a temp file Coroot's writer leaves behind
writeFileSync(join(cacheDir, 'p1', chunkFileName('p1', queryHash('up'), T0, 20, 30)), Buffer.alloc(12));
writeFileSync(join(cacheDir, 'p1', `${chunkFileName('p1', queryHash('up'), T0, 20, 30)}123456`), Buffer.alloc(100));

const source = CacheMetricsSource.open(dir, 'p1');
after(() => source.close());

const byMachine = (metrics: MetricValues[]) => new Map(metrics.map((m) => [m.machineId, m]));

describe('CacheMetricsSource', () => {
  it('applies overlapping chunks in creation order, each with FillAny', async () => {
    const { metrics, warnings } = await source.queryRange(q());
    assert.deepEqual(warnings, []);
    const m = byMachine(metrics);
    assert.deepEqual([...m.keys()].sort(), ['m1', 'm2', 'm3', 'm4']);
    assert.deepEqual(Array.from(m.get('m1')!.values), [110, 111, N, N, 114, 115, 900, 901, 902, 903, 1000, 1001, 1002, N, N]);
    assert.deepEqual(Array.from(m.get('m2')!.values), [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, N, N, N, N, N]);
    assert.deepEqual(Array.from(m.get('m3')!.values), [...range(310, 10), N, N, N, N, N]);
    assert.deepEqual(Array.from(m.get('m4')!.values), [N, N, N, N, N, N, N, N, N, N, N, 42, N, N, N]);
    // labels come from the chunk that first returned the series (B, a v3 chunk)
    assert.deepEqual({ ...m.get('m1')!.labels }, { hostname: 'old' });
    assert.deepEqual({ ...m.get('m4')!.labels }, { hostname: 'h4' });
  });

  it('truncates the window to the step as QueryRange does', async () => {
    const { metrics } = await source.queryRange(q({ window: { from: F + 7, to: T0 + 120 + 29, step: 30 } }));
    assert.equal(metrics[0]!.values.length, 15);
  });

  it('reads recording rules by the hash of their name', async () => {
    const { metrics } = await source.queryRange(q({ name: RR.tcpSuccessful, query: RR.tcpSuccessful, recordingRule: true }));
    assert.equal(metrics.length, 1);
    assert.equal(metrics[0]!.destination, 'b');
    assert.equal(metrics[0]!.labels.app_id, 'a');
    assert.deepEqual(Array.from(metrics[0]!.values), [...new Array<number>(10).fill(0.5), N, N, N, N, N]);
  });

  it('answers nothing for a query without chunks', async () => {
    assert.deepEqual(await source.queryRange(q({ name: 'up', query: 'up' })), { metrics: [], warnings: [] });
  });

  it('lists the chunk Coroot skips at start-up, ignores temp files', () => {
    assert.equal(source.skippedChunks.length, 1);
    assert.match(source.skippedChunks[0]!.reason, /truncated header/);
  });

  it('uses the query\'s fill function', async () => {
    const { metrics } = await source.queryRange(q({ fill: 'sum', window: { from: T0 - 120, to: T0, step: 60 } }));
    const m1 = byMachine(metrics).get('m1')!;
    // the window T0-120, T0-60, T0 at 60 s: B, A (30 s) then D (60 s) then C
    assert.equal(m1.values.length, 3);
    // FillSum starts each chunk from the value already at its first point: 516+116+900, then 901, then 902+1000
    assert.deepEqual(Array.from(m1.values), [1532, 901, 1902]);
  });

  it('fails one query with a MetricsQueryError naming the file when a chunk is corrupt', async () => {
    const other = QUERIES.find((d) => d.name === 'node_uptime_seconds')!;
    const path = put(other.query, { from: T0 - 600, pointsCount: 20, step: 30, finalized: true, series: [{ hash: 1n, pairs: [], values: [1] }] }, 1000);
    const bytes = readFileSync(path);
    bytes[0] = 9;
    writeFileSync(path, bytes);
    const fresh = CacheMetricsSource.open(dir, 'p1');
    await assert.rejects(fresh.queryRange(q({ name: other.name, query: other.query })), (err: unknown) =>
      err instanceof MetricsQueryError && /node_uptime_seconds: .*unknown version: 9 in .*\.db$/.test(err.message));
    assert.equal((await fresh.queryRange(q())).metrics.length, 4);
    unlinkSync(path);
  });

  it('a chunk that vanished after the cache was indexed fails its query', async () => {
    const other = QUERIES.find((d) => d.name === 'node_cpu_cores')!;
    const path = put(other.query, { from: T0 - 600, pointsCount: 20, step: 30, finalized: true, series: [{ hash: 1n, pairs: [], values: [1] }] }, 1000);
    const fresh = CacheMetricsSource.open(dir, 'p1');
    unlinkSync(path);
    await assert.rejects(fresh.queryRange(q({ name: other.name, query: other.query })), /node_cpu_cores: .*vanished/);
  });

  it('an unknown project fails each query as Coroot does; a missing cache dir is one input error', async () => {
    const ghost = CacheMetricsSource.open(dir, 'ghost');
    await assert.rejects(ghost.queryRange(q()), (err: unknown) => err instanceof MetricsQueryError && /unknown project: ghost/.test(err.message));
    assert.throws(() => CacheMetricsSource.open(join(tmp, 'nowhere'), 'p1'), (err: unknown) => err instanceof CliError && err.kind === 'input');
  });

  it('a window or fill function Go could not use fails the query, not the process', async () => {
    await assert.rejects(source.queryRange(q({ window: { from: F, to: T0, step: 0 } })), (err: unknown) => err instanceof MetricsQueryError && /invalid step 0/.test(err.message));
    await assert.rejects(source.queryRange(q({ window: { from: T0, to: F, step: 30 } })), (err: unknown) => err instanceof MetricsQueryError && /empty window/.test(err.message));
    // an out-of-union value, as a caller reading it from configuration might pass
    await assert.rejects(source.queryRange(q({ fill: 'median' as MetricsQuery['fill'] })), (err: unknown) => err instanceof MetricsQueryError && /unknown fill function median/.test(err.message));
  });

  it('a cancelled query stops', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(source.queryRange(q(), ac.signal), /cancelled/);
  });

  it('writes nothing', async () => {
    const stamp = () => readdirSync(join(cacheDir, 'p1')).map((f) => {
      const p = join(cacheDir, 'p1', f);
      return `${f} ${statSync(p).mtimeMs} ${createHash('sha1').update(readFileSync(p)).digest('hex')}`;
    }).sort();
    const beforeStamp = stamp();
    const s = CacheMetricsSource.open(dir, 'p1');
    await s.queryRange(q());
    await s.queryRange(q({ name: RR.tcpSuccessful, query: RR.tcpSuccessful, recordingRule: true }));
    await s.close();
    assert.deepEqual(stamp(), beforeStamp);
  });

  it('the jitter places a query\'s chunks on its own 10-minute offset (cache/hash.go)', () => {
    const j = chunkJitter('p1', queryHash(nodeInfo.query));
    assert.ok(j >= 0 && j < 600 && j % 60 === 0);
    // recording rules share one offset per project
    assert.equal(chunkJitter('p1', queryHash(RR.tcpSuccessful)), chunkJitter('p1', queryHash(RR.l7Requests)));
    assert.equal(chunkJitter('p1', queryHash(RR.tcpSuccessful)), chunkJitter('p1', ''));
  });
});
