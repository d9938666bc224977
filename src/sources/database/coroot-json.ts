/**
 * The Go types behind Coroot's JSON columns (db/integrations.go, db/project.go,
 * db/application_categories.go), for decoding them with Go's rules, and the conversion of a decoded
 * project row into a ProjectRecord with db.Project.applyDefaults applied.
 */
import { goUnmarshal, type GoDecodeType } from '../../encoding/godecode.js';
import type {
  ApplicationCategorySettings, BasicAuth, ClickHouseIntegration, HttpHeader, NotificationIntegration, NotificationType,
  PrometheusIntegration, ProjectRecord, ProjectSettings,
} from './records.js';

const bool: GoDecodeType = { kind: 'bool' };
const str: GoDecodeType = { kind: 'string' };
const ptr = (elem: GoDecodeType): GoDecodeType => ({ kind: 'ptr', elem });
const slice = (elem: GoDecodeType): GoDecodeType => ({ kind: 'slice', elem });
const map = (value: GoDecodeType): GoDecodeType => ({ kind: 'map', value });
const struct = (fields: Record<string, GoDecodeType>): GoDecodeType => ({ kind: 'struct', fields });

const basicAuth = struct({ user: str, password: str });
const header = struct({ key: str, value: str });

export const prometheusType = struct({
  global: bool,
  url: str,
  refresh_interval: { kind: 'duration' },
  tls_skip_verify: bool,
  basic_auth: ptr(basicAuth),
  extra_selector: str,
  custom_headers: slice(header),
  remote_write_url: str,
  use_clickhouse: bool,
});

const clickhouseType = struct({
  global: bool,
  protocol: str,
  addr: str,
  auth: basicAuth,
  database: str,
  tls_enable: bool,
  tls_skip_verify: bool,
  tls_ca_file: str,
});

const notificationTypes: Record<NotificationType, GoDecodeType> = {
  slack: struct({ token: str, default_channel: str, incidents: bool, deployments: bool, alerts: ptr(bool) }),
  teams: struct({
    webhook_url: str,
    channels: slice(struct({ name: str, webhook_url: str })),
    default_channel: str,
    incidents: bool,
    deployments: bool,
    alerts: ptr(bool),
  }),
  pagerduty: struct({ integration_key: str, incidents: bool, alerts: ptr(bool) }),
  opsgenie: struct({ api_key: str, eu_instance: bool, incidents: bool, alerts: ptr(bool) }),
  webhook: struct({
    url: str,
    tls_skip_verify: bool,
    basic_auth: ptr(basicAuth),
    custom_headers: slice(header),
    custom_fields: map(str),
    incidents: bool,
    deployments: bool,
    alerts: ptr(bool),
    incident_template: str,
    deployment_template: str,
    alert_template: str,
  }),
};

const categoryDestinations = {
  enabled: bool,
  slack: ptr(struct({ enabled: bool, channel: str })),
  teams: ptr(struct({ enabled: bool, channel: str })),
  pagerduty: ptr(struct({ enabled: bool })),
  opsgenie: ptr(struct({ enabled: bool })),
  webhook: ptr(struct({ enabled: bool })),
};

const categorySettingsType = struct({
  custom_patterns: slice(str),
  notify_of_deployments: bool,
  notification_settings: struct({
    incidents: struct(categoryDestinations),
    deployments: struct(categoryDestinations),
    alerts: struct(categoryDestinations),
  }),
});

export const projectSettingsType = struct({
  readonly: bool,
  application_categories: map(slice(str)),
  application_category_settings: map(ptr(categorySettingsType)),
  integrations: struct({
    clickhouse: ptr(clickhouseType),
    aws: ptr(struct({
      region: str,
      access_key_id: str,
      secret_access_key: str,
      rds_tag_filters: map(str),
      elasticache_tag_filters: map(str),
    })),
    readonly: bool,
    base_url: str,
    ...Object.fromEntries(Object.entries(notificationTypes).map(([name, type]) => [name, ptr(type)])),
  }),
  custom_applications: map(struct({ instance_patterns: slice(str) })),
  api_keys: slice(struct({ key: str, description: str })),
  custom_cloud_pricing: ptr(struct({ default: bool, per_cpu_core: { kind: 'float32' }, per_memory_gb: { kind: 'float32' } })),
  member_projects: slice(str),
});

type Obj = Record<string, any>; // any: shapes are guaranteed by the decode types above

const DEFAULT_REFRESH_INTERVAL = 30;

function toBasicAuth(value: Obj | null): BasicAuth | null {
  return value ? { user: value.user, password: value.password } : null;
}

function toPrometheus(p: Obj): PrometheusIntegration {
  return {
    global: p.global,
    url: p.url,
    // db.Project.applyDefaults
    refreshInterval: p.refresh_interval === 0 ? DEFAULT_REFRESH_INTERVAL : p.refresh_interval,
    tlsSkipVerify: p.tls_skip_verify,
    basicAuth: toBasicAuth(p.basic_auth),
    extraSelector: p.extra_selector,
    customHeaders: p.custom_headers as HttpHeader[] | null,
    remoteWriteUrl: p.remote_write_url,
    useClickHouse: p.use_clickhouse,
  };
}

function toClickHouse(c: Obj | null): ClickHouseIntegration | null {
  if (!c) return null;
  return {
    global: c.global,
    protocol: c.protocol,
    addr: c.addr,
    auth: { user: c.auth.user, password: c.auth.password },
    database: c.database,
    tlsEnable: c.tls_enable,
    tlsSkipVerify: c.tls_skip_verify,
    tlsCaFile: c.tls_ca_file,
  };
}

function toSettings(s: Obj): ProjectSettings {
  const categories = s.application_category_settings as Record<string, Obj | null> | null;
  const notifications: Partial<Record<NotificationType, NotificationIntegration>> = {};
  for (const type of Object.keys(notificationTypes) as NotificationType[]) {
    if (s.integrations[type]) notifications[type] = s.integrations[type];
  }
  return {
    applicationCategories: s.application_categories,
    applicationCategorySettings: categories
      ? Object.fromEntries(Object.entries(categories).map(([name, c]): [string, ApplicationCategorySettings | null] =>
        [name, c ? { customPatterns: c.custom_patterns ?? [], raw: c } : null]))
      : null,
    integrations: {
      clickhouse: toClickHouse(s.integrations.clickhouse),
      aws: s.integrations.aws,
      baseUrl: s.integrations.base_url,
      notifications,
    },
    customApplications: s.custom_applications
      ? Object.fromEntries(Object.entries(s.custom_applications as Record<string, Obj>).map(([name, c]) => [name, { instancePatterns: c.instance_patterns ?? [] }]))
      : null,
    apiKeys: s.api_keys,
    memberProjects: s.member_projects,
  };
}

/**
 * One row of `SELECT id, name, prometheus, settings FROM project`, decoded as db.GetProjects does:
 * NULL columns leave zero values, anything that does not decode throws (and makes GetProjects fail).
 */
export function decodeProjectRow(id: string, name: string, prometheus: string | null, settings: string | null): ProjectRecord {
  const prom = (prometheus === null ? goUnmarshal('{}', prometheusType) : goUnmarshal(prometheus, prometheusType)) as Obj;
  const sett = (settings === null ? goUnmarshal('{}', projectSettingsType) : goUnmarshal(settings, projectSettingsType)) as Obj;
  return { id, name, prometheus: toPrometheus(prom), settings: toSettings(sett) };
}

/** users.roles: a JSON array of role names. */
export function decodeRoles(text: string): string[] {
  return (goUnmarshal(text, slice(str)) as string[] | null) ?? [];
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * check_configs.configs as map[CheckId]json.RawMessage: only the check ids matter to the payload. JSON.parse
 * accepts the same grammar as Go, so it is used for speed; Go's own decoder runs when the text is not an
 * object or a key needs Go's lone-surrogate replacement, so that errors and keys stay Go's.
 */
export function decodeCheckConfigKeys(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const keys = Object.keys(parsed);
    if (!keys.some((k) => LONE_SURROGATE.test(k))) return keys;
  }
  return Object.keys((goUnmarshal(text, map({ kind: 'raw' })) as Record<string, unknown> | null) ?? {});
}
