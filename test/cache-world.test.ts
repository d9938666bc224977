/**
 * The cache source behind the world loader: a project whose cache holds a few node-level chunks is
 * gated and windowed as stats.go does it, every stats-path query is answered from the cache (most
 * with nothing), and the node comes out of the chunks. This is an interface check between the cache
 * reader and the world model, not the payload comparison with Prometheus (issue 6, later).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildSqliteDataDir } from '../fixtures/datadir.js';
import { CacheMetricsSource, queryHash } from '../src/sources/cache/source.js';
import { CacheStateDb, statsWorldDecision } from '../src/sources/cache/state.js';
import { loadProjectWorld, type ConstructorProfile } from '../src/world/load.js';
import { nodeName } from '../src/world/model.js';
import { QUERIES, RR } from '../src/world/queries.js';
import { last } from '../src/world/timeseries.js';
import { chunkJitter, writeChunk } from '../fixtures/cache-writer.js';

const tmp = mkdtempSync(join(tmpdir(), 'cache-world-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const NOW = 1795176000;
const STEP = 30;
/** the updater's steady state: raw queries end 2 steps back, recording rules 3 (docs world.md §1.3) */
const RAW_LAST = NOW - 2 * STEP;
const RR_LAST = NOW - 3 * STEP;

describe('world from the cache', () => {
  const dir = join(tmp, 'data');
  const queryText = (name: string) => QUERIES.find((d) => d.name === name)!.query;
  const rows = [
    ...['node_info', 'node_cpu_cores', 'node_agent_info'].map((n) => ({ project_id: 'p1', query: queryText(n), last_ts: RAW_LAST, last_error: '' })),
    { project_id: 'p1', query: RR.tcpSuccessful, last_ts: RR_LAST, last_error: '' },
  ];
  buildSqliteDataDir(dir, { cacheState: rows }, { mainDb: false });
  const cacheDir = join(dir, 'cache');
  // 10-minute chunks at each query's jitter, the last one unfinalized, over the last 90 minutes
  const series: Record<string, Array<{ pairs: Array<[string, string]>; value: number }>> = {
    node_info: [{ pairs: [['machine_id', 'm1'], ['hostname', 'node-1'], ['kernel_version', '6.1.0']], value: 1 }],
    node_cpu_cores: [{ pairs: [['machine_id', 'm1']], value: 4 }],
    node_agent_info: [{ pairs: [['machine_id', 'm1'], ['version', '1.23.4']], value: 1 }],
  };
  for (const [name, list] of Object.entries(series)) {
    const query = queryText(name);
    const jitter = chunkJitter('p1', queryHash(query));
    for (let from = NOW - 5400 - ((NOW - 5400) % 600) + jitter; from <= RAW_LAST; from += 600) {
      const points = 600 / STEP;
      const filled = Math.min(points, Math.floor((RAW_LAST - from) / STEP) + 1);
      writeChunk(cacheDir, 'p1', query, {
        from, pointsCount: points, step: STEP, finalized: filled === points,
        series: list.map((s, i) => ({ hash: BigInt(i + 1), pairs: s.pairs, values: new Array<number>(filled).fill(s.value) })),
      }, { created: from + 600, version: 4 });
    }
  }

  it('is loaded over the hour before cacheTo, every query answered', async () => {
    const state = CacheStateDb.open(dir);
    const source = CacheMetricsSource.open(dir, 'p1');
    try {
      const decision = statsWorldDecision(state, 'p1', source.index, NOW);
      assert.ok(decision.loaded);
      assert.equal(decision.cacheTo, RR_LAST - STEP);
      assert.deepEqual(decision.window, { from: RR_LAST - STEP - 3600, to: RR_LAST - STEP, step: STEP });
      const profile: ConstructorProfile = { stages: {}, queries: {} };
      const world = await loadProjectWorld({ id: 'p1' }, source, decision.window, profile);
      assert.equal(world.error, null, JSON.stringify(world.failures));
      assert.deepEqual(world.failures, []);
      assert.equal(Object.keys(profile.queries!).length, 280);
      assert.equal(world.nodes.length, 1);
      const node = world.nodes[0]!;
      assert.equal(nodeName(node), 'node-1');
      assert.equal(last(node.cpuCapacity), 4);
    } finally {
      state.close();
      await source.close();
    }
  });
});
