/**
 * Coroot's own configuration, resolved with Coroot's rules (config/config.go, config/flags.go): defaults,
 * then the YAML file (with $VAR expanded in its whole text first), then flags and environment variables,
 * where a flag wins over its variable, an empty variable counts as unset, and a boolean can only be
 * switched on by a flag or variable. Only the keys that change the payload or the opt-out are read.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, inputError, usageError } from '../errors.js';
import { registerSecret } from '../redact.js';

export interface GlobalClickHouse {
  address: string;
  user: string;
  password: string;
  database: string;
}

export type SettingSource = 'flag' | 'env' | 'config' | 'default';

export interface Setting<T> {
  value: T;
  source: SettingSource;
  /** e.g. "--data-dir", "DATA_DIR", "coroot.yaml: data_dir" */
  origin: string;
}

export interface CorootConfig {
  configFile: string | undefined;
  dataDir: Setting<string>;
  /** set when the main database is PostgreSQL */
  pgConnectionString: Setting<string> | undefined;
  globalClickHouse: GlobalClickHouse | undefined;
  globalPrometheusUrl: string | undefined;
  disableUsageStatistics: Setting<boolean>;
  /** projects: [...] from the YAML file, as parsed (bootstrap input) */
  projects: unknown[];
  /** BOOTSTRAP_PROMETHEUS_URL / BOOTSTRAP_REFRESH_INTERVAL, unless a global Prometheus is set */
  bootstrapPrometheus: { url: string; refreshInterval: number } | undefined;
  /** BOOTSTRAP_CLICKHOUSE_ADDRESS, unless a global ClickHouse is set */
  bootstrapClickHouseAddress: string | undefined;
}

/** Prometheus-style durations (15s, 1m, 1h30m, 2d) as timeseries.DurationFlag reads them, in seconds. */
export function parsePromDuration(text: string): number | undefined {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * units[unit!]!;
  return Math.trunc(total);
}

/** The Coroot flags coroot-usage accepts, as given on its own command line (undefined = not given). */
export interface CorootFlags {
  config?: string;
  dataDir?: string;
  pgConnectionString?: string;
  globalClickhouseAddress?: string;
  disableUsageStatistics?: boolean;
}

/** os.ExpandEnv: $NAME and ${NAME}, unknown names expand to "". */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$(\{([^}]*)\}|[A-Za-z0-9_]+|[*#$@!?-])/g, (_m, whole: string, braced: string | undefined) =>
    env[braced ?? whole] ?? '');
}

/** strconv.ParseBool, which kingpin uses for boolean flags and variables. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** yaml.v3 decoding into a Go bool also takes the YAML 1.1 words. */
function yamlBool(value: unknown, where: string): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].includes(value)) return true;
    if (['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'].includes(value)) return false;
  }
  throw inputError(`${where}: cannot unmarshal ${JSON.stringify(value)} into a boolean`);
}

function yamlString(value: unknown, where: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw inputError(`${where}: expected a string`);
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function readYaml(path: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw inputError(`config file ${path}: not a file`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputError(`config file ${path}: ${describe(err)}`, err);
  }
  let doc: unknown;
  try {
    // loaded only when there is a config file to read, to keep start-up short
    const { parse: parseYaml } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = parseYaml(expandEnv(text, env), { uniqueKeys: false });
  } catch (err) {
    throw inputError(`config file ${path}: invalid YAML: ${describe(err).split('\n')[0]}`, err);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw inputError(`config file ${path}: expected a mapping at the top level`);
  return doc as Record<string, unknown>;
}

export function loadCorootConfig(flags: CorootFlags, env: NodeJS.ProcessEnv): CorootConfig {
  const configFile = flags.config ?? envValue(env, 'CONFIG');
  const yaml = configFile ? readYaml(configFile, env) : {};
  const where = (key: string) => `${configFile}: ${key}`;
  const section = (key: string) => {
    const value = yaml[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw inputError(`${where(key)}: expected a mapping`);
    return value as Record<string, unknown>;
  };

  const dataDir: Setting<string> = flags.dataDir
    ? { value: flags.dataDir, source: 'flag', origin: '--data-dir' }
    : envValue(env, 'DATA_DIR')
      ? { value: envValue(env, 'DATA_DIR')!, source: 'env', origin: 'DATA_DIR' }
      : yamlString(yaml.data_dir, where('data_dir'))
        ? { value: yamlString(yaml.data_dir, where('data_dir')), source: 'config', origin: where('data_dir') }
        : { value: './data', source: 'default', origin: 'default' };

  let pgConnectionString: Setting<string> | undefined;
  const pgFromYaml = yamlString(section('postgres')?.connection_string, where('postgres.connection_string'));
  if (flags.pgConnectionString) pgConnectionString = { value: flags.pgConnectionString, source: 'flag', origin: '--pg-connection-string' };
  else if (envValue(env, 'PG_CONNECTION_STRING')) pgConnectionString = { value: envValue(env, 'PG_CONNECTION_STRING')!, source: 'env', origin: 'PG_CONNECTION_STRING' };
  else if (pgFromYaml) pgConnectionString = { value: pgFromYaml, source: 'config', origin: where('postgres.connection_string') };
  registerSecret(pgConnectionString?.value);

  const clickhouseYaml = section('global_clickhouse');
  const clickhouseAddress = flags.globalClickhouseAddress ?? envValue(env, 'GLOBAL_CLICKHOUSE_ADDRESS');
  let globalClickHouse: GlobalClickHouse | undefined;
  if (clickhouseYaml || clickhouseAddress) {
    globalClickHouse = {
      address: clickhouseAddress ?? yamlString(clickhouseYaml?.address, where('global_clickhouse.address')),
      user: envValue(env, 'GLOBAL_CLICKHOUSE_USER') ?? yamlString(clickhouseYaml?.user, where('global_clickhouse.user')),
      password: envValue(env, 'GLOBAL_CLICKHOUSE_PASSWORD') ?? yamlString(clickhouseYaml?.password, where('global_clickhouse.password')),
      database: envValue(env, 'GLOBAL_CLICKHOUSE_INITIAL_DATABASE') ?? yamlString(clickhouseYaml?.database, where('global_clickhouse.database')),
    };
    registerSecret(globalClickHouse.password);
    // config.Validate refuses a global ClickHouse without an address: Coroot would not start.
    if (!globalClickHouse.address) throw inputError(`${configFile ?? 'configuration'}: global_clickhouse needs an address (Coroot refuses to start without one)`);
  }
  const globalPrometheusUrl = envValue(env, 'GLOBAL_PROMETHEUS_URL') ?? (yamlString(section('global_prometheus')?.url, where('global_prometheus.url')) || undefined);

  let disableUsageStatistics: Setting<boolean> = { value: false, source: 'default', origin: 'default' };
  if (yamlBool(yaml.disable_usage_statistics, where('disable_usage_statistics'))) {
    disableUsageStatistics = { value: true, source: 'config', origin: where('disable_usage_statistics') };
  }
  // kingpin: the flag wins over the variable; ApplyFlags copies the result only when it is true.
  if (flags.disableUsageStatistics !== undefined) {
    if (flags.disableUsageStatistics) disableUsageStatistics = { value: true, source: 'flag', origin: '--disable-usage-statistics' };
  } else {
    const raw = envValue(env, 'DISABLE_USAGE_STATISTICS');
    if (raw !== undefined) {
      const parsed = parseGoBool(raw);
      if (parsed === undefined) throw usageError(`DISABLE_USAGE_STATISTICS=${JSON.stringify(raw)}: not a boolean (Coroot accepts 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False and would refuse to start)`);
      if (parsed) disableUsageStatistics = { value: true, source: 'env', origin: 'DISABLE_USAGE_STATISTICS' };
    }
  }

  const projects = yaml.projects;
  if (projects !== undefined && projects !== null && !Array.isArray(projects)) throw inputError(`${where('projects')}: expected a list`);

  let bootstrapPrometheus: CorootConfig['bootstrapPrometheus'];
  const bootstrapUrl = envValue(env, 'BOOTSTRAP_PROMETHEUS_URL');
  if (bootstrapUrl && !globalPrometheusUrl && !section('global_prometheus')) {
    const rawInterval = envValue(env, 'BOOTSTRAP_REFRESH_INTERVAL');
    const interval = rawInterval === undefined ? 0 : parsePromDuration(rawInterval);
    if (interval === undefined) throw usageError(`BOOTSTRAP_REFRESH_INTERVAL=${JSON.stringify(rawInterval)}: not a duration (15s, 1m, ...)`);
    bootstrapPrometheus = { url: bootstrapUrl, refreshInterval: interval > 0 ? interval : 30 };
  }
  const bootstrapClickHouseAddress = globalClickHouse ? undefined : envValue(env, 'BOOTSTRAP_CLICKHOUSE_ADDRESS');
  registerSecret(envValue(env, 'BOOTSTRAP_CLICKHOUSE_PASSWORD'));

  return {
    configFile,
    bootstrapPrometheus,
    bootstrapClickHouseAddress,
    dataDir,
    pgConnectionString,
    globalClickHouse,
    globalPrometheusUrl,
    disableUsageStatistics,
    projects: (projects as unknown[] | null | undefined) ?? [],
  };
}
