/**
 * The one place that installs, starts and stops the real programs the tests use: Debian packages via
 * apt-get (as root, when a binary is missing), a throw-away PostgreSQL cluster on a free loopback port,
 * and the Go toolchain for generating reference output. test/run.ts starts the shared services once and
 * passes their addresses to every test file through environment variables.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let aptUpdated = false;

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function which(binary: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Installs Debian packages whose marker file or binary is missing. */
export function ensureDebianPackages(wanted: Array<{ pkg: string; provides: string }>): void {
  const missing = wanted.filter(({ provides }) => (provides.startsWith('/') ? !existsSync(provides) : !which(provides)));
  if (missing.length === 0) return;
  const names = missing.map((m) => m.pkg);
  if (!isRoot()) throw new Error(`missing Debian packages ${names.join(', ')}; install them as root: apt-get install ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: 'inherit', env });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

export interface PostgresServer {
  /** connection string for the superuser-owned test database (password auth) */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): void;
}

export const PG_TEST_USER = 'coroot';
export const PG_TEST_PASSWORD = 'pg-test-S3cret';

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return join(root, versions[0], 'bin');
}

/** Runs a PostgreSQL binary as the postgres user when we are root (the server refuses to run as root). */
function asPostgres(binary: string, args: string[]): void {
  const command = isRoot() ? ['runuser', '-u', 'postgres', '--', binary, ...args] : [binary, ...args];
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${binary} failed: ${result.stderr || result.stdout}`);
}

export async function startPostgres(): Promise<PostgresServer> {
  ensureDebianPackages([{ pkg: 'postgresql', provides: '/usr/lib/postgresql' }]);
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'coroot-usage-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${PG_TEST_PASSWORD}\n`, { mode: 0o644 });
  const port = await freePort();
  asPostgres(join(bin, 'initdb'), ['-D', data, '-U', PG_TEST_USER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C']);
  asPostgres(join(bin, 'pg_ctl'), [
    '-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start',
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
  ]);
  const stop = () => {
    try {
      asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return {
    url: `postgres://${PG_TEST_USER}:${PG_TEST_PASSWORD}@127.0.0.1:${port}/postgres?sslmode=disable`,
    host: '127.0.0.1',
    port,
    user: PG_TEST_USER,
    password: PG_TEST_PASSWORD,
    stop,
  };
}

// ---------------------------------------------------------------------------------------------- Go

const GO_CACHE = join(tmpdir(), 'coroot-usage-go-cache');

export function goBinary(): string {
  ensureDebianPackages([{ pkg: 'golang-go', provides: 'go' }]);
  return which('go')!;
}

/**
 * Builds a one-file Go program (standard library only) and returns the path of the binary. Builds are
 * cached by Go itself, so calling this from several tests costs one compile.
 */
export function buildGoProgram(name: string, source: string): string {
  const go = goBinary();
  const dir = join(tmpdir(), `coroot-usage-go-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.go'), source);
  writeFileSync(join(dir, 'go.mod'), `module ${name}\n\ngo 1.19\n`);
  const out = join(dir, name);
  execFileSync(go, ['build', '-o', out, '.'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GOCACHE: GO_CACHE, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
  });
  return out;
}

/** Environment for running `go tool pprof` and friends without network or a home directory. */
export function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOCACHE: GO_CACHE, GOPROXY: 'off', GOTOOLCHAIN: 'local', PPROF_TMPDIR: tmpdir(), HOME: tmpdir() };
}
