/**
 * Identifying values the payload build does not need but the database holds: users (e-mails, names) and,
 * on SQLite, the settings rows (deployment UUID, auth secret, Coroot Cloud API key). Read with the same
 * read-only readers as the build; a failure here only narrows the check, it never fails `verify`.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from '../errors.js';
import type { BuildContext } from '../model/build.js';
import type { CorootDatabase, UserRecord } from '../sources/database/records.js';
import { SqliteDatabase } from '../sources/database/sqlite.js';

export interface InstanceSecrets {
  users: UserRecord[];
  /** settings table: name → decoded JSON value (SQLite only) */
  settings: Record<string, unknown>;
  notes: string[];
}

export interface DbTimeouts {
  dbBusyTimeoutMs: number;
  pgTimeoutMs: number;
}

/** The settings rows of a SQLite db, opened as the build opens it: read-only, query_only, busy timeout. */
export function readSqliteSettings(dbPath: string, busyTimeoutMs: number): Record<string, unknown> {
  if (!existsSync(dbPath)) return {};
  const db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
  try {
    db.pragma('query_only = ON');
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'").get();
    if (!exists) return {};
    const rows = db.prepare('SELECT name, value FROM settings').all() as Array<{ name: string; value: Buffer | string }>;
    const out: Record<string, unknown> = {};
    for (const row of rows) {
      try {
        out[row.name] = JSON.parse(Buffer.isBuffer(row.value) ? row.value.toString('utf8') : row.value);
      } catch {
        out[row.name] = String(row.value);
      }
    }
    return out;
  } finally {
    db.close();
  }
}

export async function readInstanceSecrets(context: BuildContext, timeouts: DbTimeouts): Promise<InstanceSecrets> {
  const notes: string[] = [];
  const dbPath = join(context.dataDirPath, 'db.sqlite');
  let db: CorootDatabase | undefined;
  // the build has read the users already, unless that failed (then it is tried again here, for the note)
  let users: UserRecord[] = context.users ?? [];
  let settings: Record<string, unknown> = {};
  try {
    if (context.config.pgConnectionString) {
      if (context.users === undefined) {
        // loaded only for PostgreSQL: pg takes 60 ms to load
        const { PostgresDatabase } = await import('../sources/database/postgres.js');
        db = await PostgresDatabase.open(context.config.pgConnectionString.value, {
          connectTimeoutMs: timeouts.pgTimeoutMs,
          statementTimeoutMs: timeouts.pgTimeoutMs,
          warn: () => undefined,
        });
      }
      notes.push('PostgreSQL: the settings table (deployment UUID, auth secret, Coroot Cloud key) is not read; those values are only caught by the token pattern');
    } else {
      if (context.users === undefined) db = SqliteDatabase.open(dbPath, { busyTimeoutMs: timeouts.dbBusyTimeoutMs, warn: () => undefined });
      settings = readSqliteSettings(dbPath, timeouts.dbBusyTimeoutMs);
    }
    if (db) users = await db.getUsers();
  } catch (err) {
    notes.push(`users and settings could not be read (${describe(err)}): their values were not checked`);
  } finally {
    await db?.close();
  }
  return { users, settings, notes };
}
