/**
 * Coroot's configuration records as its Go code sees them after reading the database (db/project.go,
 * db/integrations.go, db/check_configs.go, db/user.go): already decoded with Go's JSON rules and with
 * applyDefaults applied. Both database engines produce these.
 */

export interface BasicAuth {
  user: string;
  password: string;
}

export interface HttpHeader {
  key: string;
  value: string;
}

/** db.IntegrationPrometheus: the project.prometheus column */
export interface PrometheusIntegration {
  global: boolean;
  url: string;
  /** whole seconds (stored in the database as milliseconds) */
  refreshInterval: number;
  tlsSkipVerify: boolean;
  basicAuth: BasicAuth | null;
  extraSelector: string;
  customHeaders: HttpHeader[] | null;
  remoteWriteUrl: string;
  useClickHouse: boolean;
}

/** db.IntegrationClickhouse */
export interface ClickHouseIntegration {
  global: boolean;
  protocol: string;
  addr: string;
  auth: BasicAuth;
  database: string;
  tlsEnable: boolean;
  tlsSkipVerify: boolean;
  tlsCaFile: string;
}

/**
 * A notification integration as stored; only whether it is present matters to the payload, but the
 * whole object is kept so that `verify` can find its secrets (tokens, webhook URLs, channels).
 */
export type NotificationIntegration = Record<string, unknown>;

export const NOTIFICATION_TYPES = ['slack', 'teams', 'pagerduty', 'opsgenie', 'webhook'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface Integrations {
  clickhouse: ClickHouseIntegration | null;
  aws: Record<string, unknown> | null;
  baseUrl: string;
  notifications: Partial<Record<NotificationType, NotificationIntegration>>;
}

export interface ApplicationCategorySettings {
  customPatterns: string[];
  /** the rest of the stored object, for anonymity checks (channels) */
  raw: Record<string, unknown>;
}

/** db.ProjectSettings: the project.settings column */
export interface ProjectSettings {
  /** deprecated map, still merged into applicationCategorySettings at every Coroot start */
  applicationCategories: Record<string, string[]> | null;
  /** values may be null: the rr_application_categories recording rule adds null entries */
  applicationCategorySettings: Record<string, ApplicationCategorySettings | null> | null;
  integrations: Integrations;
  customApplications: Record<string, { instancePatterns: string[] }> | null;
  apiKeys: Array<{ key: string; description: string }> | null;
  memberProjects: string[] | null;
}

export interface ProjectRecord {
  id: string;
  name: string;
  prometheus: PrometheusIntegration;
  settings: ProjectSettings;
}

/** One row of check_configs: the parsed application id and the check ids of its configs. */
export interface CheckConfigRow {
  applicationId: string;
  /** null when the configs column is NULL */
  configs: Record<string, unknown> | null;
}

export interface UserRecord {
  id: number;
  email: string;
  name: string;
  roles: string[];
}

export interface ApplicationDeploymentRecord {
  projectId: string;
  applicationId: string;
  name: string;
  startedAt: number;
  finishedAt: number;
  /** raw JSON text of model.MetricsSnapshot, or null */
  metricsSnapshot: string | null;
}

/**
 * Read-only access to Coroot's configuration database, one implementation per engine. Methods mirror
 * the db package functions that stats/stats.go calls, with the same failure behaviour left to callers.
 */
export interface CorootDatabase {
  readonly type: 'sqlite' | 'postgres';
  /** where the data lives, redacted, for messages */
  readonly description: string;
  /** db.GetUsers: throws on a query error or an unparsable roles value */
  getUsers(): Promise<UserRecord[]>;
  /** db.GetProjects: throws on a query error or an unparsable prometheus/settings column */
  getProjects(): Promise<ProjectRecord[]>;
  /** raw rows of check_configs for one project, in the engine's natural order */
  getCheckConfigRows(projectId: string): Promise<Array<{ applicationId: string; configs: string | null }>>;
  /** db.GetSentIncidentNotificationsStat: destination → count, or throws */
  getSentIncidentNotificationsStat(from: number): Promise<Record<string, number>>;
  /** last 100 deployments per application, ordered by application_id, started_at */
  getApplicationDeployments(projectId: string): Promise<ApplicationDeploymentRecord[]>;
  close(): Promise<void>;
}
