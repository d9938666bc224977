/**
 * DATA_DIR/cache/db.sqlite (table prometheus_query_state: one row per project and query with the time
 * the cache holds it up to), opened strictly read-only, and the decision stats/stats.go makes from it
 * and from the chunk index: whether a project's world is loaded for the usage statistics, and over which
 * window and step.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, inputError } from '../../errors.js';
import type { Window } from '../metrics.js';
import { indexStep, type ProjectIndex } from './project-index.js';

/** stats.worldWindow: one hour */
export const WORLD_WINDOW = 3600;

export class CacheStateDb {
  private constructor(private readonly db: Database.Database, readonly path: string) {}

  /**
   * Opens DATA_DIR/cache/db.sqlite read-only. A missing file, a file that is not SQLite, or one without
   * the prometheus_query_state table is a one-line input error.
   */
  static open(dataDir: string, busyTimeoutMs = 5000): CacheStateDb {
    const path = join(dataDir, 'cache', 'db.sqlite');
    if (!existsSync(path)) throw inputError(`no Coroot cache state at ${path} (DATA_DIR/cache/db.sqlite is created by Coroot's cache on its first start)`);
    if (statSync(path).size === 0) throw inputError(`the Coroot cache state ${path} is empty`);
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
      db.pragma('query_only = ON');
      const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'prometheus_query_state'").get();
      if (table === undefined) throw new Error('it has no prometheus_query_state table');
      return new CacheStateDb(db, path);
    } catch (err) {
      db?.close();
      throw inputError(`cannot read the Coroot cache state ${path}: ${describe(err)}`, err);
    }
  }

  /** getMinUpdateTime: min(last_ts) of the project's queries, recording rules included; 0 when none. */
  minLastTs(projectId: string): number {
    let row: unknown;
    try {
      row = this.db.prepare('SELECT min(last_ts) AS v FROM prometheus_query_state WHERE project_id = ?').get(projectId);
    } catch (err) {
      throw inputError(`cannot read the Coroot cache state ${this.path}: ${describe(err)}`, err);
    }
    const v = (row as { v: unknown } | undefined)?.v;
    if (v === null || v === undefined) return 0;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    throw inputError(`the Coroot cache state ${this.path} has a last_ts that is not an integer for project ${projectId}: ${String(v)}`);
  }

  /** max(last_ts) over every project and query: when the cache last stored anything; 0 when empty. */
  maxLastTs(): number {
    let row: unknown;
    try {
      row = this.db.prepare('SELECT max(last_ts) AS v FROM prometheus_query_state').get();
    } catch (err) {
      throw inputError(`cannot read the Coroot cache state ${this.path}: ${describe(err)}`, err);
    }
    const v = (row as { v: unknown } | undefined)?.v;
    return typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isInteger(v) ? v : 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** An error Coroot's cache client returns (and the stats loop logs before skipping the project). */
export class CacheClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheClientError';
  }
}

/**
 * Client.GetTo: min(last_ts) minus the project's step; 0 when no query has a state. The project must be
 * known to the cache (have a directory) unless there is no state at all.
 */
export function cacheGetTo(state: CacheStateDb, projectId: string, index: ProjectIndex | null): number {
  const to = state.minLastTs(projectId);
  if (to === 0) return 0;
  if (index === null) throw new CacheClientError(`unknown project: ${projectId}`);
  return to - index.step;
}

/** Client.GetStep */
export function cacheGetStep(projectId: string, index: ProjectIndex | null, from: number, to: number): number {
  if (index === null) throw new CacheClientError(`unknown project: ${projectId}`);
  return indexStep(index, from, to);
}

export type WorldDecision =
  | { loaded: false; cacheTo: number; reason: string }
  /** `window.step` 0: LoadWorld returns an empty world without running any query */
  | { loaded: true; cacheTo: number; window: Window };

/**
 * stats/stats.go:429-445 for one (non-multicluster) project at `now` (Unix seconds): GetTo, skip when
 * it is 0 or older than an hour, else the window [cacheTo - 1h, cacheTo] at GetStep of that window.
 */
export function statsWorldDecision(state: CacheStateDb, projectId: string, index: ProjectIndex | null, now: number): WorldDecision {
  let cacheTo: number;
  try {
    cacheTo = cacheGetTo(state, projectId, index);
  } catch (err) {
    if (err instanceof CacheClientError) return { loaded: false, cacheTo: 0, reason: err.message };
    throw err;
  }
  if (cacheTo === 0) return { loaded: false, cacheTo, reason: 'the cache has no query state for the project' };
  if (cacheTo < now - WORLD_WINDOW) {
    return { loaded: false, cacheTo, reason: `the cache ends at ${cacheTo}, more than ${WORLD_WINDOW}s before ${now}` };
  }
  const to = cacheTo;
  const from = to - WORLD_WINDOW;
  const step = cacheGetStep(projectId, index, from, to);
  return { loaded: true, cacheTo, window: { from, to, step } };
}
