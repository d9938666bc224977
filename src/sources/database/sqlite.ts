/**
 * Coroot's SQLite configuration database (DATA_DIR/db.sqlite), opened read-only with a busy timeout: no
 * file is created or changed, and a running Coroot is never blocked for longer than one short read.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { CliError, describe, inputError, unavailableError } from '../../errors.js';
import type { ApplicationDeploymentRecord, CorootDatabase, ProjectRecord, UserRecord } from './records.js';
import { checkSchema, selectList, type SchemaReport } from './schema-check.js';
import { decodeStoredRows } from './rows.js';

export interface SqliteOptions {
  /** how long to wait for a lock held by a running Coroot, in ms */
  busyTimeoutMs: number;
  warn(message: string): void;
}

function sqliteError(path: string, err: unknown): CliError {
  const code = (err as { code?: string }).code ?? '';
  const text = describe(err);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return unavailableError(`${path}: the database is locked by another process (is Coroot writing to it?); try again or raise --db-busy-timeout`, err);
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return inputError(`${path}: not a readable SQLite database (${text})`, err);
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') return inputError(`${path}: cannot open the database (${text})`, err);
  if (code.startsWith('SQLITE_READONLY')) {
    return inputError(`${path}: the database needs recovery (a hot journal) that a read-only reader cannot do; start Coroot once or copy the data-dir`, err);
  }
  return inputError(`${path}: ${text}`, err);
}

export class SqliteDatabase implements CorootDatabase {
  readonly type = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly schema: SchemaReport;

  private constructor(readonly description: string, db: Database.Database, schema: SchemaReport) {
    this.db = db;
    this.schema = schema;
  }

  static open(path: string, options: SqliteOptions): SqliteDatabase {
    if (!existsSync(path)) throw inputError(`${path}: no such file (is --data-dir a Coroot data directory?)`);
    if (!statSync(path).isFile()) throw inputError(`${path}: not a file`);
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs });
      // A reader must not trigger writes: no WAL checkpoint on close, no schema changes.
      db.pragma('query_only = ON');
      const columns = new Map<string, Set<string>>();
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      for (const { name } of tables) {
        const cols = db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as Array<{ name: string }>;
        columns.set(name, new Set(cols.map((c) => c.name)));
      }
      const report = checkSchema(columns, path);
      if ('notCoroot' in report) throw inputError(report.notCoroot);
      if (report.missing.length > 0) {
        options.warn(`${path}: older Coroot schema, missing ${report.missing.join(', ')}; read as empty, as Coroot v1.24.5 would after migrating it at start-up`);
      }
      return new SqliteDatabase(path, db, report);
    } catch (err) {
      db?.close();
      throw err instanceof CliError ? err : sqliteError(path, err);
    }
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    try {
      return this.db.prepare(sql).all(...params) as T[];
    } catch (err) {
      throw sqliteError(this.description, err);
    }
  }

  private has(table: string): boolean {
    return this.schema.columns.has(table);
  }

  async getUsers(): Promise<UserRecord[]> {
    if (!this.has('users')) return [];
    const rows = this.all<{ id: number; email: string; name: string; roles: unknown }>(
      `SELECT ${selectList(this.schema, 'users', ['id', 'email', 'name', 'roles'])} FROM users`);
    return decodeStoredRows.users(rows);
  }

  async getProjects(): Promise<ProjectRecord[]> {
    const rows = this.all<{ id: unknown; name: unknown; prometheus: unknown; settings: unknown }>(
      `SELECT ${selectList(this.schema, 'project', ['id', 'name', 'prometheus', 'settings'])} FROM project`);
    return decodeStoredRows.projects(rows);
  }

  async getCheckConfigRows(projectId: string): Promise<Array<{ applicationId: string; configs: string | null }>> {
    if (!this.has('check_configs')) return [];
    const rows = this.all<{ application_id: unknown; configs: unknown }>(
      `SELECT ${selectList(this.schema, 'check_configs', ['application_id', 'configs'])} FROM check_configs WHERE project_id = ?`, projectId);
    return decodeStoredRows.checkConfigs(rows);
  }

  async getSentIncidentNotificationsStat(from: number): Promise<Record<string, number>> {
    if (!this.has('incident_notification')) return {};
    const rows = this.all<{ destination: unknown; count: unknown }>(
      'SELECT destination, count(*) AS count FROM incident_notification WHERE timestamp >= ? AND sent_at > 0 GROUP BY destination', from);
    return decodeStoredRows.sentNotifications(rows);
  }

  async getApplicationDeployments(projectId: string): Promise<ApplicationDeploymentRecord[]> {
    if (!this.has('application_deployment')) return [];
    const rows = this.all<Record<string, unknown>>(
      `SELECT project_id, application_id, name, started_at, finished_at, metrics_snapshot FROM (
         SELECT *, row_number() OVER (PARTITION BY application_id ORDER BY started_at DESC) AS n
         FROM application_deployment WHERE project_id = ?) WHERE n <= 100 ORDER BY application_id, started_at`, projectId);
    return decodeStoredRows.deployments(rows);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
