/**
 * Sending with the user's retry policy: Coroot itself tries once and ignores the answer; here a non-2xx
 * answer counts as not delivered, and each attempt, failed or not, is logged before the next one.
 */
import { CliError } from '../errors.js';
import { appendLog } from './log.js';
import type { ProxyConfig } from './proxy.js';
import { exchange, ExchangeError, type ExchangeOptions, type ExchangeResult } from './transport.js';
import { redirectedRequest, safeUrl, sha256, type WireRequest } from './target.js';

export interface DeliverOptions extends ExchangeOptions {
  /** the proxy for a URL a redirect leads to */
  proxyFor(url: URL): ProxyConfig | undefined;
  retries: number;
  retryDelayMs: number;
  logFile: string | undefined;
  /** progress and retry notices */
  note(message: string): void;
}

export interface Delivered {
  result: ExchangeResult;
  attempts: number;
  /** where the body finally went, after 307/308 redirects */
  finalUrl: URL;
}

/** Go's default CheckRedirect stops after 10 redirects. */
const MAX_REDIRECTS = 10;

/**
 * One attempt as Go's http.Client makes it: 307 and 308 are followed with the same POST and body, within
 * one deadline for the whole chain. Other redirects are returned as they are: Go would follow them with a
 * GET without the body, so the payload would not arrive.
 */
async function attemptOnce(req: WireRequest, options: DeliverOptions): Promise<{ result: ExchangeResult; finalUrl: URL }> {
  const deadline = Date.now() + options.timeoutMs;
  let current = req;
  let proxy = options.proxy;
  for (let hop = 0; ; hop++) {
    const remaining = Math.max(1, deadline - Date.now());
    const result = await exchange(current, { ...options, proxy, timeoutMs: remaining });
    if ((result.status !== 307 && result.status !== 308) || !result.location) return { result, finalUrl: current.url };
    if (hop === MAX_REDIRECTS) throw new ExchangeError('protocol', `stopped after ${MAX_REDIRECTS} redirects (last to ${safeUrl(result.location)})`);
    const next = redirectedRequest(current, result.location);
    if (!next) return { result, finalUrl: current.url };
    current = next;
    proxy = options.proxyFor(current.url);
  }
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
      const { result, finalUrl } = await attemptOnce(req, options);
      status = result.status;
      const ok = result.status >= 200 && result.status < 300;
      appendLog(options.logFile, {
        time: new Date().toISOString(),
        outcome: ok ? 'delivered' : 'http-error',
        attempt,
        ...base,
        status: result.status,
        ...(finalUrl.href !== req.url.href ? { final_url: safeUrl(finalUrl) } : {}),
        duration_ms: Date.now() - started,
      });
      if (ok) return { result, attempts: attempt, finalUrl };
      const where = result.location
        ? ` (Location: ${safeUrl(result.location)}${[301, 302, 303].includes(result.status) ? '; Go would follow it with a GET without the body' : ''})`
        : '';
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
