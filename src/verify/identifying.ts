/**
 * The values that identify this instance, read from its sources (database projects and Coroot's config):
 * names, ids, addresses, users, credentials, notification tokens, webhook URLs and channels, API keys.
 * Each becomes a needle for the matcher, labelled with what it is but never shown.
 */
import type { CorootConfig } from '../sources/coroot-config.js';
import type { ProjectRecord, UserRecord } from '../sources/database/records.js';

export interface Needle {
  value: string;
  /** rule suffix, e.g. "project-name" → rule "source:project-name" */
  label: string;
  /** human wording, e.g. "name of project #2" */
  what: string;
}

/**
 * Words that are Coroot defaults or vocabulary of the payload itself: a project called "default" or a
 * ClickHouse user "default" identifies nobody, and matching them would drown the real findings.
 */
const COMMON = new Set([
  'default', 'localhost', 'http', 'https', 'true', 'false', 'null', 'none', 'native', 'admin', 'coroot', 'prometheus',
  'clickhouse', 'postgres', 'postgresql', 'application', 'monitoring', 'control-plane', 'incidents', 'deployments',
  'alerts', 'slack', 'teams', 'pagerduty', 'opsgenie', 'webhook', 'general', 'viewer', 'editor', 'root', 'user',
  'password', 'public', 'main', 'test', 'cluster', 'system', 'kube-system',
]);

const MIN_LENGTH = 4;

export class NeedleSet {
  readonly needles: Needle[] = [];
  private readonly seen = new Set<string>();

  add(value: unknown, label: string, what: string): void {
    if (typeof value !== 'string') return;
    const v = value.trim();
    if (v.length < MIN_LENGTH || COMMON.has(v.toLowerCase()) || /^\d+$/.test(v)) return;
    const key = `${v.toLowerCase()}\u0000${label}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.needles.push({ value: v, label, what });
  }

  /** A URL or connection string: the whole text, and its host, user and password separately. */
  addUrl(value: unknown, label: string, what: string): void {
    if (typeof value !== 'string' || !value) return;
    this.add(value, `${label}-url`, `${what} URL`);
    let url: URL | undefined;
    try {
      url = new URL(value.includes('://') ? value : `tcp://${value}`);
    } catch {
      url = undefined;
    }
    if (url) {
      this.add(url.hostname.replace(/^\[|\]$/g, ''), `${label}-host`, `${what} host`);
      this.add(decodeURIComponent(url.username), `${label}-user`, `${what} user`);
      this.add(decodeURIComponent(url.password), `${label}-password`, `${what} password`);
      this.add(url.host, `${label}-host`, `${what} host`);
      // webhook URLs carry their secret in the path or the query (Teams, Slack, generic tokens)
      const parts = [...url.pathname.split('/'), ...[...url.searchParams.values()]].map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
      for (const part of parts) if (part.length >= 8 && /[0-9A-Z]/.test(part)) this.add(part, `${label}-url-secret`, `${what} URL part`);
    }
    // libpq key=value strings
    for (const m of value.matchAll(/\b(host|user|password|dbname)\s*=\s*('[^']*'|\S+)/g)) {
      const v = m[2]!.replace(/^'|'$/g, '');
      this.add(v, `${label}-${m[1] === 'dbname' ? 'database' : m[1]}`, `${what} ${m[1]}`);
    }
  }

  /** Every string inside a stored object (notification integrations, AWS), skipping message templates. */
  addStrings(value: unknown, label: string, what: string, key = ''): void {
    if (typeof value === 'string') {
      if (/template/i.test(key)) return;
      if (/url$/i.test(key) || /^https?:\/\//.test(value)) this.addUrl(value, label, what);
      else this.add(value, `${label}${key ? `-${key.replace(/_/g, '-').toLowerCase()}` : ''}`, key ? `${key.replace(/[_-]/g, ' ')} of the ${what}` : what);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) this.addStrings(item, label, what, key);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        // a key of a user-defined map (custom fields, tag filters) is the user's text too
        if (/^(custom_fields|rds_tag_filters|elasticache_tag_filters)$/.test(key)) this.add(k, `${label}-${key.replace(/_/g, '-')}`, `${what} ${key}`);
        this.addStrings(v, label, what, k === 'name' || k === 'value' ? `${key || label}-${k}` : k);
      }
    }
  }
}

const BUILTIN_CATEGORIES = new Set(['application', 'control-plane', 'monitoring']);

function addProject(set: NeedleSet, project: ProjectRecord, index: number): void {
  const of = `project #${index + 1}`;
  set.add(project.id, 'project-id', `id of ${of}`);
  set.add(project.name, 'project-name', `name of ${of}`);
  const prom = project.prometheus;
  set.addUrl(prom.url, 'prometheus', `Prometheus of ${of}:`);
  set.addUrl(prom.remoteWriteUrl, 'prometheus-remote-write', `remote write of ${of}:`);
  set.add(prom.basicAuth?.user, 'prometheus-user', `Prometheus user of ${of}`);
  set.add(prom.basicAuth?.password, 'prometheus-password', `Prometheus password of ${of}`);
  for (const h of prom.customHeaders ?? []) set.add(h.value, 'prometheus-header', `Prometheus header value of ${of}`);
  const s = project.settings;
  const ch = s.integrations.clickhouse;
  if (ch) {
    set.addUrl(ch.addr, 'clickhouse', `ClickHouse of ${of}:`);
    set.add(ch.auth.user, 'clickhouse-user', `ClickHouse user of ${of}`);
    set.add(ch.auth.password, 'clickhouse-password', `ClickHouse password of ${of}`);
    set.add(ch.database, 'clickhouse-database', `ClickHouse database of ${of}`);
  }
  set.addStrings(s.integrations.aws, 'aws', `AWS integration of ${of}`);
  set.addUrl(s.integrations.baseUrl, 'base', `base URL of ${of}:`);
  for (const [type, integration] of Object.entries(s.integrations.notifications)) {
    set.addStrings(integration, type, `${type} integration of ${of}`);
  }
  for (const [name, category] of Object.entries(s.applicationCategorySettings ?? {})) {
    if (!BUILTIN_CATEGORIES.has(name)) set.add(name, 'category-name', `custom application category of ${of}`);
    // notification_settings.*.{slack,teams}.channel
    set.addStrings(category?.raw.notification_settings, 'category', `category notification settings of ${of}`);
  }
  for (const name of Object.keys(s.customApplications ?? {})) set.add(name, 'custom-application', `custom application of ${of}`);
  for (const key of s.apiKeys ?? []) {
    set.add(key.key, 'api-key', `API key of ${of}`);
    set.add(key.description, 'api-key-description', `API key description of ${of}`);
  }
  for (const member of s.memberProjects ?? []) set.add(member, 'project-name', `member project of ${of}`);
}

function addConfig(set: NeedleSet, config: CorootConfig): void {
  set.addUrl(config.pgConnectionString?.value, 'postgres', 'PostgreSQL connection:');
  if (config.globalClickHouse) {
    set.addUrl(config.globalClickHouse.address, 'clickhouse', 'global ClickHouse:');
    set.add(config.globalClickHouse.user, 'clickhouse-user', 'global ClickHouse user');
    set.add(config.globalClickHouse.password, 'clickhouse-password', 'global ClickHouse password');
    set.add(config.globalClickHouse.database, 'clickhouse-database', 'global ClickHouse database');
  }
  set.addUrl(config.globalPrometheusUrl, 'prometheus', 'global Prometheus:');
  // config-file projects, as written (bootstrap input): names, keys, integrations
  config.projects.forEach((p, i) => set.addStrings(p, 'config-project', `config-file project #${i + 1}`));
}

export interface IdentifyingSources {
  projects: ProjectRecord[];
  config: CorootConfig;
  users?: UserRecord[];
  /** settings table rows, decoded */
  settings?: Record<string, unknown>;
}

export function identifyingNeedles(sources: IdentifyingSources): NeedleSet {
  const set = new NeedleSet();
  sources.projects.forEach((p, i) => addProject(set, p, i));
  addConfig(set, sources.config);
  (sources.users ?? []).forEach((u, i) => {
    set.add(u.email, 'user-email', `e-mail of user #${i + 1}`);
    set.add(u.name, 'user-name', `name of user #${i + 1}`);
  });
  const settings = sources.settings ?? {};
  set.add(settings.deployment_uuid, 'deployment-uuid', 'deployment UUID (settings table)');
  set.add(settings.auth_secret, 'auth-secret', 'session signing secret (settings table)');
  set.addStrings(settings.cloud_integration_settings, 'coroot-cloud', 'Coroot Cloud settings');
  return set;
}
