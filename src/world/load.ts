/**
 * loadProjectWorld for one project, as constructor.LoadWorld runs it in the usage-statistics path: the
 * whole query batch at once with per-query statistics, then the world-building stages in Coroot's order,
 * each timed into the profile. Stages whose part of the world is not rebuilt still run (as no-ops) so
 * that the stage map has Coroot's keys.
 *
 * Coroot's rr_connection_* series come from its cache, where its updater computed them from a second
 * world with per-instance connections. Prometheus has none, so for a source without recording rules the
 * loader also runs the 67 instance-to-instance queries (not counted in the statistics, as Coroot's stats path does not run them),
 * builds that recording-rule world from the same window, and answers the rr_connection_* queries with
 * the rules' series.
 */
import type { Payload } from '../model/payload-schema.js';
import { describe } from '../errors.js';
import { redact } from '../redact.js';
import type { ApplicationDeploymentRecord, ProjectSettings } from '../sources/database/records.js';
import { nextTurn, type MetricsQuery, type MetricValues, type MetricsSource, type Window } from '../sources/metrics.js';
import { customSliQueries, parseCheckConfigs, type CheckConfigs, type CheckConfigText } from './check-configs.js';
import { loadAppToAppConnections, connectionRecordingRules } from './connections.js';
import { beginLoadingContainers, ContainerCache, type ContainersLoad } from './containers.js';
import { attachDeployments } from './deployments.js';
import { enrichInstances, loadJvmProfiling } from './enrich.js';
import { calcApplicationCategories, groupCustomApplications, joinDBClusterComponents } from './grouping.js';
import { loadArgoCDResources, loadFluxResources, loadKubeStateMetricsInstalled, loadKubeStateMetricsRequired } from './integrations.js';
import { loadKubernetesMetadata, type Service } from './k8s.js';
import { newWorld, type World } from './model.js';
import {
  loadElasticache, loadElasticacheMetadata, loadFargateNodes, loadNodes, loadRds, loadRdsMetadata, newManagedInstances,
  type Metrics, type NodeCache, type Pricing,
} from './nodes.js';
import { DEFAULT_CUSTOM_CLOUD_PRICING, type CloudPricingModel, type CustomCloudPricing } from './pricing.js';
import { constructorQueries, QUERIES, type ConstructorQuery } from './queries.js';
import { recordQuery } from './query-stats.js';

/** constructor.Profile: `performance.constructor` of the payload, updated in place. */
export type ConstructorProfile = Payload['performance']['constructor'];

/** The subset of db.Project the loader needs (ProjectRecord fits). */
export interface ProjectRef {
  id: string;
  /** categories and custom applications; none: Coroot's defaults */
  settings?: Pick<ProjectSettings, 'applicationCategorySettings' | 'customApplications'>;
}

export interface LoadOptions {
  /** Coroot's cloud-pricing dump (readCloudPricing of DATA_DIR/cloud-pricing/cloud-pricing.json.gz); none: no node has a price */
  cloudPricing?: CloudPricingModel | null;
  /** the project's custom cloud pricing; Coroot's default when the project has none */
  customCloudPricing?: CustomCloudPricing;
  /**
   * the project's check_configs rows, read in the get_check_configs stage as LoadWorld reads them; a
   * rejection or an undecodable row fails the world. Without rows (or without the option) every check
   * has its default.
   */
  getCheckConfigs?: () => Promise<readonly CheckConfigText[] | void>;
  /**
   * the project's application_deployment rows (CorootDatabase.getApplicationDeployments), attached in the
   * load_app_deployments stage; a rejection only means no deployments, as Coroot logs it and goes on
   */
  getApplicationDeployments?: () => Promise<readonly ApplicationDeploymentRecord[]>;
  /**
   * false: answer the rr_connection_* queries from the source even when it has no recording rules (a
   * plain Prometheus then gives none). Sources that store them (Coroot's cache) are always read.
   */
  rebuildConnections?: boolean;
  signal?: AbortSignal;
}

export interface LoadedWorld extends World {
  /** LoadWorld's error: when set, Coroot skips the project and adds nothing but query statistics and stages */
  error: string | null;
  /** failed queries with their (redacted) reasons */
  failures: Array<{ query: string; message: string }>;
  /** non-fatal remarks, e.g. Prometheus warnings (Coroot ignores them) or why connections were not rebuilt */
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
type Failures = LoadedWorld['failures'];

async function runQuery(source: MetricsSource, q: MetricsQuery, signal: AbortSignal | undefined, failures: Failures, warnings: string[]): Promise<MetricValues[] | null> {
  try {
    const outcome = await source.queryRange(q, signal);
    warnings.push(...outcome.warnings);
    return outcome.metrics;
  } catch (err) {
    failures.push({ query: q.name, message: redact(describe(err)) });
    return null;
  }
}

/** The per-instance connection queries the cache updater's recording world loads, over the world window. */
function instanceToInstanceQueries(window: Window): MetricsQuery[] {
  return QUERIES.filter((d) => d.instanceToInstance).map((d) => ({
    name: d.name, query: d.query, labels: d.labels, recordingRule: false, fill: d.fill, window,
  }));
}

interface BuildContext {
  project: ProjectRef;
  pricing: Pricing;
  /** absent for the recording world, which has no deployments */
  getApplicationDeployments?: LoadOptions['getApplicationDeployments'];
  warnings: string[];
  /** the recording world: only what shapes applications and their connections is built */
  connectionsOnly?: boolean;
}

/**
 * Stages whose results (instrumentation, JVM profiling, categories, Flux / Argo CD) no rr_connection_*
 * series depends on: the recording world skips them, about a fifth of its build on a large cluster.
 */
const NOT_FOR_CONNECTIONS: ReadonlySet<Stage> = new Set(['enrich_instances', 'load_jvm', 'calc_app_categories', 'load_flux_resources', 'load_argocd_resources']);

/** the world-building stages, after get_check_configs and query */
const BUILD_STAGES: readonly Stage[] = STAGES.slice(2);
const stagesBefore = (name: Stage): readonly Stage[] => BUILD_STAGES.slice(0, BUILD_STAGES.indexOf(name));
const stagesFrom = (name: Stage): readonly Stage[] => BUILD_STAGES.slice(BUILD_STAGES.indexOf(name));

/**
 * What a world stage sees of a query still in flight: a stage that runs early may pass over it (loadNodes
 * walks every query for the node_* ones), but any use of its series is a bug in the split between early
 * and late stages and fails loudly instead of silently seeing no series.
 */
function inFlight(name: string): MetricValues[] {
  return new Proxy([], {
    get: () => {
      throw new Error(`internal error: a world stage read ${name} before it was answered`);
    },
  });
}

type StageSteps = Partial<Record<Stage, (metrics: Metrics) => void | Promise<void>>>;

/**
 * The world-building stages of one world; the state they hand on to each other lives in their closure.
 * beginContainers runs the first part of load_containers ahead of the stage (see beginLoadingContainers).
 */
function worldStages(world: World, ctx: BuildContext): { steps: StageSteps; beginContainers: (metrics: Metrics) => void } {
  const nodes: NodeCache = new Map();
  const managed = newManagedInstances();
  const ip2fqdn = new Map<string, Set<string>>();
  const fqdn2ip = new Map<string, Set<string>>();
  let servicesByClusterIP = new Map<string, Service>();
  let containers = new ContainerCache();
  let containersLoad: ContainersLoad | null = null;
  const beginContainers = (metrics: Metrics) => {
    loadKubeStateMetricsRequired(world, metrics);
    containersLoad = beginLoadingContainers({
      window: world.window, clusterId: world.projectId, customApplications, nodes, apps: world.applications, servicesByClusterIP, ip2fqdn,
    }, metrics);
  };
  const settings = {
    applicationCategorySettings: ctx.project.settings?.applicationCategorySettings ?? null,
  };
  const customApplications = Object.entries(ctx.project.settings?.customApplications ?? {})
    .map(([name, cfg]): [string, readonly string[]] => [name, cfg?.instancePatterns ?? []]);
  const steps: StageSteps = {
    load_nodes: (metrics) => loadNodes(world, metrics, nodes, ctx.pricing),
    load_fqdn: (metrics) => {
      for (const m of metrics.get('ip_to_fqdn') ?? []) {
        const ip = m.labels.ip ?? '';
        const fqdn = m.labels.fqdn ?? '';
        if (!ip2fqdn.has(ip)) ip2fqdn.set(ip, new Set());
        if (fqdn !== '') ip2fqdn.get(ip)!.add(fqdn);
        if (!fqdn2ip.has(fqdn)) fqdn2ip.set(fqdn, new Set());
        if (ip !== '') fqdn2ip.get(fqdn)!.add(ip);
      }
    },
    load_fargate_nodes: (metrics) => loadFargateNodes(world, metrics, nodes),
    load_k8s_metadata: (metrics) => {
      loadKubeStateMetricsInstalled(world, metrics);
      servicesByClusterIP = loadKubernetesMetadata({ window: world.window, clusterId: world.projectId, nodes: world.nodes, apps: world.applications }, metrics);
    },
    load_flux_resources: (metrics) => loadFluxResources(world, metrics),
    load_argocd_resources: (metrics) => loadArgoCDResources(world, metrics),
    load_rds_metadata: (metrics) => loadRdsMetadata(world, metrics, managed, world.applications),
    load_elasticache_metadata: (metrics) => loadElasticacheMetadata(world, metrics, managed, world.applications),
    load_rds: (metrics) => loadRds(metrics, managed, ctx.pricing),
    load_elasticache: () => loadElasticache(managed, ctx.pricing),
    load_containers: (metrics) => {
      if (!containersLoad) beginContainers(metrics);
      containers = containersLoad!.finish(metrics);
    },
    load_app_to_app_connections: (metrics) => loadAppToAppConnections(world.applications, metrics, fqdn2ip, world.projectId),
    load_jvm: (metrics) => loadJvmProfiling(metrics, containers),
    enrich_instances: (metrics) => enrichInstances(world.applications, metrics, managed),
    calc_app_categories: () => calcApplicationCategories(world.applications, settings),
    group_custom_applications: () => groupCustomApplications(world.applications, world.projectId, settings),
    join_db_cluster_components: () => joinDBClusterComponents(world.applications, world.projectId, settings),
    load_app_deployments: async () => {
      if (!ctx.getApplicationDeployments) return;
      let rows: readonly ApplicationDeploymentRecord[];
      try {
        rows = await ctx.getApplicationDeployments();
      } catch (err) {
        ctx.warnings.push(`deployments not read: ${redact(describe(err))}`);
        return;
      }
      const problem = attachDeployments(world.applications, rows);
      if (problem) ctx.warnings.push(problem);
    },
  };
  return { steps, beginContainers };
}

/**
 * Runs `stages` of a world in order, timed into `profile` (the recording world passes a profile without a
 * stage map, so nothing of it is timed). Between stages, answers that arrived meanwhile get a turn.
 */
async function runStages(steps: StageSteps, metrics: Metrics, ctx: BuildContext, profile: ConstructorProfile, stages: readonly Stage[]): Promise<void> {
  for (const name of stages) {
    if (ctx.connectionsOnly && NOT_FOR_CONNECTIONS.has(name)) continue;
    await stage(profile, name, () => steps[name]?.(metrics));
    await nextTurn();
  }
}

/** the recording world's own queries, run beside the batch so that their fetching overlaps its decoding */
async function instanceToInstanceMetrics(
  source: MetricsSource, window: Window, signal: AbortSignal | undefined, warnings: string[],
): Promise<{ metrics: MetricsMap; failures: Failures }> {
  const failures: Failures = [];
  const metrics: MetricsMap = new Map();
  await Promise.all(instanceToInstanceQueries(window).map(async (q) => {
    const result = await runQuery(source, q, signal, failures, warnings);
    if (result) metrics.set(q.name, result);
  }));
  return { metrics, failures };
}

const INSTANCE_TO_INSTANCE: ReadonlySet<string> = new Set(QUERIES.filter((d) => d.instanceToInstance).map((d) => d.name));

/** the query order Coroot's recording world would see: QUERIES first, then the rest as they came */
function inQueriesOrder(metrics: MetricsMap): MetricsMap {
  const ordered: MetricsMap = new Map();
  for (const d of QUERIES) {
    const m = metrics.get(d.name);
    if (m) ordered.set(d.name, m);
  }
  for (const [name, m] of metrics) if (!ordered.has(name)) ordered.set(name, m);
  return ordered;
}

/**
 * The rr_connection_* series Coroot's cache would hold: built from a recording world over the same
 * window, or null (with the reason in warnings) when its queries failed. The recording world's stages
 * before load_containers, and the first part of load_containers, need only the batch: they run while its
 * own per-instance queries (the slowest of all on a large cluster) are still being answered, and so does
 * `meanwhile`. Only the rest waits for them.
 */
async function rebuildConnectionRules(
  project: ProjectRef, window: Window, raw: MetricsMap, ctx: BuildContext,
  extra: Promise<{ metrics: MetricsMap; failures: Failures }>, warnings: string[], meanwhile: () => Promise<void>,
): Promise<Map<string, MetricValues[]> | null> {
  const recording = newWorld(project.id, window, window.step);
  // the cache updater builds its world without pricing and without timing into the stats profile
  const recordingCtx: BuildContext = { project, pricing: { model: null, custom: ctx.pricing.custom }, warnings, connectionsOnly: true };
  const noProfile: ConstructorProfile = { stages: null, queries: null };
  const { steps, beginContainers } = worldStages(recording, recordingCtx);
  const answered: MetricsMap = new Map(raw);
  for (const name of INSTANCE_TO_INSTANCE) answered.set(name, inFlight(name));
  const early = inQueriesOrder(answered);
  await runStages(steps, early, recordingCtx, noProfile, stagesBefore('load_containers'));
  beginContainers(early);
  await nextTurn();
  await meanwhile();
  const { metrics, failures } = await extra;
  if (failures.length > 0) {
    warnings.push(`connections between applications not rebuilt: ${failures.length} queries failed; the last: ${failures[failures.length - 1]!.message}`);
    return null;
  }
  await runStages(steps, inQueriesOrder(new Map([...raw, ...metrics])), recordingCtx, noProfile, stagesFrom('load_containers'));
  return connectionRecordingRules(recording.applications, window);
}

/**
 * queryCache: all queries at once (the source bounds concurrency), each recorded under its stats name
 * with the time since the batch started; the rr_connection_* ones answered by the rebuild once the raw
 * queries are in. Results of failed queries are absent from the map.
 */
async function queryBatch(
  source: MetricsSource, project: ProjectRef, window: Window, rawStep: number, checkConfigs: CheckConfigs, profile: ConstructorProfile, options: LoadOptions, ctx: BuildContext,
  out: { metrics: MetricsMap; failures: Failures; warnings: string[] }, beforeRules: (answered: Metrics) => Promise<void>,
): Promise<void> {
  const batch = constructorQueries(window, rawStep, customSliQueries(checkConfigs));
  const results = new Map<string, MetricValues[]>();
  const start = process.hrtime.bigint();
  const record = (q: ConstructorQuery, metrics: MetricValues[] | null) => {
    if (profile.queries) recordQuery(profile.queries, q.statsName, metrics ?? [], goSeconds(process.hrtime.bigint() - start), metrics === null);
    if (metrics) results.set(q.name, metrics);
  };
  const rebuild = options.rebuildConnections !== false && source.recordingRules === 'absent';
  const isRebuilt = (q: ConstructorQuery) => rebuild && q.recordingRule && q.name.startsWith('rr_connection') && !q.name.endsWith('_raw');
  const rebuilt = batch.filter(isRebuilt);
  // started with the batch; their results are dropped when the batch fails
  const extra = rebuilt.length > 0 ? instanceToInstanceMetrics(source, window, options.signal, out.warnings) : null;
  await Promise.all(batch.filter((q) => !isRebuilt(q)).map(async (q) => record(q, await runQuery(source, q, options.signal, out.failures, out.warnings))));
  if (extra) {
    let rules: Map<string, MetricValues[]> | null = null;
    if (out.failures.length === 0) {
      const raw: MetricsMap = new Map();
      for (const q of batch) if (results.has(q.name)) raw.set(q.name, results.get(q.name)!);
      // the batch's order, the rebuilt queries in their places
      const answered: MetricsMap = new Map();
      for (const q of batch) answered.set(q.name, results.get(q.name) ?? inFlight(q.name));
      rules = await rebuildConnectionRules(project, window, raw, ctx, extra, out.warnings, () => beforeRules(answered));
    } else {
      await extra;
    }
    for (const q of rebuilt) record(q, rules?.get(q.name) ?? []);
  }
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
      const rows = await options.getCheckConfigs?.();
      if (rows) world.checkConfigs = parseCheckConfigs(project.id, rows);
    } catch (err) {
      checkConfigsError = err;
    }
  });
  if (checkConfigsError !== undefined) {
    world.error = redact(describe(checkConfigsError));
    return finish();
  }

  const ctx: BuildContext = {
    project,
    pricing: { model: options.cloudPricing ?? null, custom: options.customCloudPricing ?? DEFAULT_CUSTOM_CLOUD_PRICING },
    getApplicationDeployments: options.getApplicationDeployments,
    warnings: world.warnings,
  };
  const metrics: MetricsMap = new Map();
  const { steps } = worldStages(world, ctx);
  // with rebuilt connections, the stages before the first that reads them run while the rebuild waits for
  // its own queries (inside the query stage's time); the rest once every query is in
  let builtEarly: readonly Stage[] = [];
  const beforeRules = async (answered: Metrics) => {
    builtEarly = stagesBefore('load_app_to_app_connections');
    await runStages(steps, answered, ctx, profile, builtEarly);
  };
  await stage(profile, 'query', () => queryBatch(
    source, project, aligned, rawStep, world.checkConfigs, profile, options, ctx, { metrics, failures: world.failures, warnings: world.warnings }, beforeRules,
  ));
  if (world.failures.length > 0) {
    const last = world.failures[world.failures.length - 1]!;
    world.error = `${world.failures.length} of the world's queries failed; the last: ${last.message}`;
    return finish();
  }
  await runStages(steps, metrics, ctx, profile, BUILD_STAGES.slice(builtEarly.length));
  return finish();
}
