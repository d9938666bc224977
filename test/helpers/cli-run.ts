/** Runs the CLI in-process with captured streams and a chosen environment. */
import { main } from '../../src/cli.js';

export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

function capture() {
  const chunks: Buffer[] = [];
  return {
    stream: { isTTY: false, write: (c: string | Uint8Array) => chunks.push(Buffer.from(c)) },
    text: () => Buffer.concat(chunks),
  };
}

/** env defaults to one without proxies or opt-out variables, so the host's settings cannot leak into a test */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const out = capture();
  const err = capture();
  const started = Date.now();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, env: { NO_COLOR: '1', ...env } });
  return { code, stdout: out.text(), stderr: err.text().toString('utf8'), ms: Date.now() - started };
}
