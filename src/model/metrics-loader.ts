/**
 * Which metrics each project's world is read from, decided from the command line:
 *  - cache (the default when DATA_DIR/cache exists): Coroot's own on-disk metrics cache, gated and
 *    windowed per project exactly as stats/stats.go:429-452 does it, so the world is the one Coroot builds;
 *  - prometheus: a Prometheus URL for every project or per project (id or name), or with --live the
 *    Prometheus each project is configured with in Coroot (the cache's window is approximated, see window.ts);
 *  - none: nothing is read and no world is loaded.
 * Every project's outcome is kept in `reports` for the annotated and table views.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IO } from '../io.js';
import { registerSecret } from '../redact.js';
import type { CorootConfig } from '../sources/coroot-config.js';
import { prometheusConfig, projectPrometheus, PrometheusSource } from '../sources/prometheus.js';
import type { CorootDatabase, PrometheusIntegration, ProjectRecord } from '../sources/database/records.js';
import { describe, usageError } from '../errors.js';
import { CacheMetricsSource } from '../sources/cache/source.js';
import { CacheStateDb, statsWorldDecision } from '../sources/cache/state.js';
import type { MetricsSource } from '../sources/metrics.js';
import type { LoadedWorld, LoadOptions } from '../world/load.js';
import { loadProjectWorld } from '../world/load.js';
import { loadCurrentProjectWorld } from '../world/project.js';
import { readCloudPricing } from '../world/pricing.js';
import type { WorldLoader } from './collect.js';
import { iso, type ProjectSourceReport } from './source-report.js';

export interface PrometheusOptions {
  /** URL for every project, or PROJECT=URL with a project id or name (repeatable) */
  urls: string[];
  /** use each project's own Prometheus integration as stored in Coroot */
  live: boolean;
  user?: string;
  password?: string;
  /** "Name: value" */
  headers: string[];
  tlsSkipVerify: boolean;
  timeoutMs: number;
}

function parseHeader(text: string): { key: string; value: string } {
  const at = text.indexOf(':');
  if (at <= 0) throw usageError(`--prometheus-header ${JSON.stringify(text.split(':')[0])}: expected "Name: value"`);
  const header = { key: text.slice(0, at).trim(), value: text.slice(at + 1).trim() };
  registerSecret(header.value);
  return header;
}

function validUrl(url: string, flag: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    registerSecret(decodeURIComponent(parsed.password));
    return url;
  } catch {
    throw usageError(`${flag} ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: not an http(s) URL`);
  }
}

/** The Prometheus integration to read a project's metrics from, or undefined when it has none. */
function integrationFor(project: ProjectRecord, options: PrometheusOptions, global: PrometheusIntegration | undefined): PrometheusIntegration | undefined {
  const perProject = options.urls.map((u) => u.split(/=(?=https?:)/)).find((parts) => parts.length === 2 && (parts[0] === project.id || parts[0] === project.name));
  const everyProject = options.urls.find((u) => !/^[^=]+=https?:/.test(u));
  const flagUrl = perProject?.[1] ?? everyProject;
  const stored = options.live ? projectPrometheus(project, global) : undefined;
  const base = flagUrl !== undefined
    ? { ...project.prometheus, url: validUrl(flagUrl, '--prometheus-url'), basicAuth: null, customHeaders: null, tlsSkipVerify: false }
    : stored;
  if (!base || base.url === '') return undefined;
  return {
    ...base,
    basicAuth: options.user !== undefined ? { user: options.user, password: options.password ?? '' } : base.basicAuth,
    customHeaders: options.headers.length > 0 ? options.headers.map(parseHeader) : base.customHeaders,
    tlsSkipVerify: options.tlsSkipVerify || base.tlsSkipVerify,
  };
}


export type MetricsOptions =
  | { kind: 'none' }
  | { kind: 'cache' }
  | ({ kind: 'prometheus' } & PrometheusOptions);

export interface MetricsLoader {
  loadWorld: WorldLoader;
  reports: ProjectSourceReport[];
  close(): Promise<void>;
}

/** Warnings shared by every source once LoadWorld ran; the world counts only when it loaded. */
function reportWorld(project: ProjectRecord, world: LoadedWorld, io: IO, report: ProjectSourceReport): string | undefined {
  report.world = { nodes: world.nodes.length, applications: world.applications.size, failedQueries: world.failures.length };
  if (world.failures.length > 0) {
    io.warn(`project "${project.name}": ${world.failures.length} queries failed (recorded as failed, as Coroot does), e.g. ${world.failures[0]!.query}: ${world.failures[0]!.message}`);
  }
  for (const warning of world.warnings.slice(0, 5)) io.warn(`project "${project.name}": ${warning}`);
  if (world.error === null) return undefined;
  io.warn(`project "${project.name}": the world did not load (${world.error}); Coroot skips such a project`);
  return `LoadWorld failed: ${world.error}`;
}

function pricingOf(dataDir: string, io: IO): LoadOptions['cloudPricing'] {
  const pricingPath = join(dataDir, 'cloud-pricing', 'cloud-pricing.json.gz');
  const pricing = existsSync(pricingPath) ? readCloudPricing(pricingPath) : { model: null, error: null };
  if (pricing.error) io.warn(`${pricingPath}: ${pricing.error}; no node gets a price`);
  return pricing.model;
}

/** What LoadWorld reads from Coroot's database besides metrics, whatever the metrics source. */
function worldOptions(project: ProjectRecord, db: CorootDatabase, cloudPricing: LoadOptions['cloudPricing']): LoadOptions {
  return {
    cloudPricing,
    getCheckConfigs: () => db.getCheckConfigRows(project.id),
    getApplicationDeployments: () => db.getApplicationDeployments(project.id),
  };
}

function prometheusLoader(options: PrometheusOptions, config: CorootConfig, dataDir: string, db: CorootDatabase, io: IO, reports: ProjectSourceReport[]): WorldLoader {
  registerSecret(options.password);
  const global: PrometheusIntegration | undefined = config.globalPrometheusUrl
    ? { global: true, url: config.globalPrometheusUrl, refreshInterval: 30, tlsSkipVerify: false, basicAuth: null, extraSelector: '', customHeaders: null, remoteWriteUrl: '', useClickHouse: false }
    : undefined;
  const cloudPricing = pricingOf(dataDir, io);
  return async (project, profile, now) => {
    const report: ProjectSourceReport = { project: project.name, source: 'prometheus' };
    reports.push(report);
    const integration = integrationFor(project, options, global);
    if (!integration) {
      io.warn(`project "${project.name}": no Prometheus to read (give --prometheus-url ${project.id}=URL); its world is not loaded`);
      report.notLoaded = 'no Prometheus to read';
      return undefined;
    }
    const source: MetricsSource = new PrometheusSource(prometheusConfig(integration, { timeoutMs: options.timeoutMs }));
    try {
      io.progress(`project "${project.name}": loading the last hour of metrics from ${source.description}`);
      const result = await loadCurrentProjectWorld(project, source, project.prometheus.refreshInterval, now, profile, worldOptions(project, db, cloudPricing));
      io.progress('');
      if (result.status === 'stale') {
        io.warn(`project "${project.name}": ${result.reason}; Coroot skips a project without fresh metrics`);
        report.notLoaded = `stale: ${result.reason}`;
        return undefined;
      }
      report.window = result.window;
      report.notLoaded = reportWorld(project, result.world, io, report);
      return result.world;
    } finally {
      io.progress('');
      await source.close();
    }
  };
}

/**
 * The cache as the stats path reads it: the state DB once, then per project the chunk index,
 * statsWorldDecision at `now`, and LoadWorld over that window. Nothing is written. Anything the cache
 * cannot answer is a warning and a project not loaded, as Coroot logs it and moves on.
 */
function cacheLoader(dataDir: string, db: CorootDatabase, io: IO, reports: ProjectSourceReport[]): { loadWorld: WorldLoader; close(): void } {
  let state: CacheStateDb | undefined;
  let stateError: string | undefined;
  try {
    state = CacheStateDb.open(dataDir);
  } catch (err) {
    stateError = describe(err);
    io.warn(`${stateError}; no project's world is loaded from the cache`);
  }
  const cloudPricing = pricingOf(dataDir, io);
  const loadWorld: WorldLoader = async (project, profile, now) => {
    const report: ProjectSourceReport = { project: project.name, source: 'cache' };
    reports.push(report);
    if (!state) {
      report.notLoaded = stateError!;
      return undefined;
    }
    let source: CacheMetricsSource;
    try {
      source = CacheMetricsSource.open(dataDir, project.id);
    } catch (err) {
      report.notLoaded = describe(err);
      io.warn(`project "${project.name}": ${report.notLoaded}; its world is not loaded`);
      return undefined;
    }
    const skipped = source.skippedChunks;
    if (skipped.length > 0) {
      io.warn(`project "${project.name}": ${skipped.length} chunk files skipped as Coroot's index skips them, e.g. ${skipped[0]!.file}: ${skipped[0]!.reason}`);
    }
    try {
      const decision = statsWorldDecision(state, project.id, source.index, now);
      if (!decision.loaded) {
        report.notLoaded = decision.reason;
        io.warn(`project "${project.name}": ${decision.reason}; Coroot skips a project without fresh metrics`);
        return undefined;
      }
      report.window = decision.window;
      io.progress(`project "${project.name}": loading ${iso(decision.window.from)}..${iso(decision.window.to)} from ${source.description}`);
      const world = await loadProjectWorld(project, source, decision.window, profile, worldOptions(project, db, cloudPricing));
      report.notLoaded = reportWorld(project, world, io, report);
      return world;
    } catch (err) {
      // a state DB that becomes unreadable mid-way: Coroot logs the error and skips the project
      report.notLoaded = describe(err);
      io.warn(`project "${project.name}": ${report.notLoaded}; its world is not loaded`);
      return undefined;
    } finally {
      io.progress('');
      await source.close();
    }
  };
  return { loadWorld, close: () => state?.close() };
}

export function makeMetricsLoader(options: MetricsOptions, config: CorootConfig, dataDir: string, db: CorootDatabase, io: IO): MetricsLoader | undefined {
  const reports: ProjectSourceReport[] = [];
  switch (options.kind) {
    case 'none':
      return undefined;
    case 'prometheus':
      return { loadWorld: prometheusLoader(options, config, dataDir, db, io, reports), reports, close: async () => undefined };
    case 'cache': {
      const { loadWorld, close } = cacheLoader(dataDir, db, io, reports);
      return { loadWorld, reports, close: async () => close() };
    }
  }
}
