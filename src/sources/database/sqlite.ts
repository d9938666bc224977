/**
 * Coroot's SQLite configuration database (DATA_DIR/db.sqlite), opened read-only with a busy timeout: no
 * file is created or changed, and a running Coroot is never blocked for longer than one short read.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { CliError, describe, inputError, unavailableError } from '../../errors.js';
import { checkSchema, type SchemaReport } from './schema-check.js';
import { SqlCorootReader } from './sql-reader.js';

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

export class SqliteDatabase extends SqlCorootReader {
  readonly type = 'sqlite' as const;

  private constructor(description: string, private readonly db: Database.Database, schema: SchemaReport) {
    super(description, schema);
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

  protected async all<T extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
    try {
      return this.db.prepare(sql).all(...params) as T[];
    } catch (err) {
      throw sqliteError(this.description, err);
    }
  }

  protected param(): string {
    return '?';
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
