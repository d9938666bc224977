/** Runs the CLI in-process with captured streams and a chosen environment. */
import { Readable } from 'node:stream';
import { main } from '../../src/cli.js';

export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  stdin?: string | Buffer;
  /** pretend stdout is a terminal */
  tty?: boolean;
}

function capture(isTTY = false) {
  const chunks: Buffer[] = [];
  return {
    stream: { isTTY, columns: 100, write: (c: string | Uint8Array) => chunks.push(Buffer.from(c)) },
    text: () => Buffer.concat(chunks),
  };
}

/** env defaults to one without proxies or opt-out variables, so the host's settings cannot leak into a test */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}, options: RunOptions = {}): Promise<CliResult> {
  const out = capture(options.tty);
  const err = capture();
  const started = Date.now();
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, stdin, env: { NO_COLOR: '1', ...env } });
  return { code, stdout: out.text(), stderr: err.text().toString('utf8'), ms: Date.now() - started };
}
