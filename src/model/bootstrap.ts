/**
 * What Coroot's start-up bootstrap (config/bootstrap.go) would do to the database before its first
 * collection, applied in memory on top of what is stored: config-file projects (created when missing,
 * multicluster members, notification integrations, remote Coroot, categories, inspection overrides), and
 * the default project with BOOTSTRAP_* Prometheus and ClickHouse. The result is a read-only view with the
 * same interface as the database, so collect() does not know the difference.
 */
import { inputError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { parseGoDuration } from '../encoding/godecode.js';
import type { CorootConfig } from '../sources/coroot-config.js';
import { NOTIFICATION_TYPES, type CorootDatabase, type NotificationIntegration, type ProjectRecord } from '../sources/database/records.js';
import { applicationIdString, parseApplicationId } from './application-id.js';

type Yaml = Record<string, unknown>;

export interface ConfigProject {
  name: string;
  memberProjects: string[] | null;
  remoteCoroot: { url: string; apiKey: string; tlsSkipVerify: boolean; metricResolution: number } | null;
  notifications: Partial<Record<(typeof NOTIFICATION_TYPES)[number], NotificationIntegration>> | null;
  categories: Array<{ name: string; customPatterns: string[]; raw: Yaml }>;
  customApplications: Array<{ name: string; instancePatterns: string[] }>;
  /** application id text (as appId.String() writes it) → check ids */
  overrides: Array<{ applicationId: string; clusterId: string; check: 'SLOAvailability' | 'SLOLatency' }>;
}

/** A project Coroot would create at start-up: its real id is random, so it is shown as this. */
export const NEW_PROJECT_ID = '(created-at-start-up)';

const asList = (value: unknown, where: string): unknown[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw inputError(`${where}: expected a list`);
  return value;
};
const asMap = (value: unknown, where: string): Yaml | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw inputError(`${where}: expected a mapping`);
  return value as Yaml;
};
const asString = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** yaml.v3 into time.Duration: a Go duration string. */
function yamlDurationSeconds(value: unknown, where: string): number {
  if (value === undefined || value === null) return 0;
  const seconds = parseGoDuration(String(value));
  if (seconds === undefined) throw inputError(`${where}: invalid duration ${JSON.stringify(value)}`);
  return seconds;
}

function parseConfigProject(raw: unknown, index: number, file: string): ConfigProject {
  const where = `${file}: projects[${index}]`;
  const p = asMap(raw, where) ?? {};
  const name = asString(p.name);
  // config.Project.Validate: Coroot refuses to start with these
  if (name === '') throw inputError(`${where}: name is required (Coroot refuses to start)`);
  const memberProjects = p.memberProjects === undefined || p.memberProjects === null ? null : asList(p.memberProjects, `${where}.memberProjects`).map(asString);
  const remote = asMap(p.remoteCoroot, `${where}.remoteCoroot`);
  const apiKeys = asList(p.apiKeys ?? p.api_keys, `${where}.apiKeys`);
  for (const key of apiKeys) registerSecret(asString(asMap(key, `${where}.apiKeys`)?.key));
  if (apiKeys.length === 0 && (memberProjects ?? []).length === 0 && !remote) {
    throw inputError(`${where} (${name}): no api keys defined (Coroot refuses to start)`);
  }
  let remoteCoroot: ConfigProject['remoteCoroot'] = null;
  if (remote) {
    remoteCoroot = {
      url: asString(remote.url),
      apiKey: asString(remote.apiKey),
      tlsSkipVerify: remote.tlsSkipVerify === true,
      metricResolution: yamlDurationSeconds(remote.metricResolution, `${where}.remoteCoroot.metricResolution`),
    };
    registerSecret(remoteCoroot.apiKey);
    if (!remoteCoroot.apiKey || remoteCoroot.metricResolution < 1) {
      throw inputError(`${where}.remoteCoroot: needs apiKey and a metricResolution of at least 1s (Coroot refuses to start)`);
    }
  }
  const integrations = asMap(p.notificationIntegrations, `${where}.notificationIntegrations`);
  let notifications: ConfigProject['notifications'] = null;
  if (integrations) {
    if (!asString(integrations.baseURL)) throw inputError(`${where}.notificationIntegrations: baseURL is required (Coroot refuses to start)`);
    notifications = {};
    for (const type of NOTIFICATION_TYPES) {
      const value = asMap(integrations[type], `${where}.notificationIntegrations.${type}`);
      if (value) notifications[type] = value;
    }
  }
  const categories = asList(p.applicationCategories, `${where}.applicationCategories`).map((c, i) => {
    const m = asMap(c, `${where}.applicationCategories[${i}]`) ?? {};
    if (!asString(m.name)) throw inputError(`${where}.applicationCategories[${i}]: name is required (Coroot refuses to start)`);
    return { name: asString(m.name), customPatterns: asList(m.customPatterns, `${where}.applicationCategories[${i}].customPatterns`).map(asString), raw: m };
  });
  const customApplications = asList(p.customApplications, `${where}.customApplications`).map((c, i) => {
    const m = asMap(c, `${where}.customApplications[${i}]`) ?? {};
    return { name: asString(m.name), instancePatterns: asList(m.instancePatterns, `${where}.customApplications[${i}]`).map(asString) };
  });
  const overridesMap = asMap(p.inspectionOverrides, `${where}.inspectionOverrides`);
  const overrides: ConfigProject['overrides'] = [];
  for (const [key, check] of [['sloAvailability', 'SLOAvailability'], ['sloLatency', 'SLOLatency']] as const) {
    for (const [i, o] of asList(overridesMap?.[key], `${where}.inspectionOverrides.${key}`).entries()) {
      const text = asString(asMap(o, `${where}.inspectionOverrides.${key}[${i}]`)?.applicationId);
      const id = parseApplicationId(text, '');
      if (!id) throw inputError(`${where}.inspectionOverrides.${key}[${i}]: invalid application id ${JSON.stringify(text)}`);
      overrides.push({ applicationId: applicationIdString(id), clusterId: id.clusterId, check });
    }
  }
  return { name, memberProjects, remoteCoroot, notifications, categories, customApplications, overrides };
}

/** net.JoinHostPort of the remote Coroot URL, with the scheme's default port (RemoteCoroot.ClickHouseConfig). */
function remoteClickHouseAddr(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return u.hostname.includes(':') ? `[${u.hostname}]:${port}` : `${u.hostname}:${port}`;
  } catch {
    return '';
  }
}

function newProject(name: string): ProjectRecord {
  return {
    id: NEW_PROJECT_ID,
    name,
    prometheus: { global: false, url: '', refreshInterval: 30, tlsSkipVerify: false, basicAuth: null, extraSelector: '', customHeaders: null, remoteWriteUrl: '', useClickHouse: false },
    settings: {
      applicationCategories: null, applicationCategorySettings: null, customApplications: null, apiKeys: null, memberProjects: null,
      integrations: { clickhouse: null, aws: null, baseUrl: '', notifications: {} },
    },
  };
}

export interface Bootstrapped {
  database: CorootDatabase;
  /** what the bootstrap changed, for the notes */
  changes: string[];
}

type CheckRow = { applicationId: string; configs: string | null };

/** config.Load's validation of `projects`: Coroot refuses to start when it fails. */
export function parseConfigProjects(config: CorootConfig): ConfigProject[] {
  return config.projects.map((p, i) => parseConfigProject(p, i, config.configFile ?? 'config'));
}

export async function applyBootstrap(db: CorootDatabase, config: CorootConfig, configProjects: ConfigProject[]): Promise<Bootstrapped> {
  // GetProjects failing is handled by collect(): leave the database as it is then.
  let stored: ProjectRecord[];
  try {
    stored = await db.getProjects();
  } catch {
    return { database: db, changes: [] };
  }
  const changes: string[] = [];
  const projects = stored.map((p) => structuredClone(p));
  const extraChecks = new Map<string, Map<string, Set<string>>>();

  if (configProjects.length === 0) {
    let lone: ProjectRecord | undefined = projects.length === 1 ? projects[0] : undefined;
    if (projects.length === 0) {
      lone = newProject('default');
      projects.push(lone);
      changes.push('Coroot creates the project "default" at start-up (the database has none)');
    }
    if (lone && lone.prometheus.url === '' && config.bootstrapPrometheus) {
      lone.prometheus = { ...lone.prometheus, url: config.bootstrapPrometheus.url, refreshInterval: config.bootstrapPrometheus.refreshInterval };
      changes.push(`BOOTSTRAP_PROMETHEUS_URL is written into project "${lone.name}" at start-up`);
    }
    if (lone && !lone.settings.integrations.clickhouse && config.bootstrapClickHouseAddress) {
      lone.settings.integrations.clickhouse = { global: false, protocol: 'native', addr: config.bootstrapClickHouseAddress, auth: { user: 'default', password: '' }, database: 'default', tlsEnable: false, tlsSkipVerify: false, tlsCaFile: '' };
      changes.push(`BOOTSTRAP_CLICKHOUSE_ADDRESS is written into project "${lone.name}" at start-up`);
    }
  }

  const byName = new Map(projects.map((p) => [p.name, p]));
  for (const cp of configProjects) {
    let p = byName.get(cp.name);
    if (!p) {
      p = newProject(cp.name);
      projects.push(p);
      byName.set(cp.name, p);
      changes.push(`Coroot creates the config-file project "${cp.name}" at start-up`);
    }
    p.settings.memberProjects = cp.memberProjects;
    if (cp.notifications) p.settings.integrations.notifications = cp.notifications;
    if (cp.remoteCoroot) {
      p.prometheus = { ...p.prometheus, global: true, url: cp.remoteCoroot.url, refreshInterval: Math.trunc(cp.remoteCoroot.metricResolution), tlsSkipVerify: cp.remoteCoroot.tlsSkipVerify };
      p.settings.integrations.clickhouse = { global: true, protocol: 'coroot', addr: remoteClickHouseAddr(cp.remoteCoroot.url), auth: { user: 'default', password: cp.remoteCoroot.apiKey }, database: 'default', tlsEnable: cp.remoteCoroot.url.startsWith('https'), tlsSkipVerify: cp.remoteCoroot.tlsSkipVerify, tlsCaFile: '' };
    }
    if (cp.categories.length > 0) {
      p.settings.applicationCategorySettings = Object.fromEntries(cp.categories.map((c) => [c.name, { customPatterns: c.customPatterns, raw: c.raw }]));
    }
    if (cp.customApplications.length > 0) {
      p.settings.customApplications = Object.fromEntries(cp.customApplications.map((c) => [c.name, { instancePatterns: c.instancePatterns }]));
    }
    changes.push(`project "${cp.name}" is updated from ${config.configFile} at start-up`);
  }
  // saveInspectionOverride: a multicluster project's overrides go to the member whose id is the app's cluster,
  // or to every member when the id has no cluster.
  for (const cp of configProjects) {
    const p = byName.get(cp.name)!;
    for (const o of cp.overrides) {
      const members = (p.settings.memberProjects ?? []).length === 0
        ? [p]
        : (p.settings.memberProjects ?? []).map((m) => byName.get(m)).filter((m): m is ProjectRecord => !!m)
          .filter((m) => o.clusterId === '' || o.clusterId === 'external' || m.id === o.clusterId);
      for (const target of members) {
        const rows = extraChecks.get(target.id) ?? new Map<string, Set<string>>();
        extraChecks.set(target.id, rows);
        const checks = rows.get(o.applicationId) ?? new Set<string>();
        rows.set(o.applicationId, checks);
        checks.add(o.check);
      }
    }
  }

  const database: CorootDatabase = {
    type: db.type,
    description: db.description,
    getUsers: () => db.getUsers(),
    getProjects: async () => projects,
    getCheckConfigRows: async (projectId) => mergeCheckRows(projectId === NEW_PROJECT_ID ? [] : await db.getCheckConfigRows(projectId), extraChecks.get(projectId), db.type),
    getSentIncidentNotificationsStat: (from) => db.getSentIncidentNotificationsStat(from),
    getApplicationDeployments: (projectId) => (projectId === NEW_PROJECT_ID ? Promise.resolve([]) : db.getApplicationDeployments(projectId)),
    close: () => db.close(),
  };
  return { database, changes };
}

/** SaveCheckConfig: update the row with the same application id text, or insert one. */
function mergeCheckRows(rows: CheckRow[], extra: Map<string, Set<string>> | undefined, engine: 'sqlite' | 'postgres'): CheckRow[] {
  if (!extra) return rows;
  const out = rows.map((r) => ({ ...r }));
  for (const [applicationId, checks] of extra) {
    const existing = out.find((r) => r.applicationId === applicationId);
    let configs: Record<string, unknown> = {};
    try {
      configs = existing?.configs ? JSON.parse(existing.configs) : {};
    } catch {
      // Coroot's SaveCheckConfig would fail on this row and stop; the collect step reports the bad row.
      continue;
    }
    for (const check of checks) configs[check] = [{ custom: false }];
    const text = JSON.stringify(configs);
    if (existing) existing.configs = text;
    else out.push({ applicationId, configs: text });
  }
  // SQLite answers `WHERE project_id = ?` through the primary-key index, in application_id order.
  if (engine === 'sqlite') out.sort((a, b) => Buffer.compare(Buffer.from(a.applicationId), Buffer.from(b.applicationId)));
  return out;
}
