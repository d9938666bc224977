/**
 * MetricsSource over Prometheus' HTTP API, sending what Coroot's cache updater sends (prom/http.go):
 * POST /api/v1/query_range with the query after `$RANGE` and extra-selector rewriting, the project's
 * basic auth and custom headers, and the response cut down to the query's label allow-list with equal
 * series merged. Every way a request can go wrong ends as a MetricsQueryError for that one query, with
 * credentials redacted; none escapes as a crash and none waits past the per-request timeout.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { gunzipSync, inflateSync } from 'node:zlib';
import { redact, registerSecret } from '../redact.js';
import type { PrometheusIntegration, ProjectRecord } from './database/records.js';
import {
  MetricsQueryError, hasData, metricValues, pointsCount, truncateTime,
  type MetricValues, type MetricsQuery, type MetricsSource, type QueryOutcome, type Window,
} from './metrics.js';
import { decodeMatrix, LabelValues, parseGoFloat, wellFormed } from './prometheus-matrix.js';
import { addExtraSelector, substituteRange } from './promql.js';

export interface PrometheusConfig {
  url: string;
  basicAuth?: { user: string; password: string } | null;
  tlsSkipVerify?: boolean;
  /** the project's extra selector, e.g. `{cluster="a"}` (db.IntegrationPrometheus.ExtraSelector) */
  extraSelector?: string;
  customHeaders?: Array<{ key: string; value: string }> | null;
  /** per attempt; Coroot waits up to 5 minutes, a CLI should not */
  timeoutMs?: number;
  /** requests in flight at once (Coroot's updater runs 10) */
  concurrency?: number;
  /** extra attempts after a refused connection or a 502/503/504 */
  retries?: number;
  /** a larger body is refused rather than buffered */
  maxResponseBytes?: number;
}

export const PROMETHEUS_DEFAULTS = {
  timeoutMs: 60_000,
  concurrency: 10,
  retries: 2,
  maxResponseBytes: 512 * 1024 * 1024,
} as const;

/**
 * db.Project.PrometheusConfig: the project's own Prometheus, or else the global one restricted to the
 * project by `{coroot_project_id="<id>"}` (its refresh interval, auth and headers replace the project's).
 */
export function projectPrometheus(project: ProjectRecord, global?: PrometheusIntegration): PrometheusIntegration {
  if (project.prometheus.url !== '' || !global) return project.prometheus;
  return { ...global, extraSelector: `{coroot_project_id="${project.id}"}` };
}

/** The client configuration of a Prometheus integration, plus this tool's own limits. */
export function prometheusConfig(
  integration: PrometheusIntegration, limits: Pick<PrometheusConfig, 'timeoutMs' | 'concurrency' | 'retries' | 'maxResponseBytes'> = {},
): PrometheusConfig {
  return {
    url: integration.url,
    basicAuth: integration.basicAuth,
    tlsSkipVerify: integration.tlsSkipVerify,
    extraSelector: integration.extraSelector,
    customHeaders: integration.customHeaders,
    ...limits,
  };
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);
/** errors raised before the request can have reached Prometheus, or on a dropped connection of a read-only call */
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** connection-level failures that say the server cannot be reached at all, not that one request went wrong */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const SECRET_HEADER = /authorization|cookie|token|secret|key|auth|password/i;

interface RawResponse {
  status: number;
  statusText: string;
  contentType: string;
  body: Buffer;
}

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await f();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One output chunk for the whole body when the gzip trailer's size (ISIZE, the last four bytes) is
 * believable: zlib otherwise fills 16 KiB chunks and copies them all into one buffer at the end. A size
 * deflate cannot reach from this input (over 1032:1) is not trusted. One byte spare, or zlib starts
 * another chunk of that size when the output fills the first exactly.
 */
function gunzipChunkSize(data: Buffer): number {
  const fallback = 64 * 1024;
  if (data.length < 18) return fallback;
  const size = data.readUInt32LE(data.length - 4);
  return size + 1 > fallback && size <= data.length * 1032 ? size + 1 : fallback;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The result of one query_range answer as the cache would return it: allow-listed labels, equal label
 * sets merged with later samples overwriting earlier ones at the same grid point (NaN included), series
 * without any value in the window dropped.
 */
export function parseQueryRangeResult(result: unknown[], labels: ReadonlySet<string>, window: Window): MetricValues[] {
  const n = pointsCount(window);
  const bySignature = new Map<string, { kept: Record<string, string>; values: Float32Array }>();
  for (const item of result) {
    if (!isRecord(item) || !isRecord(item.metric)) continue;
    const kept: Record<string, string> = {};
    let malformed = false;
    for (const [key, value] of Object.entries(item.metric)) {
      if (typeof value !== 'string') {
        malformed = true;
        break;
      }
      if (labels.has(key)) kept[wellFormed(key)] = wellFormed(value);
    }
    if (malformed) continue;
    const signature = JSON.stringify(Object.entries(kept).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let series = bySignature.get(signature);
    if (!series) {
      series = { kept, values: new Float32Array(n).fill(NaN) };
      bySignature.set(signature, series);
    }
    if (!Array.isArray(item.values)) continue;
    for (const point of item.values) {
      if (!Array.isArray(point) || point.length < 2) continue;
      const [ts, raw] = point as [unknown, unknown];
      if (typeof ts !== 'number' || !Number.isFinite(ts) || typeof raw !== 'string') continue;
      const v = parseGoFloat(raw);
      if (v === undefined) continue;
      const t = truncateTime(Math.trunc(ts), window.step);
      if (t < window.from) continue;
      const idx = Math.floor((t - window.from) / window.step);
      if (idx < n) series.values[idx] = Math.fround(v);
    }
  }
  const out: MetricValues[] = [];
  for (const { kept, values } of bySignature.values()) {
    if (hasData(values)) out.push(metricValues(kept, values));
  }
  return out;
}

export class PrometheusSource implements MetricsSource {
  readonly description: string;
  readonly recordingRules = 'absent' as const;
  private readonly endpoint: URL;
  private readonly headers: Record<string, string>;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly semaphore: Semaphore;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxResponseBytes: number;
  private readonly extraSelector: string;
  private readonly closed = new AbortController();
  private readonly labelValues = new LabelValues();
  /** why Prometheus is considered unreachable, once it is */
  private unreachable: string | null = null;
  private lastAnswerAt = 0;

  /**
   * Never throws: a missing or malformed URL makes every query fail with the reason, as Coroot's updater
   * fails on every iteration for such a project.
   */
  constructor(config: PrometheusConfig) {
    let base: URL | undefined;
    let configError: string | null = null;
    if (config.url === '') configError = 'prometheus is not configured';
    else {
      try {
        base = new URL(config.url);
        if (base.protocol !== 'http:' && base.protocol !== 'https:') configError = `unsupported Prometheus URL scheme ${base.protocol}`;
      } catch {
        configError = `invalid Prometheus URL ${redact(config.url)}`;
      }
    }
    if (!base || configError !== null) base = new URL('http://prometheus.invalid');
    const decode = (text: string) => {
      try {
        return decodeURIComponent(text);
      } catch {
        return text;
      }
    };
    const user = config.basicAuth ? config.basicAuth.user : decode(base.username);
    const password = config.basicAuth ? config.basicAuth.password : decode(base.password);
    registerSecret(password);
    registerSecret(base.password);
    base.username = '';
    base.password = '';
    this.description = configError === null ? `Prometheus at ${redact(base.toString())}` : 'Prometheus';
    // path.Join(u.Path, "/api/v1/query_range"), as Coroot builds it
    const path = `${base.pathname.replace(/\/+$/, '')}/api/v1/query_range`;
    this.endpoint = new URL(path, base);
    this.endpoint.search = base.search;
    this.headers = { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Encoding': 'gzip', 'User-Agent': 'coroot-usage' };
    for (const { key, value } of config.customHeaders ?? []) {
      if (SECRET_HEADER.test(key)) {
        registerSecret(value);
        registerSecret(value.replace(/^\S+\s+/, ''));
      }
      const existing = Object.keys(this.headers).find((k) => k.toLowerCase() === key.toLowerCase());
      if (existing && existing.toLowerCase() !== 'content-type') this.headers[existing] = `${this.headers[existing]}, ${value}`;
      else this.headers[key] = value;
    }
    // Go sets basic auth from the URL only when no Authorization header was given
    if ((user !== '' || password !== '') && !Object.keys(this.headers).some((k) => k.toLowerCase() === 'authorization')) {
      const token = Buffer.from(`${user}:${password}`).toString('base64');
      registerSecret(token);
      this.headers.Authorization = `Basic ${token}`;
    }
    const concurrency = Math.max(1, config.concurrency ?? PROMETHEUS_DEFAULTS.concurrency);
    this.agent = base.protocol === 'https:'
      ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency, rejectUnauthorized: !config.tlsSkipVerify })
      : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
    this.semaphore = new Semaphore(concurrency);
    this.timeoutMs = config.timeoutMs ?? PROMETHEUS_DEFAULTS.timeoutMs;
    this.retries = Math.max(0, config.retries ?? PROMETHEUS_DEFAULTS.retries);
    this.maxResponseBytes = config.maxResponseBytes ?? PROMETHEUS_DEFAULTS.maxResponseBytes;
    this.extraSelector = config.extraSelector ?? '';
    this.unreachable = configError;
  }

  async queryRange(query: MetricsQuery, signal?: AbortSignal): Promise<QueryOutcome> {
    if (query.recordingRule) {
      // rr_* series are computed inside Coroot (cache/updater.go processRecordingRules) and never reach Prometheus
      return { metrics: [], warnings: [] };
    }
    const { window } = query;
    let text: string;
    try {
      text = addExtraSelector(substituteRange(query.query, window.step), this.extraSelector);
    } catch (err) {
      throw new MetricsQueryError(`${query.name}: ${redact(err instanceof Error ? err.message : String(err))}`);
    }
    const from = truncateTime(window.from, window.step);
    const to = truncateTime(window.to, window.step);
    const body = new URLSearchParams({ query: text, start: String(from), end: String(to), step: String(window.step) }).toString();
    const aligned: Window = { from, to, step: window.step };
    return this.semaphore.run(async () => {
      const response = await this.send(query.name, body, signal);
      return this.decode(query, response, aligned);
    });
  }

  /**
   * One request with bounded retries. Once Prometheus is known to be unreachable (refused or unresolvable
   * after retries, or a whole timeout passed without any answer to any request), every later query fails
   * at once with that reason instead of waiting out its own timeout.
   */
  private async send(name: string, body: string, outer?: AbortSignal): Promise<RawResponse> {
    const fail = (message: string, cause?: unknown) => new MetricsQueryError(redact(`${name}: ${this.description}: ${message}`), cause);
    const pause = async (attempt: number, cause: unknown) => {
      try {
        await sleep(200 * 2 ** attempt, AbortSignal.any(outer ? [this.closed.signal, outer] : [this.closed.signal]));
      } catch {
        throw fail(this.closed.signal.aborted ? 'source closed' : 'cancelled', cause);
      }
    };
    for (let attempt = 0; ; attempt++) {
      if (this.unreachable !== null) throw fail(this.unreachable);
      const signals = [this.closed.signal, AbortSignal.timeout(this.timeoutMs)];
      if (outer) signals.push(outer);
      const signal = AbortSignal.any(signals);
      const started = Date.now();
      try {
        const response = await this.post(body, signal);
        this.lastAnswerAt = Date.now();
        if (RETRYABLE_STATUS.has(response.status) && attempt < this.retries) {
          await pause(attempt, undefined);
          continue;
        }
        return response;
      } catch (err) {
        if (err instanceof MetricsQueryError) throw err;
        const code = (err as { code?: string }).code;
        if (signal.aborted) {
          if (this.closed.signal.aborted) throw fail('source closed', err);
          if (outer?.aborted) throw fail('cancelled', err);
          const reason = `no answer within ${this.timeoutMs / 1000}s`;
          if (this.lastAnswerAt < started) this.unreachable ??= `${reason} to any request`;
          throw fail(reason, err);
        }
        if (code && RETRYABLE_CODES.has(code) && attempt < this.retries) {
          await pause(attempt, err);
          continue;
        }
        const message = err instanceof Error ? err.message : String(err);
        const reason = `${code && !message.includes(code) ? `${code} ` : ''}${message}`;
        if (code && UNREACHABLE_CODES.has(code)) this.unreachable ??= reason;
        throw fail(reason, err);
      }
    }
  }

  private post(body: string, signal: AbortSignal): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const send = this.endpoint.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(this.endpoint, {
        method: 'POST',
        agent: this.agent,
        headers: { ...this.headers, 'Content-Length': String(Buffer.byteLength(body)) },
        signal,
      }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            res.destroy(new Error(`response larger than ${this.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('connection closed before the response was complete')));
        res.on('end', () => {
          if (!res.complete) {
            reject(new Error('connection closed before the response was complete'));
            return;
          }
          try {
            let data = Buffer.concat(chunks);
            const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
            if (encoding === 'gzip') data = gunzipSync(data, { chunkSize: gunzipChunkSize(data) });
            else if (encoding === 'deflate') data = inflateSync(data);
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              contentType: String(res.headers['content-type'] ?? ''),
              body: data,
            });
          } catch (err) {
            reject(new Error(`undecodable response body: ${err instanceof Error ? err.message : String(err)}`));
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private decode(query: MetricsQuery, response: RawResponse, window: Window): QueryOutcome {
    const fail = (message: string) => new MetricsQueryError(redact(`${query.name}: ${this.description}: ${message}`));
    const warn = (warnings: unknown[]) => warnings.map((w) => redact(`${query.name}: ${String(w)}`));
    if (response.status === 200) {
      const decoded = decodeMatrix(response.body, query.labels, window, this.labelValues);
      if (decoded) return { metrics: decoded.metrics, warnings: warn(decoded.warnings) };
    }
    // anything but the usual answer: JSON.parse decides what it is and words the error
    const text = response.body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.status !== 200) {
      // Coroot reports Prometheus' own error text when the body has one, the status line otherwise
      const error = isRecord(parsed) && typeof parsed.error === 'string' && parsed.error !== '' ? parsed.error : `${response.status} ${response.statusText}`.trim();
      throw fail(error);
    }
    if (parsed === undefined) {
      const what = /html/i.test(response.contentType) || /^\s*</.test(text) ? 'an HTML page' : `invalid JSON (${response.body.length} bytes)`;
      throw fail(`answered with ${what} instead of a query result`);
    }
    if (!isRecord(parsed)) throw fail('answered with something other than a query result');
    if (parsed.status !== 'success') {
      const error = typeof parsed.error === 'string' ? parsed.error : 'status is not "success"';
      throw fail(typeof parsed.errorType === 'string' ? `${parsed.errorType}: ${error}` : error);
    }
    if (!isRecord(parsed.data) || !Array.isArray(parsed.data.result)) throw fail('the answer has no data.result');
    const warnings = Array.isArray(parsed.warnings) ? warn(parsed.warnings) : [];
    return { metrics: parseQueryRangeResult(parsed.data.result, query.labels, window), warnings };
  }

  async close(): Promise<void> {
    this.closed.abort(new Error('source closed'));
    this.agent.destroy();
  }
}
