/**
 * Coroot's PostgreSQL configuration database, read in one READ ONLY transaction. Accepts both forms
 * lib/pq accepts (URL and key=value), and never lets the password reach a message.
 */
import pg from 'pg';
import { CliError, describe, inputError, unavailableError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { checkSchema, type SchemaReport } from './schema-check.js';
import { SqlCorootReader } from './sql-reader.js';

export interface PostgresOptions {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  warn(message: string): void;
}

/** lib/pq's key=value form: keys, '=' and values, values optionally single-quoted with backslash escapes. */
export function parseKeyValueDsn(dsn: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = /\s*([A-Za-z_]+)\s*=\s*('((?:[^'\\]|\\.)*)'|[^\s']*)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(dsn)) !== null && match[0] !== '') {
    out[match[1]!] = match[3] !== undefined ? match[3].replace(/\\(.)/g, '$1') : match[2]!;
    consumed = pattern.lastIndex;
  }
  if (dsn.slice(consumed).trim() !== '') throw inputError('PostgreSQL connection string: cannot parse it as a URL or as key=value pairs');
  return out;
}

function clientConfig(connectionString: string, options: PostgresOptions): pg.ClientConfig {
  const base: pg.ClientConfig = { connectionTimeoutMillis: options.connectTimeoutMs, statement_timeout: options.statementTimeoutMs };
  if (/^postgres(ql)?:\/\//i.test(connectionString)) {
    let url: URL;
    try {
      url = new URL(connectionString);
    } catch {
      throw inputError('PostgreSQL connection string: not a valid URL');
    }
    registerSecret(decodeURIComponent(url.password));
    const sslmode = url.searchParams.get('sslmode');
    return {
      ...base,
      host: decodeURIComponent(url.hostname) || 'localhost',
      port: url.port ? Number(url.port) : 5432,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
      ssl: sslmode && sslmode !== 'disable' ? { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' } : false,
    };
  }
  const kv = parseKeyValueDsn(connectionString);
  registerSecret(kv.password);
  return {
    ...base,
    host: kv.host ?? 'localhost',
    port: kv.port ? Number(kv.port) : 5432,
    user: kv.user,
    password: kv.password,
    database: kv.dbname,
    ssl: kv.sslmode && kv.sslmode !== 'disable' ? { rejectUnauthorized: kv.sslmode === 'verify-full' || kv.sslmode === 'verify-ca' } : false,
  };
}

function target(config: pg.ClientConfig): string {
  return `PostgreSQL ${config.user ?? ''}@${config.host}:${config.port}/${config.database ?? ''}`;
}

function postgresError(where: string, err: unknown): CliError {
  const code = (err as { code?: string }).code ?? '';
  const text = describe(err);
  if (code === '28P01' || code === '28000') return unavailableError(`${where}: login refused (${text})`, err);
  if (code === '3D000') return inputError(`${where}: ${text}`, err);
  if (code === '57014') return unavailableError(`${where}: query timed out (${text})`, err);
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(code) || /timeout|terminated/i.test(text)) {
    return unavailableError(`${where}: cannot connect (${text})`, err);
  }
  return inputError(`${where}: ${text}`, err);
}

export class PostgresDatabase extends SqlCorootReader {
  readonly type = 'postgres' as const;

  private constructor(description: string, private readonly client: pg.Client, schema: SchemaReport) {
    super(description, schema);
  }

  static async open(connectionString: string, options: PostgresOptions): Promise<PostgresDatabase> {
    const config = clientConfig(connectionString, options);
    const where = target(config);
    const client = new pg.Client(config);
    // A connection error after connect() would otherwise be an unhandled 'error' event.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('BEGIN TRANSACTION READ ONLY');
      const result = await client.query<{ table_name: string; column_name: string }>(
        'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()');
      const columns = new Map<string, Set<string>>();
      for (const row of result.rows) {
        if (!columns.has(row.table_name)) columns.set(row.table_name, new Set());
        columns.get(row.table_name)!.add(row.column_name);
      }
      const report = checkSchema(columns, where);
      if ('notCoroot' in report) throw inputError(report.notCoroot);
      if (report.missing.length > 0) {
        options.warn(`${where}: older Coroot schema, missing ${report.missing.join(', ')}; read as empty, as Coroot v1.24.5 would after migrating it at start-up`);
      }
      return new PostgresDatabase(where, client, report);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err instanceof CliError ? err : postgresError(where, err);
    }
  }

  protected async all<T extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
    try {
      return (await this.client.query<T>(sql, params)).rows;
    } catch (err) {
      throw postgresError(this.description, err);
    }
  }

  protected param(n: number): string {
    return `$${n}`;
  }

  async close(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}
