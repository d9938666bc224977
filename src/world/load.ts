/**
 * loadProjectWorld for one project, as constructor.LoadWorld runs it in the usage-statistics path: the
 * whole query batch at once with per-query statistics, then the world-building stages in Coroot's order,
 * each timed into the profile. Stages whose part of the world is not rebuilt yet still run (as no-ops)
 * so that the stage map has Coroot's keys.
 */
import type { Payload, QueryStats } from '../model/payload-schema.js';
import { describe } from '../errors.js';
import { redact } from '../redact.js';
import type { MetricValues, MetricsSource, Window } from '../sources/metrics.js';
import { loadArgoCDResources, loadFluxResources, loadKubeStateMetricsInstalled, loadKubeStateMetricsRequired } from './integrations.js';
import { newWorld, type World } from './model.js';
import {
  loadElasticache, loadElasticacheMetadata, loadFargateNodes, loadNodes, loadRds, loadRdsMetadata, newManagedInstances,
  type NodeCache, type Pricing,
} from './nodes.js';
import { DEFAULT_CUSTOM_CLOUD_PRICING, type CloudPricingModel, type CustomCloudPricing } from './pricing.js';
import { constructorQueries, type CustomSliQuery } from './queries.js';
import { recordQuery } from './query-stats.js';

/** constructor.Profile: `performance.constructor` of the payload, updated in place. */
export type ConstructorProfile = Payload['performance']['constructor'];

/** The subset of db.Project the loader needs (ProjectRecord fits). */
export interface ProjectRef {
  id: string;
}

export interface LoadOptions {
  /** custom SLI queries from the project's check configs */
  customSlis?: readonly CustomSliQuery[];
  /** Coroot's cloud-pricing dump (readCloudPricing of DATA_DIR/cloud-pricing/cloud-pricing.json.gz); none: no node has a price */
  cloudPricing?: CloudPricingModel | null;
  /** the project's custom cloud pricing; Coroot's default when the project has none */
  customCloudPricing?: CustomCloudPricing;
  /** timed as the get_check_configs stage, as LoadWorld reads the check configs itself */
  getCheckConfigs?: () => Promise<unknown>;
  signal?: AbortSignal;
}

export interface LoadedWorld extends World {
  /** LoadWorld's error: when set, Coroot skips the project and adds nothing but query statistics and stages */
  error: string | null;
  /** failed queries with their (redacted) reasons */
  failures: Array<{ query: string; message: string }>;
  /** non-fatal remarks of the source, e.g. Prometheus warnings (Coroot ignores them) */
  warnings: string[];
  /** seconds LoadWorld took, for ux.world_load_time_avg */
  loadSeconds: number;
}

/** Go's float32(time.Duration.Seconds()) of a duration in nanoseconds. */
export function goSeconds(ns: bigint): number {
  return Math.fround(Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9);
}

/** The 36 stages of loadProjectWorld, in execution order (constructor/constructor.go). */
export const STAGES = [
  'get_check_configs', 'query', 'load_job_statuses', 'load_nodes', 'load_fqdn', 'load_fargate_nodes', 'load_k8s_metadata',
  'load_flux_resources', 'load_argocd_resources', 'load_aws_status', 'load_rds_metadata', 'load_elasticache_metadata',
  'load_rds', 'load_elasticache', 'load_fargate_containers', 'load_containers', 'load_app_to_app_connections',
  'load_application_traffic', 'load_application_dns', 'load_jvm', 'load_go_runtime', 'load_dotnet', 'load_python',
  'load_nodejs', 'enrich_instances', 'calc_app_categories', 'group_custom_applications', 'join_db_cluster_components',
  'load_postgres_backups', 'load_app_settings', 'load_app_sli', 'load_container_logs', 'load_app_logs',
  'load_app_deployments', 'load_app_incidents', 'calc_app_events',
] as const;
export type Stage = (typeof STAGES)[number];

/** Profile.stage: keeps the longest float32 duration per stage; nothing is timed without a stage map. */
async function stage(profile: ConstructorProfile, name: Stage, f: () => void | Promise<void>): Promise<void> {
  if (!profile.stages) {
    await f();
    return;
  }
  const start = process.hrtime.bigint();
  await f();
  const duration = goSeconds(process.hrtime.bigint() - start);
  if (duration > (profile.stages[name] ?? 0)) profile.stages[name] = duration;
}

type MetricsMap = Map<string, MetricValues[]>;

/**
 * queryCache: all queries at once (the source bounds concurrency), each recorded under its stats name
 * with the time since the batch started. Results of failed queries are absent from the map.
 */
async function queryBatch(
  source: MetricsSource, window: Window, rawStep: number, queries: Record<string, QueryStats> | null, options: LoadOptions,
  out: { metrics: MetricsMap; failures: LoadedWorld['failures']; warnings: string[] },
): Promise<void> {
  const batch = constructorQueries(window, rawStep, options.customSlis);
  const results = new Map<string, MetricValues[]>();
  const start = process.hrtime.bigint();
  await Promise.all(batch.map(async (q) => {
    let metrics: MetricValues[] = [];
    let failed = false;
    try {
      const outcome = await source.queryRange(q, options.signal);
      metrics = outcome.metrics;
      out.warnings.push(...outcome.warnings);
    } catch (err) {
      failed = true;
      out.failures.push({ query: q.name, message: redact(describe(err)) });
    }
    if (queries) recordQuery(queries, q.statsName, metrics, goSeconds(process.hrtime.bigint() - start), failed);
    if (!failed) results.set(q.name, metrics);
  }));
  // Coroot ranges over a Go map here; a fixed order (the batch's) makes merges and ties reproducible
  for (const q of batch) {
    const metrics = results.get(q.name);
    if (metrics) out.metrics.set(q.name, metrics);
  }
}

export async function loadProjectWorld(
  project: ProjectRef, source: MetricsSource, window: Window, profile: ConstructorProfile, options: LoadOptions = {},
): Promise<LoadedWorld> {
  const started = process.hrtime.bigint();
  // the stats path asks the cache for the step of the same window, so the raw step is the world step
  const rawStep = window.step > 0 ? window.step : 0;
  const aligned: Window = rawStep > 0
    ? { from: window.from - (window.from % rawStep), to: window.to - (window.to % rawStep), step: rawStep }
    : { ...window };
  const world: LoadedWorld = { ...newWorld(project.id, aligned, rawStep), error: null, failures: [], warnings: [], loadSeconds: 0 };
  const finish = (): LoadedWorld => {
    world.loadSeconds = goSeconds(process.hrtime.bigint() - started);
    return world;
  };
  // no data in the cache: an empty world, loaded, with neither stages nor queries (LoadWorld's rawStep == 0)
  if (rawStep === 0) return finish();

  let checkConfigsError: unknown;
  await stage(profile, 'get_check_configs', async () => {
    try {
      await options.getCheckConfigs?.();
    } catch (err) {
      checkConfigsError = err;
    }
  });
  if (checkConfigsError !== undefined) {
    world.error = redact(describe(checkConfigsError));
    return finish();
  }

  const metrics: MetricsMap = new Map();
  await stage(profile, 'query', () => queryBatch(source, aligned, rawStep, profile.queries, options, { metrics, failures: world.failures, warnings: world.warnings }));
  if (world.failures.length > 0) {
    const last = world.failures[world.failures.length - 1]!;
    world.error = `${world.failures.length} of the world's queries failed; the last: ${last.message}`;
    return finish();
  }

  const nodes: NodeCache = new Map();
  const managed = newManagedInstances();
  const pricing: Pricing = { model: options.cloudPricing ?? null, custom: options.customCloudPricing ?? DEFAULT_CUSTOM_CLOUD_PRICING };
  const steps: Partial<Record<Stage, () => void>> = {
    load_nodes: () => loadNodes(world, metrics, nodes, pricing),
    load_fargate_nodes: () => loadFargateNodes(world, metrics, nodes),
    load_k8s_metadata: () => loadKubeStateMetricsInstalled(world, metrics),
    load_flux_resources: () => loadFluxResources(world, metrics),
    load_argocd_resources: () => loadArgoCDResources(world, metrics),
    load_rds_metadata: () => loadRdsMetadata(world, metrics, managed),
    load_elasticache_metadata: () => loadElasticacheMetadata(world, metrics, managed),
    load_rds: () => loadRds(metrics, managed, pricing),
    load_elasticache: () => loadElasticache(managed, pricing),
    load_containers: () => loadKubeStateMetricsRequired(world, metrics),
  };
  for (const name of STAGES.slice(2)) {
    await stage(profile, name, () => steps[name]?.());
  }
  return finish();
}
