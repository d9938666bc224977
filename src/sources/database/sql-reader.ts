/**
 * The queries stats/stats.go makes through Coroot's db package, written once for both engines. An engine
 * supplies how to run a statement and how it spells a bind parameter; tables and columns a v1.24.5
 * migration would add read as empty.
 */
import type { ApplicationDeploymentRecord, CorootDatabase, ProjectRecord, UserRecord } from './records.js';
import { decodeStoredRows } from './rows.js';
import { selectList, type SchemaReport } from './schema-check.js';

export abstract class SqlCorootReader implements CorootDatabase {
  abstract readonly type: 'sqlite' | 'postgres';

  protected constructor(readonly description: string, private readonly schema: SchemaReport) {}

  /** runs one statement with positional parameters, turning driver errors into CliErrors */
  protected abstract all<T extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]>;

  /** the engine's spelling of the n-th bind parameter (1-based) */
  protected abstract param(n: number): string;

  abstract close(): Promise<void>;

  private has(table: string): boolean {
    return this.schema.columns.has(table);
  }

  private columns(table: string, columns: string[]): string {
    return selectList(this.schema, table, columns);
  }

  async getUsers(): Promise<UserRecord[]> {
    if (!this.has('users')) return [];
    return decodeStoredRows.users(await this.all(`SELECT ${this.columns('users', ['id', 'email', 'name', 'roles'])} FROM users`, []));
  }

  async getProjects(): Promise<ProjectRecord[]> {
    return decodeStoredRows.projects(await this.all(`SELECT ${this.columns('project', ['id', 'name', 'prometheus', 'settings'])} FROM project`, []));
  }

  async getCheckConfigRows(projectId: string): Promise<Array<{ applicationId: string; configs: string | null }>> {
    if (!this.has('check_configs')) return [];
    return decodeStoredRows.checkConfigs(await this.all(
      `SELECT ${this.columns('check_configs', ['application_id', 'configs'])} FROM check_configs WHERE project_id = ${this.param(1)}`, [projectId]));
  }

  async getSentIncidentNotificationsStat(from: number): Promise<Record<string, number>> {
    if (!this.has('incident_notification')) return {};
    return decodeStoredRows.sentNotifications(await this.all(
      `SELECT destination, count(*) AS count FROM incident_notification WHERE timestamp >= ${this.param(1)} AND sent_at > 0 GROUP BY destination`, [from]));
  }

  /** db.GetApplicationDeployments: the last 100 per application, by application and start time */
  async getApplicationDeployments(projectId: string): Promise<ApplicationDeploymentRecord[]> {
    if (!this.has('application_deployment')) return [];
    return decodeStoredRows.deployments(await this.all(
      `SELECT project_id, application_id, name, started_at, finished_at, metrics_snapshot FROM (
         SELECT *, row_number() OVER (PARTITION BY application_id ORDER BY started_at DESC) AS n
         FROM application_deployment WHERE project_id = ${this.param(1)}) d WHERE n <= 100 ORDER BY application_id, started_at`, [projectId]));
  }
}
