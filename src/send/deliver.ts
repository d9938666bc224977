/**
 * Sending with the user's retry policy: Coroot itself tries once and ignores the answer; here a non-2xx
 * answer counts as not delivered, and each attempt, failed or not, is logged before the next one.
 */
import { CliError } from '../errors.js';
import { appendLog } from './log.js';
import { exchange, ExchangeError, type ExchangeOptions, type ExchangeResult } from './transport.js';
import { safeUrl, sha256, type WireRequest } from './target.js';

export interface DeliverOptions extends ExchangeOptions {
  retries: number;
  retryDelayMs: number;
  logFile: string | undefined;
  /** progress and retry notices */
  note(message: string): void;
}

export interface Delivered {
  result: ExchangeResult;
  attempts: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 4xx other than 408/429 will not change by asking again. */
function retryable(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

export async function deliver(req: WireRequest, options: DeliverOptions): Promise<Delivered> {
  const digest = sha256(req.body);
  const base = {
    method: 'POST' as const,
    url: safeUrl(req.url),
    proxy: options.proxy ? safeUrl(options.proxy.url) : null,
    sha256: digest,
    bytes: req.body.length,
  };
  let lastError: CliError | undefined;
  for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
    const started = Date.now();
    let status: number | undefined;
    try {
      const result = await exchange(req, options);
      status = result.status;
      const ok = result.status >= 200 && result.status < 300;
      appendLog(options.logFile, {
        time: new Date().toISOString(),
        outcome: ok ? 'delivered' : 'http-error',
        attempt,
        ...base,
        status: result.status,
        duration_ms: Date.now() - started,
      });
      if (ok) return { result, attempts: attempt };
      const where = result.location ? ` (Location: ${safeUrl(result.location)})` : '';
      const text = result.statusText ? ` ${result.statusText}` : '';
      lastError = new CliError('send', `the collector at ${base.url} answered HTTP ${result.status}${text}${where}: counted as not delivered (Coroot ignores the status)`);
    } catch (err) {
      if (!(err instanceof ExchangeError)) throw err;
      appendLog(options.logFile, {
        time: new Date().toISOString(),
        outcome: 'failed',
        attempt,
        ...base,
        error: err.message,
        duration_ms: Date.now() - started,
      });
      lastError = new CliError('send', `not sent: ${err.message}`, err);
    }
    if (attempt <= options.retries && retryable(status)) {
      const delay = options.retryDelayMs * 2 ** (attempt - 1);
      options.note(`attempt ${attempt} failed (${lastError.message}); retrying in ${delay} ms`);
      await sleep(delay);
    } else {
      break;
    }
  }
  throw lastError ?? new CliError('send', 'not sent');
}
