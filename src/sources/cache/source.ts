/**
 * MetricsSource over Coroot's on-disk metrics cache for one project: what cache.Client.QueryRange
 * returns, recording rules (rr_*) included. The chunk index is taken once when the source is opened,
 * as Coroot takes it at start-up; every read afterwards is a plain read of the files it lists, never a
 * write. A query whose chunks cannot be read fails alone with a MetricsQueryError, as in Coroot.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, inputError } from '../../errors.js';
import { redact } from '../../redact.js';
import {
  MetricsQueryError, nextTurn, pointsCount, truncateTime, type MetricsQuery, type MetricsSource, type QueryOutcome,
} from '../metrics.js';
import { chunkTo, readChunk, type ChunkMeta } from './chunk.js';
import { CacheFormatError } from './errors.js';
import { FILL_FUNCS } from './fill.js';
import { loadProjectIndex, type ProjectIndex } from './project-index.js';
import { SeriesSet } from './series-set.js';

/** cache.queryHash: md5 hex of the query text, or of the recording rule's name for rr_* series */
export function queryHash(query: string): string {
  return createHash('md5').update(query, 'utf8').digest('hex');
}

/**
 * The order Client.QueryRange applies chunks in: by creation time. Go's sort is not stable and starts
 * from a map's random order, so chunks created in the same second have no defined order in Coroot;
 * here they go by file name, which keeps results reproducible.
 */
export function applyOrder(chunks: readonly ChunkMeta[]): ChunkMeta[] {
  return [...chunks].sort((a, b) => a.created - b.created || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export class CacheMetricsSource implements MetricsSource {
  readonly description: string;
  /** null: Coroot does not know the project (no DATA_DIR/cache/<id>/) */
  readonly index: ProjectIndex | null;

  private constructor(readonly cacheDir: string, readonly projectId: string, index: ProjectIndex | null) {
    this.index = index;
    this.description = `Coroot cache at ${cacheDir} (project ${projectId})`;
  }

  /**
   * Indexes DATA_DIR/cache/<projectId>/. A missing cache directory or a project directory that cannot
   * be listed is a one-line input error (Coroot would not start); an unknown project is not, its queries
   * fail one by one as in Coroot.
   */
  static open(dataDir: string, projectId: string): CacheMetricsSource {
    const cacheDir = join(dataDir, 'cache');
    if (!existsSync(cacheDir) || !statSync(cacheDir).isDirectory()) {
      throw inputError(`no Coroot metrics cache at ${cacheDir}`);
    }
    let index: ProjectIndex | null;
    try {
      index = loadProjectIndex(cacheDir, projectId);
    } catch (err) {
      throw inputError(`cannot list the Coroot metrics cache of project ${projectId} in ${cacheDir}: ${describe(err)}`, err);
    }
    return new CacheMetricsSource(cacheDir, projectId, index);
  }

  /** chunk files Coroot's index would skip (unreadable or truncated header), for warnings */
  get skippedChunks(): ReadonlyArray<{ file: string; reason: string }> {
    return this.index?.skipped ?? [];
  }

  async queryRange(query: MetricsQuery, signal?: AbortSignal): Promise<QueryOutcome> {
    const fail = (message: string, cause?: unknown) => new MetricsQueryError(redact(`${query.name}: ${this.description}: ${message}`), cause);
    if (signal?.aborted) throw fail('cancelled');
    if (this.index === null) throw fail(`unknown project: ${this.projectId}`);
    const { step } = query.window;
    if (!Number.isInteger(step) || step <= 0) throw fail(`invalid step ${step}`);
    const chunks = this.index.byQuery.get(queryHash(query.query));
    if (!chunks) return { metrics: [], warnings: [] };
    const from = truncateTime(query.window.from, step);
    const to = truncateTime(query.window.to, step);
    const grid = { from, pointsCount: pointsCount({ from, to, step }), step };
    if (grid.pointsCount <= 0) throw fail(`empty window ${from}..${to}`);
    const fill = FILL_FUNCS[query.fill];
    if (fill === undefined) throw fail(`unknown fill function ${String(query.fill)}`);
    const dest = new SeriesSet(grid);
    for (const ch of applyOrder(chunks)) {
      if (ch.from > to || chunkTo(ch) < from) continue;
      if (signal?.aborted) throw fail('cancelled');
      try {
        readChunk(ch.path, dest, fill);
      } catch (err) {
        throw fail(`${chunkFailure(err)} in ${ch.path}`, err);
      }
      await nextTurn();
    }
    return { metrics: dest.series, warnings: [] };
  }

  async close(): Promise<void> {
    // nothing is held open between queries
  }
}

function chunkFailure(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'the chunk file vanished (Coroot may have compacted or removed it since the cache was indexed)';
  if (err instanceof CacheFormatError) return err.message;
  if (code) return `${code}: ${describe(err)}`;
  return `unreadable chunk: ${describe(err)}`;
}
