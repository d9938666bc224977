/**
 * A throw-away Prometheus for tests: fixture OpenMetrics turned into TSDB blocks with promtool, served by
 * Debian's `prometheus` on a free loopback port from a temporary directory. Nothing is scraped, nothing
 * is sent anywhere; retention is long enough for the fixtures' fixed past timestamps. stop() leaves no
 * process and no directory behind, and a process exit stops any server a test forgot.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages, freePort } from './services.js';

export interface PrometheusServer {
  url: string;
  port: number;
  /** the server's process id (the world benchmark pins it to some cores) */
  pid: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function waitReady(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus not ready after ${timeoutMs} ms: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

/** Starts Prometheus over the given OpenMetrics files (each becomes TSDB blocks). */
export async function startPrometheus(openMetricsFiles: string[]): Promise<PrometheusServer> {
  ensureDebianPackages([{ pkg: 'prometheus', provides: 'prometheus' }, { pkg: 'prometheus', provides: 'promtool' }]);
  const dir = mkdtempSync(join(tmpdir(), 'coroot-usage-prom-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'log');
  let child: ChildProcess | undefined;
  try {
    for (const file of openMetricsFiles) {
      execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, data], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    // no scrape, rule, alerting or remote sections: the server only answers queries
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const log = openSync(logFile, 'w');
    child = spawn('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ], { stdio: ['ignore', log, log], cwd: dir });
    closeSync(log);
    running.add(child);
    await waitReady(url, child, logFile, 30_000);
    const started = child;
    return {
      url,
      port,
      pid: started.pid!,
      stop: async () => {
        await stopChild(started);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  running.delete(child);
}
