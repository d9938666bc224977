/**
 * All terminal concerns live here, so "colours only on a TTY and never with NO_COLOR" and "warnings go to
 * stderr" are decided in one place. Commands receive an IO and never touch process.stdout directly, which
 * lets tests run a command in-process with captured streams.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { redact } from './redact.js';

export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface IO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** colours for stdout (off unless stdout is a TTY and NO_COLOR is unset) */
  readonly color: ChalkInstance;
  /** colours for stderr */
  readonly errColor: ChalkInstance;
  /** no colours, for files */
  readonly plain: ChalkInstance;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  /** a one-line warning on stderr, redacted */
  warn(message: string): void;
  /** progress on stderr, shown on a TTY only */
  progress(message: string): void;
  out(text: string | Uint8Array): void;
}

export interface IOOptions {
  stdout?: OutputStream;
  stderr?: OutputStream;
  stdin?: NodeJS.ReadableStream;
  env?: NodeJS.ProcessEnv;
  /** --color / --no-color from the command line; undefined means decide from the streams */
  color?: boolean;
}

function colorLevel(stream: OutputStream, env: NodeJS.ProcessEnv, forced: boolean | undefined): 0 | 1 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (forced !== undefined) return forced ? 1 : 0;
  return stream.isTTY ? 1 : 0;
}

export function createIO(options: IOOptions = {}): IO {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const color = new Chalk({ level: colorLevel(stdout, env, options.color) });
  const errColor = new Chalk({ level: colorLevel(stderr, env, options.color) });
  let progressShown = false;
  return {
    stdout,
    stderr,
    color,
    errColor,
    plain: new Chalk({ level: 0 }),
    stdoutIsTTY: Boolean(stdout.isTTY),
    stderrIsTTY: Boolean(stderr.isTTY),
    env,
    stdin: options.stdin ?? process.stdin,
    warn(message) {
      if (progressShown) {
        stderr.write('\r\x1b[K');
        progressShown = false;
      }
      stderr.write(`${errColor.yellow('warning:')} ${redact(message)}\n`);
    },
    progress(message) {
      if (!stderr.isTTY) return;
      stderr.write(`\r\x1b[K${errColor.dim(redact(message))}`);
      progressShown = message !== '';
      if (!progressShown) stderr.write('\r\x1b[K');
    },
    out(text) {
      stdout.write(text);
    },
  };
}

let tmpCounter = 0;

/**
 * Writes a file so that readers see either the old content or the whole new one: a temporary file in the
 * same directory, fsync, then rename over the target.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  // unique per process and call; 'wx' refuses an existing file. (node:crypto would cost every start ~5 ms.)
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${(tmpCounter++).toString(36)}.${Date.now().toString(36)}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Reads all of stdin (for `-` arguments). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
