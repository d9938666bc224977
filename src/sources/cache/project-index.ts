/**
 * The index Coroot builds from DATA_DIR/cache/<project>/ when it starts (cache.go initCacheIndexFromDir):
 * every `*.db` file whose name has five '-'-separated parts, grouped by the query hash in part 2, with
 * the header and modification time of each. Files whose header cannot be read are skipped, as Coroot
 * skips them (it logs and goes on). The project's step is the step of the chunk with the greatest
 * `from` (the first such file in name order), which is what Coroot has until its updater runs again.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { describe } from '../../errors.js';
import { chunkQueryHash, chunkTo, readChunkMeta, type ChunkMeta } from './chunk.js';

export interface SkippedChunk {
  file: string;
  reason: string;
}

export interface ProjectIndex {
  projectId: string;
  dir: string;
  /** projData.step */
  step: number;
  byQuery: Map<string, ChunkMeta[]>;
  skipped: SkippedChunk[];
}

/** os.ReadDir order: by name, bytewise */
function byName(a: Dirent, b: Dirent): number {
  return Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
}

/**
 * Lists the project directories in `cacheDir` the way Coroot does (directories only, symlinks
 * excluded). Throws the fs error when the cache directory cannot be read.
 */
export function listCachedProjects(cacheDir: string): string[] {
  return readdirSync(cacheDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/**
 * The project's index, or null when Coroot would not know the project (no directory of that name in
 * the cache dir). Throws the fs error when the project directory exists but cannot be listed: Coroot
 * refuses to start then.
 */
export function loadProjectIndex(cacheDir: string, projectId: string): ProjectIndex | null {
  let entries: Dirent[];
  try {
    const top = readdirSync(cacheDir, { withFileTypes: true });
    const own = top.find((e) => e.name === projectId);
    if (!own || !own.isDirectory()) return null;
    entries = readdirSync(join(cacheDir, projectId), { withFileTypes: true });
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    throw err;
  }
  const dir = join(cacheDir, projectId);
  const index: ProjectIndex = { projectId, dir, step: 0, byQuery: new Map(), skipped: [] };
  let latestFrom = 0;
  for (const entry of entries.sort(byName)) {
    const hash = chunkQueryHash(entry.name);
    if (hash === null) continue;
    let meta: ChunkMeta;
    try {
      meta = readChunkMeta(join(dir, entry.name), hash);
    } catch (err) {
      index.skipped.push({ file: entry.name, reason: describe(err) });
      continue;
    }
    if (meta.from > latestFrom) {
      index.step = meta.step;
      latestFrom = meta.from;
    }
    let list = index.byQuery.get(hash);
    if (!list) {
      list = [];
      index.byQuery.set(hash, list);
    }
    list.push(meta);
  }
  return index;
}

/**
 * Client.GetStep: the largest step of any chunk of any query that overlaps [from, to], or the project's
 * step when none does.
 */
export function indexStep(index: ProjectIndex, from: number, to: number): number {
  let step = 0;
  for (const chunks of index.byQuery.values()) {
    for (const ch of chunks) {
      if (ch.from > to || chunkTo(ch) < from) continue;
      if (ch.step > step) step = ch.step;
    }
  }
  return step === 0 ? index.step : step;
}
