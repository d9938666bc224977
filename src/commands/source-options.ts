/**
 * The flags that say where a payload is built from, shared by every command that builds one. Coroot's
 * own flags keep Coroot's names and environment variables.
 */
import type { Argv } from 'yargs';
import type { IO } from '../io.js';
import type { BuildOptions, BuiltPayload } from '../model/build.js';
import { usageError } from '../errors.js';
import { DEFAULT_COROOT_VERSION } from '../model/version.js';

export interface SourceArgs {
  'data-dir'?: string;
  config?: string;
  'pg-connection-string'?: string;
  'global-clickhouse-address'?: string;
  'coroot-version'?: string;
  'installation-type'?: string;
  at?: string;
  'as-running': boolean;
  'db-busy-timeout': number;
  'pg-timeout': number;
  /** --no-profile: leave the profile section as GET /stats returns it */
  profile: boolean;
  source?: 'cache' | 'prometheus' | 'none';
  'prometheus-url'?: string[];
  live: boolean;
  'prometheus-user'?: string;
  'prometheus-password'?: string;
  'prometheus-header'?: string[];
  'prometheus-tls-skip-verify': boolean;
  'prometheus-timeout': number;
}

export function withSourceOptions<T>(y: Argv<T>): Argv<T & SourceArgs> {
  return y
    .option('data-dir', { type: 'string', group: 'Sources:', describe: 'Coroot data directory [env DATA_DIR; default ./data]' })
    .option('config', { type: 'string', group: 'Sources:', describe: "Coroot's YAML config file [env CONFIG]" })
    .option('pg-connection-string', { type: 'string', group: 'Sources:', describe: 'PostgreSQL database of Coroot instead of db.sqlite [env PG_CONNECTION_STRING]' })
    .option('global-clickhouse-address', { type: 'string', group: 'Sources:', describe: 'global ClickHouse of Coroot [env GLOBAL_CLICKHOUSE_ADDRESS]' })
    .option('coroot-version', { type: 'string', group: 'Sources:', describe: `instance.version to report [default ${DEFAULT_COROOT_VERSION}]` })
    .option('installation-type', { type: 'string', group: 'Sources:', describe: 'instance.installation_type [env INSTALLATION_TYPE]' })
    .option('at', { type: 'string', group: 'Sources:', describe: "build as of this time: RFC 3339, unix seconds or now [default: now, or the last update of a cache that stopped more than an hour ago (a copied data-dir); send: now]" })
    .option('as-running', { type: 'boolean', default: false, group: 'Sources:', describe: 'model an already running Coroot: no start-up bootstrap, and unreadable project rows give what it sends then instead of an error' })
    .option('db-busy-timeout', { type: 'number', default: 2000, group: 'Sources:', describe: 'ms to wait for a SQLite lock held by Coroot' })
    .option('pg-timeout', { type: 'number', default: 10000, group: 'Sources:', describe: 'ms to wait for PostgreSQL to connect or answer' })
    .option('source', { type: 'string', choices: ['cache', 'prometheus', 'none'] as const, group: 'Metrics:', describe: "where project worlds are read from: Coroot's metrics cache in DATA_DIR/cache, Prometheus (as --live unless --prometheus-url), or none [default: prometheus with --live/--prometheus-url, else cache when DATA_DIR/cache exists, else none]" })
    .option('prometheus-url', { type: 'string', array: true, group: 'Metrics:', describe: 'read the metrics of every project (URL) or of one project (PROJECT=URL, id or name) from this Prometheus; repeatable' })
    .option('live', { type: 'boolean', default: false, group: 'Metrics:', describe: "read each project's metrics from the Prometheus it is configured with in Coroot" })
    .option('prometheus-user', { type: 'string', group: 'Metrics:', describe: 'basic-auth user for Prometheus' })
    .option('prometheus-password', { type: 'string', group: 'Metrics:', describe: 'basic-auth password [env COROOT_USAGE_PROMETHEUS_PASSWORD]' })
    .option('prometheus-header', { type: 'string', array: true, group: 'Metrics:', describe: 'extra request header "Name: value" (repeatable), e.g. "Authorization: Bearer ..."' })
    .option('prometheus-tls-skip-verify', { type: 'boolean', default: false, group: 'Metrics:', describe: "accept any TLS certificate from Prometheus" })
    .option('prometheus-timeout', { type: 'number', default: 60, group: 'Metrics:', describe: 'seconds to wait for each Prometheus request' })
    .option('profile', { type: 'boolean', default: true, group: 'Sources:', describe: "embed this process's CPU and heap profiles as Coroot embeds its own; --no-profile leaves the section as GET /stats returns it (from/to 0, empty strings)" }) as Argv<T & SourceArgs>;
}

/** --source against --live/--prometheus-url: those flags mean prometheus, and --source prometheus alone means --live. */
export function metricsArgs(args: SourceArgs, env: NodeJS.ProcessEnv): Pick<BuildOptions, 'source' | 'prometheus'> {
  const urls = args['prometheus-url'] ?? [];
  const wantsPrometheus = urls.length > 0 || args.live;
  if (wantsPrometheus && args.source !== undefined && args.source !== 'prometheus') {
    throw usageError(`--source ${args.source} contradicts ${urls.length > 0 ? '--prometheus-url' : '--live'}, which reads Prometheus`);
  }
  if (!wantsPrometheus && args.source !== 'prometheus') return { source: args.source };
  return {
    source: 'prometheus',
    prometheus: {
      urls,
      live: args.live || urls.length === 0,
      user: args['prometheus-user'],
      password: args['prometheus-password'] ?? (env.COROOT_USAGE_PROMETHEUS_PASSWORD || undefined),
      headers: args['prometheus-header'] ?? [],
      tlsSkipVerify: args['prometheus-tls-skip-verify'],
      timeoutMs: args['prometheus-timeout'] * 1000,
    },
  };
}

/**
 * `wallClock`: without --at, build for now even when the data-dir's cache stopped updating (send, which
 * sends what Coroot would send now); otherwise such a data-dir is built as of its cache's last update.
 */
export async function buildPayloadFromArgs(args: SourceArgs, io: IO, { wallClock = false } = {}): Promise<BuiltPayload & { bytes: Buffer }> {
  // loaded here rather than at the top: commands import this module for its options alone
  const [{ buildPayload, parseAt }, { encodePayload }] = await Promise.all([import('../model/build.js'), import('../model/payload-wire.js')]);
  // Coroot profiles exactly its collect(): the CPU profile starts before it and both stop after it.
  const selfProfile = args.profile ? await (await import('../profile/self.js')).startSelfProfile() : undefined;
  let built: BuiltPayload;
  try {
    built = await buildPayload({
      coroot: {
        config: args.config,
        dataDir: args['data-dir'],
        pgConnectionString: args['pg-connection-string'],
        globalClickhouseAddress: args['global-clickhouse-address'],
      },
      corootVersion: args['coroot-version'] ?? DEFAULT_COROOT_VERSION,
      installationType: args['installation-type'] ?? (io.env.INSTALLATION_TYPE || undefined),
      at: args.at === undefined ? undefined : parseAt(args.at),
      atLastCacheUpdate: !wallClock,
      asRunning: args['as-running'],
      dbBusyTimeoutMs: args['db-busy-timeout'],
      pgTimeoutMs: args['pg-timeout'],
      ...metricsArgs(args, io.env),
    }, io);
  } catch (err) {
    await selfProfile?.stop().catch(() => undefined);
    throw err;
  }
  const recorded = await selfProfile?.stop();
  if (recorded) {
    built.payload.profile = {
      from: recorded.from,
      to: recorded.to,
      cpu: recorded.cpu.toString('base64'),
      memory: recorded.memory.toString('base64'),
    };
    built.notes.set('profile', "this process's own profiles while it built the payload, not Coroot's (a Go process): same shape, other content");
  } else {
    built.notes.set('profile', 'as GET /stats returns it (--no-profile): Coroot fills it with its own profiles when it sends');
  }
  return { ...built, bytes: encodePayload(built.payload) };
}
