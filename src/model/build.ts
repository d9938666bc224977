/**
 * sources → collect() → payload: everything `show`, `diff live`, `verify`, `profile` and `send` need to
 * build a payload from a data-dir, with the database always closed afterwards.
 */
import { CliError, usageError } from '../errors.js';
import type { IO } from '../io.js';
import { loadCorootConfig, type CorootConfig, type CorootFlags } from '../sources/coroot-config.js';
import { openDataDir, readInstanceUuid, type InstanceUuid } from '../sources/datadir.js';
import type { CorootDatabase, ProjectRecord, UserRecord } from '../sources/database/records.js';
import { CorootReadError } from '../sources/database/rows.js';
import { SqliteDatabase } from '../sources/database/sqlite.js';
import { applyBootstrap, parseConfigProjects } from './bootstrap.js';
import { collect, type BuildNotes } from './collect.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsLoader, MetricsOptions, PrometheusOptions } from './metrics-loader.js';
import { describeReport, iso, type MetricsSourceKind, type ProjectSourceReport } from './source-report.js';
import type { Payload } from './payload-schema.js';


export interface BuildOptions {
  coroot: CorootFlags;
  corootVersion: string;
  installationType: string | undefined;
  /** unix seconds; undefined = now, or the cache's last update when it stopped (see buildTime) */
  at: number | undefined;
  /** false: undefined `at` is always the wall clock (send: Coroot sends what it has now) */
  atLastCacheUpdate?: boolean;
  asRunning: boolean;
  dbBusyTimeoutMs: number;
  pgTimeoutMs: number;
  /** where metrics come from; undefined: prometheus with `prometheus` options, else the cache when DATA_DIR/cache exists, else none */
  source?: MetricsSourceKind;
  /** required for the prometheus source */
  prometheus?: PrometheusOptions;
}

export interface BuildContext {
  config: CorootConfig;
  dataDirPath: string;
  database: string;
  uuid: InstanceUuid;
  projects: ProjectRecord[];
  now: number;
  /** what Coroot's start-up bootstrap would change, applied in memory */
  bootstrapChanges: string[];
  /** the users the build read, so that verify does not read them again; undefined when they could not be read */
  users: UserRecord[] | undefined;
}

export interface BuiltPayload {
  payload: Payload;
  notes: BuildNotes;
  context: BuildContext;
  /** per non-multicluster project: the metrics source, window and world size; empty without a source */
  sources: ProjectSourceReport[];
}

/** --at: RFC 3339, unix seconds, or "now". */
export function parseAt(text: string): number {
  if (text === 'now') return Math.floor(Date.now() / 1000);
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw usageError(`--at ${JSON.stringify(text)}: expected an RFC 3339 time (2026-11-20T12:00:00Z), unix seconds or "now"`);
}

/** --source resolved against the data-dir: Coroot's cache is the default wherever Coroot left one. */
function metricsOptions(options: BuildOptions, dataDirPath: string): MetricsOptions {
  const kind = options.source ?? (options.prometheus ? 'prometheus' : existsSync(join(dataDirPath, 'cache')) ? 'cache' : 'none');
  if (kind !== 'prometheus') return { kind };
  if (!options.prometheus) throw usageError('--source prometheus needs --live or --prometheus-url');
  return { kind, ...options.prometheus };
}

async function openDatabase(config: CorootConfig, dbPath: string, options: BuildOptions, io: IO): Promise<CorootDatabase> {
  if (config.pgConnectionString) {
    // pg is loaded only for PostgreSQL installs: it is a noticeable part of start-up time.
    const { PostgresDatabase } = await import('../sources/database/postgres.js');
    return PostgresDatabase.open(config.pgConnectionString.value, {
      connectTimeoutMs: options.pgTimeoutMs,
      statementTimeoutMs: options.pgTimeoutMs,
      warn: (m) => io.warn(m),
    });
  }
  return SqliteDatabase.open(dbPath, { busyTimeoutMs: options.dbBusyTimeoutMs, warn: (m) => io.warn(m) });
}

/** Which metrics source each project's world came from and over which window, for the views. */
function sourcesNote(metrics: MetricsOptions, loader: MetricsLoader | undefined, previous: string | undefined): string {
  let text: string;
  if (!loader) {
    text = 'metrics source: none (--source none, or no DATA_DIR/cache and no Prometheus asked for): no world is loaded';
  } else {
    const lines = loader.reports.map(describeReport);
    text = `metrics source ${metrics.kind}, per non-multicluster project: ${lines.length > 0 ? lines.join('; ') : 'none reached'}`;
  }
  return previous === undefined ? text : `${previous}; ${text}`;
}

/**
 * The time to build for without --at: the wall clock, except for a data-dir whose metrics cache stopped
 * updating more than an hour ago (a copied data-dir, or a stopped Coroot). At the wall clock no world
 * loads from such a cache, and a stopped Coroot sends nothing at all; as of the cache's last update the
 * payload is the one Coroot sent last, which is what a copy is inspected for. `--at now` keeps the clock.
 */
async function buildTime(options: BuildOptions, metrics: MetricsOptions, dataDirPath: string, io: IO): Promise<number> {
  const wallClock = Math.floor(Date.now() / 1000);
  if (options.at !== undefined) return options.at;
  if (options.atLastCacheUpdate === false || metrics.kind !== 'cache') return wallClock;
  const { CacheStateDb, WORLD_WINDOW } = await import('../sources/cache/state.js');
  let lastUpdate: number;
  try {
    const state = CacheStateDb.open(dataDirPath);
    try {
      lastUpdate = state.maxLastTs();
    } finally {
      state.close();
    }
  } catch {
    return wallClock; // the cache loader reports an unreadable cache itself
  }
  if (lastUpdate === 0 || lastUpdate >= wallClock - WORLD_WINDOW) return wallClock;
  io.warn(`the metrics cache was last updated at ${iso(lastUpdate)}, more than an hour ago: building the payload as of then, what Coroot last sent (--at now: as of now, without metrics)`);
  return lastUpdate;
}

export async function buildPayload(options: BuildOptions, io: IO): Promise<BuiltPayload> {
  const config = loadCorootConfig(options.coroot, io.env);
  const configProjects = parseConfigProjects(config);
  const dataDir = openDataDir(config.dataDir.value);
  const uuid = readInstanceUuid(dataDir);
  const metrics = metricsOptions(options, dataDir.path);
  const now = await buildTime(options, metrics, dataDir.path, io);
  const stored = await openDatabase(config, dataDir.dbPath, options, io);
  let loader: MetricsLoader | undefined;
  try {
    const { database: db, changes } = options.asRunning ? { database: stored, changes: [] } : await applyBootstrap(stored, config, configProjects);
    for (const change of changes) io.warn(`${change} (applied here in memory, not written)`);
    // the world model is loaded only when there is a metrics source
    loader = metrics.kind === 'none'
      ? undefined
      : (await import('./metrics-loader.js')).makeMetricsLoader(metrics, config, dataDir.path, db, io);
    const result = await collect({
      db,
      loadWorld: loader?.loadWorld,
      instance: { uuid: uuid.value, version: options.corootVersion, installationType: options.installationType ?? '' },
      globalClickHouse: config.globalClickHouse,
      now,
      asRunning: options.asRunning,
      warn: (m) => io.warn(m),
    });
    result.notes.set('infra.projects', sourcesNote(metrics, loader, result.notes.get('infra.projects')));
    if (uuid.status !== 'ok') {
      io.warn(`${uuid.detail}: Coroot would write a new random UUID there at start-up and send it; coroot-usage never writes it and shows ${uuid.value} instead`);
    }
    if (uuid.status !== 'ok') result.notes.set('instance.uuid', `placeholder: ${uuid.detail}, so Coroot would generate a new random UUID at start-up`);
    return {
      payload: result.payload,
      notes: result.notes,
      context: { config, dataDirPath: dataDir.path, database: db.description, uuid, projects: result.projects, now, bootstrapChanges: changes, users: result.users },
      sources: loader?.reports ?? [],
    };
  } catch (err) {
    if (err instanceof CorootReadError) {
      throw new CliError('input', `${stored.description}: ${err.message}; Coroot v1.24.5 would fail to start with this database (use --as-running to see what an already running Coroot sends)`, err);
    }
    throw err;
  } finally {
    await loader?.close();
    await stored.close();
  }
}
