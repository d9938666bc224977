/**
 * The cache state DB and the stats path's decision (stats/stats.go:429-445): GetTo, GetStep, the one-hour
 * staleness rule, unknown projects, every way the state DB can be unusable, and that nothing is written.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { buildSqliteDataDir, type CacheStateRow } from '../fixtures/datadir.js';
import { CliError } from '../src/errors.js';
import { indexStep, loadProjectIndex } from '../src/sources/cache/project-index.js';
import { CacheStateDb, cacheGetStep, cacheGetTo, statsWorldDecision } from '../src/sources/cache/state.js';
import { writeChunk, type ChunkSpec } from '../fixtures/cache-writer.js';

const DEMO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'demo');
const tmp = mkdtempSync(join(tmpdir(), 'cache-state-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const T0 = 1795170000;
const row = (project_id: string, query: string, last_ts: number): CacheStateRow => ({ project_id, query, last_ts, last_error: '' });
const one = (from: number, pointsCount: number, step: number): ChunkSpec => ({
  from, pointsCount, step, finalized: true, series: [{ hash: 1n, pairs: [['job', 'x']], values: [1] }],
});

/** every file under dir with its size, mtime and content hash */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.set(p, `${st.size} ${st.mtimeMs} ${createHash('sha1').update(readFileSync(p)).digest('hex')}`);
      }
    }
  };
  walk(dir);
  return out;
}

function dataDir(name: string, rows: CacheStateRow[], dirs?: string[]): string {
  const dir = join(tmp, name);
  buildSqliteDataDir(dir, { cacheState: rows, ...(dirs ? { cacheDirs: dirs } : {}) }, { mainDb: false });
  return dir;
}

describe('GetTo, GetStep and the stats decision', () => {
  const dir = dataDir('main', [
    row('p1', 'node_info', T0 + 300),
    row('p1', 'up', T0 + 240),
    row('p1', 'rr_connection_tcp_successful', T0 + 210),
    row('p2', 'up', T0),
    row('ghost', 'up', T0),
  ], ['p1', 'p2', 'empty']);
  const cacheDir = join(dir, 'cache');
  // p1: an old 30 s compacted chunk, then a step change to 60 s; the latest chunk decides the project step
  writeChunk(cacheDir, 'p1', 'up', one(T0 - 7200, 120, 30), { created: 1 });
  writeChunk(cacheDir, 'p1', 'node_info', one(T0 - 600, 10, 60), { created: 2 });
  writeChunk(cacheDir, 'p1', 'node_info', one(T0 - 3000, 20, 30), { created: 3 });
  const state = CacheStateDb.open(dir);
  after(() => state.close());
  const p1 = loadProjectIndex(cacheDir, 'p1')!;
  const p2 = loadProjectIndex(cacheDir, 'p2')!;

  it('min(last_ts) over all of the project\'s queries, recording rules included', () => {
    assert.equal(state.minLastTs('p1'), T0 + 210);
    assert.equal(state.minLastTs('nobody'), 0);
  });

  it('GetTo subtracts the step of the chunk with the latest from', () => {
    assert.equal(p1.step, 60);
    assert.equal(cacheGetTo(state, 'p1', p1), T0 + 210 - 60);
    // a project directory without chunks has step 0
    assert.equal(p2.step, 0);
    assert.equal(cacheGetTo(state, 'p2', p2), T0);
  });

  it('an unknown project is an error only when it has query states', () => {
    assert.equal(loadProjectIndex(cacheDir, 'ghost'), null);
    assert.throws(() => cacheGetTo(state, 'ghost', null), /unknown project: ghost/);
    assert.equal(cacheGetTo(state, 'nobody', null), 0);
  });

  it('GetStep: the largest step among overlapping chunks, else the project step', () => {
    assert.equal(indexStep(p1, T0 - 3600, T0), 60);
    assert.equal(indexStep(p1, T0 - 3600, T0 - 700), 30);
    assert.equal(indexStep(p1, T0 - 90_000, T0 - 80_000), 60);
    assert.throws(() => cacheGetStep('ghost', null, 0, 1), /unknown project/);
  });

  it('loads the world over [cacheTo - 1h, cacheTo] unless the cache is an hour behind', () => {
    const cacheTo = T0 + 150;
    assert.deepEqual(statsWorldDecision(state, 'p1', p1, cacheTo + 100), { loaded: true, cacheTo, window: { from: cacheTo - 3600, to: cacheTo, step: 60 } });
    assert.equal(statsWorldDecision(state, 'p1', p1, cacheTo + 3600).loaded, true, 'exactly one hour behind still loads');
    const stale = statsWorldDecision(state, 'p1', p1, cacheTo + 3601);
    assert.equal(stale.loaded, false);
    assert.match(stale.loaded ? '' : stale.reason, /more than 3600s/);
    assert.deepEqual(statsWorldDecision(state, 'nobody', null, T0), { loaded: false, cacheTo: 0, reason: 'the cache has no query state for the project' });
    assert.deepEqual(statsWorldDecision(state, 'ghost', null, T0), { loaded: false, cacheTo: 0, reason: 'unknown project: ghost' });
    // no chunk at all: step 0, which makes LoadWorld return an empty world
    assert.deepEqual(statsWorldDecision(state, 'p2', p2, T0), { loaded: true, cacheTo: T0, window: { from: T0 - 3600, to: T0, step: 0 } });
  });

  it('the demo data-dir: production gated at its 15 s step, staging (no chunk) loads with step 0', () => {
    const demo = CacheStateDb.open(DEMO);
    try {
      const prod = loadProjectIndex(join(DEMO, 'cache'), 'sboc7hq9');
      assert.ok(prod);
      assert.equal(prod.step, 15);
      // min(last_ts) is a recording rule's DEMO_NOW - 45; GetTo subtracts one step
      const to = 1795176000 - 45 - 15;
      assert.deepEqual(statsWorldDecision(demo, 'sboc7hq9', prod, 1795176000), { loaded: true, cacheTo: to, window: { from: to - 3600, to, step: 15 } });
      const staging = loadProjectIndex(join(DEMO, 'cache'), 'l750cfm9');
      assert.ok(staging);
      assert.equal(staging.byQuery.size, 0);
      assert.deepEqual(statsWorldDecision(demo, 'l750cfm9', staging, 1795176000), {
        loaded: true, cacheTo: 1795175910, window: { from: 1795175910 - 3600, to: 1795175910, step: 0 },
      });
    } finally {
      demo.close();
    }
  });
});

describe('an unusable state DB is one input error', () => {
  const expectInput = (dir: string, pattern: RegExp) =>
    assert.throws(() => CacheStateDb.open(dir), (err: unknown) => err instanceof CliError && err.kind === 'input' && pattern.test(err.message) && !err.message.includes('\n'));

  it('missing', () => {
    mkdirSync(join(tmp, 'none'), { recursive: true });
    expectInput(join(tmp, 'none'), /no Coroot cache state at .*db\.sqlite/);
  });

  it('empty file', () => {
    mkdirSync(join(tmp, 'empty', 'cache'), { recursive: true });
    writeFileSync(join(tmp, 'empty', 'cache', 'db.sqlite'), '');
    expectInput(join(tmp, 'empty'), /is empty/);
  });

  it('not SQLite', () => {
    mkdirSync(join(tmp, 'text', 'cache'), { recursive: true });
    writeFileSync(join(tmp, 'text', 'cache', 'db.sqlite'), 'this is not a database, just some text that is long enough'.repeat(100));
    expectInput(join(tmp, 'text'), /cannot read the Coroot cache state/);
  });

  it('SQLite without the table', () => {
    const dir = join(tmp, 'notable');
    buildSqliteDataDir(dir, { instanceUuid: 'x' }, {});
    mkdirSync(join(dir, 'cache'), { recursive: true });
    writeFileSync(join(dir, 'cache', 'db.sqlite'), readFileSync(join(dir, 'db.sqlite')));
    expectInput(dir, /no prometheus_query_state table/);
  });
});

describe('read-only', () => {
  it('opening, querying and deciding write nothing, not even a journal', () => {
    const dir = dataDir('ro', [row('p1', 'up', T0)], ['p1']);
    writeChunk(join(dir, 'cache'), 'p1', 'up', one(T0 - 600, 20, 30), { created: 5 });
    const before = snapshot(dir);
    const state = CacheStateDb.open(dir);
    const index = loadProjectIndex(join(dir, 'cache'), 'p1');
    statsWorldDecision(state, 'p1', index, T0);
    state.close();
    assert.deepEqual(snapshot(dir), before);
    assert.equal(existsSync(join(dir, 'cache', 'db.sqlite-journal')), false);
  });
});
