/**
 * The port of Collector.collect() (stats/stats.go:317-542): one function per payload section, called in
 * Coroot's order, with Coroot's failure behaviour (a failing GetProjects returns the half-built payload,
 * a failing GetCheckConfigs skips the project, and so on). Metrics-derived parts come from loaded
 * project worlds; without a metrics source no world is loaded, which is what Coroot sends when no
 * project has fresh metrics.
 */
import type { GlobalClickHouse } from '../sources/coroot-config.js';
import { NOTIFICATION_TYPES, type CorootDatabase, type ProjectRecord, type UserRecord } from '../sources/database/records.js';
import { CorootReadError, decodeCheckConfigsColumn } from '../sources/database/rows.js';
import type { LoadedWorld } from '../world/load.js';
import { isZeroApplicationId, parseApplicationId } from './application-id.js';
import type { Payload } from './payload-schema.js';

/**
 * Loads one project's world for the hour Coroot would use, recording query statistics and stages into
 * `profile`; undefined when the project's metrics are not fresh (Coroot then skips the project).
 */
export type WorldLoader = (project: ProjectRecord, profile: Payload['performance']['constructor'], now: number) => Promise<LoadedWorld | undefined>;

export interface CollectInputs {
  db: CorootDatabase;
  instance: { uuid: string; version: string; installationType: string };
  globalClickHouse: GlobalClickHouse | undefined;
  /** Coroot's timeseries.Now(): unix seconds */
  now: number;
  /**
   * Model a Coroot that is already running rather than one that just restarted. A project row Coroot
   * cannot decode stops Coroot at start-up (its migration reads every project): off, that is an error;
   * on, the payload of a failed GetProjects.
   */
  asRunning: boolean;
  /** none: no metrics source, so no world is loaded */
  loadWorld?: WorldLoader;
  warn(message: string): void;
}

/** Why a field has the value it has in this build, for the annotated and table views. */
export type BuildNotes = Map<string, string>;

export interface CollectResult {
  payload: Payload;
  notes: BuildNotes;
  projects: ProjectRecord[];
  /** the users read for ux.users_by_role; undefined when they could not be read */
  users: UserRecord[] | undefined;
}

/** The zero Stats{} value: what Go starts collect() with. */
function zeroPayload(): Payload {
  return {
    instance: { uuid: '', version: '', database_type: '', edition: '' },
    integration: {
      prometheus: false, prometheus_refresh_interval: 0, node_agent: false, node_agent_versions: null, kube_state_metrics: null,
      inspection_overrides: null, application_categories: 0, alerting_integrations: null, cloud_costs: false, clickhouse: false,
      tracing: false, logs: false, profiles: false, java_async_profiler: false, fluxcd: false, argocd: false,
    },
    stack: { clouds: null, services: null, instrumented_services: null },
    infra: {
      projects: 0, nodes: 0, cpu_cores: 0, gpus: 0, applications: 0, applications_by_kind: null, instances: 0, deployments: 0,
      deployment_summaries: null, kernel_versions: null,
    },
    ux: {
      world_load_time_avg: 0, audit_time_avg: 0, users_by_screen_size: null, users_by_theme: null, users: null, users_by_role: null,
      page_views: null, api_calls: null, mcp_calls: null, sent_notifications: null,
    },
    performance: { constructor: { stages: null, queries: null }, auditor: { stages: null }, components: null },
    profile: { from: 0, to: 0, cpu: '', memory: '' },
  };
}

/** A utils.StringSet kept as a JS Set; encoded sorted, never with "". */
class StringSet {
  private readonly items = new Set<string>();
  add(value: string): void {
    if (value !== '') this.items.add(value);
  }
  get size(): number {
    return this.items.size;
  }
  toArray(): string[] {
    return [...this.items];
  }
}

function collectInstance(stats: Payload, inputs: CollectInputs): void {
  stats.instance.uuid = inputs.instance.uuid;
  stats.instance.version = inputs.instance.version;
  stats.instance.database_type = inputs.db.type;
  stats.instance.edition = 'Community';
  if (inputs.instance.installationType !== '') stats.instance.installation_type = inputs.instance.installationType;
}

/** The in-memory UX counters, as they are right after Coroot starts: empty. */
function collectMemoryOnlyUx(stats: Payload, notes: BuildNotes): void {
  stats.ux.users_by_screen_size = {};
  stats.ux.users = [];
  stats.ux.page_views = {};
  stats.ux.api_calls = {};
  stats.ux.mcp_calls = {};
  stats.ux.users_by_theme = {};
  for (const field of ['users_by_screen_size', 'users_by_theme', 'users', 'page_views', 'api_calls', 'mcp_calls']) {
    notes.set(`ux.${field}`, 'held only in the memory of the running Coroot: this is its value right after a restart');
  }
}

async function collectUsersByRole(stats: Payload, inputs: CollectInputs): Promise<UserRecord[] | undefined> {
  stats.ux.users_by_role = {};
  try {
    const users = await inputs.db.getUsers();
    for (const user of users) {
      for (const role of user.roles) stats.ux.users_by_role[role] = (stats.ux.users_by_role[role] ?? 0) + 1;
    }
    return users;
  } catch (err) {
    if (!(err instanceof CorootReadError)) throw err;
    inputs.warn(`Coroot cannot read its users (${err.message}), so it sends "users_by_role": {}`);
    return undefined;
  }
}

/** The ClickHouse a project uses: its own integration, else the global one (db.Project.ClickHouseConfig). */
function clickHouseAddress(project: ProjectRecord, global: GlobalClickHouse | undefined): string {
  if (project.settings.integrations.clickhouse) return project.settings.integrations.clickhouse.addr;
  return global?.address ?? '';
}

function collectProjectSettings(stats: Payload, project: ProjectRecord, inputs: CollectInputs, categories: StringSet, alerting: StringSet): void {
  const integration = stats.integration;
  if (project.prometheus.url !== '') integration.prometheus = true;
  const refresh = project.prometheus.refreshInterval;
  if (integration.prometheus_refresh_interval === 0 || refresh < integration.prometheus_refresh_interval) {
    integration.prometheus_refresh_interval = refresh;
  }
  if (clickHouseAddress(project, inputs.globalClickHouse) !== '') {
    integration.clickhouse = integration.tracing = integration.logs = integration.profiles = true;
  }
  for (const name of Object.keys(project.settings.applicationCategorySettings ?? {})) categories.add(name);
  // Coroot's start-up migration copies the deprecated map into application_category_settings.
  for (const name of Object.keys(project.settings.applicationCategories ?? {})) categories.add(name);
  for (const type of NOTIFICATION_TYPES) {
    if (project.settings.integrations.notifications[type]) alerting.add(type);
  }
}

/** GetCheckConfigs + the override count; false when Coroot would fail to read them and skip the project. */
async function collectInspectionOverrides(stats: Payload, project: ProjectRecord, inputs: CollectInputs): Promise<boolean> {
  const byApplication = new Map<string, { zero: boolean; checks: string[] }>();
  try {
    for (const row of await inputs.db.getCheckConfigRows(project.id)) {
      const id = parseApplicationId(row.applicationId, project.id);
      if (!id) continue; // Coroot logs "invalid application id" and skips the row
      if (row.configs === null) continue;
      // GetCheckConfigs turns every id without namespace, kind and name into ApplicationIdZero
      const zero = isZeroApplicationId({ ...id, clusterId: '' });
      const key = zero ? '' : `${id.clusterId}\u0000${id.namespace}\u0000${id.kind}\u0000${id.name}`;
      const checks = decodeCheckConfigsColumn(project.name, row.applicationId, row.configs);
      byApplication.set(key, { zero, checks });
    }
  } catch (err) {
    if (!(err instanceof CorootReadError)) throw err;
    inputs.warn(`Coroot cannot read the inspection overrides of project "${project.name}" (${err.message}), so it skips that project`);
    return false;
  }
  const overrides = stats.integration.inspection_overrides!;
  for (const { zero, checks } of byApplication.values()) {
    for (const check of checks) {
      const entry = overrides[check] ?? { project_level: 0, application_level: 0 };
      if (zero) entry.project_level++;
      else entry.application_level++;
      overrides[check] = entry;
    }
  }
  return true;
}

async function collectSentNotifications(stats: Payload, inputs: CollectInputs): Promise<void> {
  try {
    stats.ux.sent_notifications = await inputs.db.getSentIncidentNotificationsStat(inputs.now - 3600);
  } catch (err) {
    if (!(err instanceof CorootReadError)) throw err;
    inputs.warn(`Coroot cannot read its sent notifications (${err.message}), so it sends "sent_notifications": null`);
    stats.ux.sent_notifications = null;
  }
}

function addNote(notes: BuildNotes, paths: readonly string[], note: string): void {
  for (const path of paths) notes.set(path, notes.has(path) ? `${notes.get(path)}; ${note}` : note);
}

/** The fields a project's world adds to; `stack` and `performance` stand for their whole sections. */
const WORLD_FIELDS = [
  'integration.node_agent', 'integration.node_agent_versions', 'integration.kube_state_metrics', 'integration.cloud_costs',
  'integration.java_async_profiler', 'integration.fluxcd', 'integration.argocd', 'stack', 'infra.nodes', 'infra.cpu_cores', 'infra.gpus',
  'infra.applications', 'infra.applications_by_kind', 'infra.instances', 'infra.deployments', 'infra.deployment_summaries',
  'infra.kernel_versions', 'ux.world_load_time_avg', 'ux.audit_time_avg', 'performance',
];
const NO_WORLD_NOTE = 'no metrics were loaded for any project: this is what Coroot sends when no project has fresh metrics';

export async function collect(inputs: CollectInputs): Promise<CollectResult> {
  const stats = zeroPayload();
  const notes: BuildNotes = new Map();
  collectInstance(stats, inputs);
  collectMemoryOnlyUx(stats, notes);
  const users = await collectUsersByRole(stats, inputs);

  let projects: ProjectRecord[];
  try {
    projects = await inputs.db.getProjects();
  } catch (err) {
    if (!(err instanceof CorootReadError) || !inputs.asRunning) throw err;
    inputs.warn(`Coroot cannot read its projects (${err.message}); a running Coroot then sends a payload without them (and a restarted one would not start)`);
    notes.set('infra.projects', 'GetProjects failed: Coroot returns the payload as built so far');
    return { payload: stats, notes, projects: [], users };
  }
  stats.infra.projects = projects.length;

  const categories = new StringSet();
  const alerting = new StringSet();
  stats.integration.node_agent_versions = [];
  stats.infra.kernel_versions = [];
  stats.integration.inspection_overrides = {};
  stats.stack.clouds = [];
  stats.stack.services = [];
  stats.stack.instrumented_services = [];
  stats.performance.constructor.stages = {};
  stats.performance.constructor.queries = {};
  stats.infra.deployment_summaries = {};
  stats.infra.applications_by_kind = {};

  const loadSeconds: number[] = [];
  const failedWorlds: string[] = [];
  for (const project of projects) {
    if ((project.settings.memberProjects ?? []).length > 0) continue; // multicluster: counted in infra.projects only
    collectProjectSettings(stats, project, inputs, categories, alerting);
    if (!(await collectInspectionOverrides(stats, project, inputs))) continue;
    const world = await inputs.loadWorld?.(project, stats.performance.constructor, inputs.now);
    if (world && world.error !== null) {
      const n = world.failures.length;
      failedWorlds.push(`"${project.name}" (${n === 1 ? '1 query' : `${n} queries`} failed)`);
    }
    if (!world || world.error !== null) continue;
    loadSeconds.push(world.loadSeconds);
    // the world model is loaded with the first world: a run without metrics never parses it
    const { applyWorldToPayload } = await import('./collect-world.js');
    applyWorldToPayload(stats, world, inputs.now);
  }
  stats.ux.world_load_time_avg = loadSeconds.length ? Math.fround(loadSeconds.reduce((a, b) => a + b, 0) / loadSeconds.length) : 0;
  if (loadSeconds.length > 0) {
    notes.set('ux.audit_time_avg', "Coroot's auditor is not rebuilt: Coroot reports its own audit time here");
    notes.set('performance.auditor', "Coroot's auditor is not rebuilt: the stage names are those of the last audited project, each with time 0 where Coroot reports its own");
  } else {
    for (const path of WORLD_FIELDS) notes.set(path, NO_WORLD_NOTE);
  }
  if (loadSeconds.length > 1) {
    const note = `${loadSeconds.length} projects loaded a world: Coroot visits projects in Go map order, random at each collection, and this is the database's row order`;
    addNote(notes, ['performance.components', 'performance.auditor', 'performance.constructor.queries'], note);
  }
  if (failedWorlds.length > 0) {
    // these fields depend on the failed queries: Coroot leaves the whole project out of them
    const note = `without the world of ${failedWorlds.join(', ')}: LoadWorld fails on any failed query and Coroot then skips the project`;
    addNote(notes, [...WORLD_FIELDS, 'performance.constructor.queries'], note);
  }

  stats.integration.alerting_integrations = alerting.toArray();
  stats.integration.application_categories = categories.size;
  await collectSentNotifications(stats, inputs);
  return { payload: stats, notes, projects, users };
}
