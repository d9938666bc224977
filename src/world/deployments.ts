/**
 * Application deployments as the stats read them (model/application_deployment.go): the DB rows attached
 * to world applications (constructor.loadApplicationDeployments), their statuses, and the summary of a
 * deployment with a metrics snapshot. All summary arithmetic is float32, rounded after every operation as
 * Go does on amd64; only the report keys and ok flags matter to the payload, so messages are not built.
 */
import { type ApplicationId, parseApplicationId } from '../model/application-id.js';
import { decodeInto, GoJsonError, parseGoDuration, parseGoJson, type GoDecodeType, type JsonNode } from '../encoding/godecode.js';
import type { ApplicationDeploymentRecord } from '../sources/database/records.js';
import type { Application, Applications } from './applications.js';
import { type CheckConfigs, getAvailabilityObjective, getLatencyObjective, getSimpleThreshold } from './check-configs.js';
import { goInt } from './gonum.js';

export interface MetricsSnapshot {
  requests: number;
  errors: number;
  /** "le" → cumulative count, in the JSON's order; null when absent */
  latency: Map<string, number> | null;
  restarts: number;
  cpuUsage: number;
  memoryLeakPercent: number;
  memoryUsage: number;
  oomKills: number;
  logErrors: number;
}

export interface ApplicationDeployment {
  startedAt: number;
  /** 0: not finished */
  finishedAt: number;
  snapshot: MetricsSnapshot | null;
}

export type DeploymentState = 'InProgress' | 'Stuck' | 'Cancelled' | 'Deployed' | 'Summary';
export type AuditReport = 'SLO' | 'CPU' | 'Memory' | 'Instances' | 'Logs';

export interface DeploymentSummaryEntry {
  report: AuditReport;
  ok: boolean;
}

export interface DeploymentStatus {
  deployment: ApplicationDeployment;
  state: DeploymentState;
  summary: DeploymentSummaryEntry[];
}

const f32 = Math.fround;
/** significantPercentageDifference */
const SIGNIFICANT_PERCENT = 5;

// ---------------------------------------------------------------------------------------------- snapshot JSON

const INT: GoDecodeType = { kind: 'int' };
const FLOAT32: GoDecodeType = { kind: 'float32' };
type NumericField = Exclude<keyof MetricsSnapshot, 'latency'>;
const NUMERIC_FIELDS: Readonly<Record<string, [NumericField, GoDecodeType]>> = {
  requests: ['requests', INT], errors: ['errors', INT], restarts: ['restarts', INT], cpu_usage: ['cpuUsage', FLOAT32],
  memory_leak_percent: ['memoryLeakPercent', FLOAT32], memory_usage: ['memoryUsage', INT], oom_kills: ['oomKills', INT],
  log_errors: ['logErrors', INT],
};
/** every key of model.MetricsSnapshot, for Go's case-insensitive field matching */
const SNAPSHOT_KEYS = ['timestamp', 'duration', 'requests', 'errors', 'latency', 'restarts', 'cpu_usage', 'memory_leak_percent', 'memory_usage', 'oom_kills', 'log_errors', 'log_warnings'];

function fieldOf(key: string): string | undefined {
  if (SNAPSHOT_KEYS.includes(key)) return key;
  const folded = key.toLowerCase();
  return SNAPSHOT_KEYS.find((k) => k === folded);
}

function isInt64(node: JsonNode): boolean {
  return node.t === 'number' && /^-?\d+$/.test(node.raw) && BigInt(node.raw) >= -(2n ** 63n) && BigInt(node.raw) < 2n ** 63n;
}

/** timeseries.Time / Duration UnmarshalJSON accept these; anything else is an error that stops the decode */
function timeFieldOk(field: 'timestamp' | 'duration', node: JsonNode): boolean {
  if (node.t === 'null' || isInt64(node)) return true;
  return field === 'duration' && node.t === 'string' && parseGoDuration(node.v) !== undefined;
}

function decodeOr(node: JsonNode, type: GoDecodeType, current: number): number {
  try {
    return decodeInto(node, type, '', current) as number;
  } catch (err) {
    if (err instanceof GoJsonError) return current;
    throw err;
  }
}

/** a JSON object into map[string]int64: an entry of the wrong type is still set, to 0 */
function decodeLatency(node: JsonNode, current: Map<string, number> | null): Map<string, number> | null {
  if (node.t === 'null') return null;
  if (node.t !== 'object') return current;
  const out = current ?? new Map<string, number>();
  for (const [le, value] of node.entries) out.set(le, value.t === 'null' ? 0 : decodeOr(value, INT, 0));
  return out;
}

/**
 * db.unmarshal into *MetricsSnapshot: an empty (or NULL) column gives none; any other text gives a
 * snapshot, zero-valued where Go could not decode. Go skips fields of the wrong type and goes on, but a
 * bad timestamp or duration (custom unmarshalers) stops the decode there; invalid JSON decodes nothing.
 */
export function decodeMetricsSnapshot(text: string | null): MetricsSnapshot | null {
  if (text === null || text === '') return null;
  const s: MetricsSnapshot = {
    requests: 0, errors: 0, latency: null, restarts: 0, cpuUsage: 0, memoryLeakPercent: 0, memoryUsage: 0, oomKills: 0, logErrors: 0,
  };
  let node: JsonNode;
  try {
    node = parseGoJson(text);
  } catch (err) {
    if (err instanceof GoJsonError) return s;
    throw err;
  }
  if (node.t !== 'object') return s;
  for (const [key, value] of node.entries) {
    const field = fieldOf(key);
    if (field === undefined) continue;
    if (field === 'timestamp' || field === 'duration') {
      if (!timeFieldOk(field, value)) break;
    } else if (field === 'latency') {
      s.latency = decodeLatency(value, s.latency);
    } else if (field !== 'log_warnings') { // not read by the summary; a bad value only sets Go's error
      const [name, type] = NUMERIC_FIELDS[field]!;
      s[name] = decodeOr(value, type, s[name]);
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------- attaching

/**
 * loadApplicationDeployments: rows grouped by their id scanned without a fallback cluster (so legacy
 * 3-part ids never match), in row order, attached to the world app with exactly that id. One id that
 * does not scan fails GetApplicationDeployments, and Coroot then attaches nothing: returned as the reason.
 */
export function attachDeployments(apps: Applications, rows: readonly ApplicationDeploymentRecord[]): string | null {
  const byApp = new Map<string, { id: ApplicationId; list: ApplicationDeployment[] }>();
  for (const row of rows) {
    const id = parseApplicationId(row.applicationId, '');
    if (!id) return `invalid application id in application_deployment: ${JSON.stringify(row.applicationId)}; Coroot attaches no deployment`;
    const key = `${id.clusterId}\u0000${id.namespace}\u0000${id.kind}\u0000${id.name}`;
    let group = byApp.get(key);
    if (!group) byApp.set(key, (group = { id, list: [] }));
    group.list.push({ startedAt: row.startedAt, finishedAt: row.finishedAt, snapshot: decodeMetricsSnapshot(row.metricsSnapshot) });
  }
  for (const { id, list } of byApp.values()) {
    const app = apps.get(id);
    if (app) app.deployments = list;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------- summary

/** strconv.ParseFloat(s, 32) succeeding: decimal and hex floats, inf/infinity/nan; out of range fails. */
export function parseGoFloat32(s: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  let value: number;
  const hex = /^([+-]?)0[xX]([\da-fA-F_]*)(?:\.([\da-fA-F_]*))?[pP]([+-]?[\d_]+)$/.exec(s);
  if (hex) {
    const [, sign, int = '', frac = '', exp] = hex;
    const digits = (int + frac).replace(/_/g, '');
    if (digits === '') return undefined;
    value = (sign === '-' ? -1 : 1) * Number.parseInt(digits, 16) * 2 ** (Number(exp!.replace(/_/g, '')) - 4 * frac.replace(/_/g, '').length);
  } else {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
    value = Number(s);
  }
  const rounded = f32(value);
  return Number.isFinite(rounded) ? rounded : undefined;
}

/** getFastRequestsCount: the count of the largest bucket with le <= objective, NaN when there is none */
export function getFastRequestsCount(histogram: Map<string, number> | null, objectiveBucket: number): number {
  const buckets: Array<{ le: number; count: number }> = [];
  for (const [key, count] of histogram ?? []) {
    const le = parseGoFloat32(key);
    if (le !== undefined) buckets.push({ le, count });
  }
  buckets.sort((a, b) => a.le - b.le);
  let res = NaN;
  for (const b of buckets) {
    if (!(b.le <= objectiveBucket)) break;
    res = f32(b.count);
  }
  return res;
}

/** float32(x) * 100 / float32(total), as the percentage expressions compute it */
const percentOf = (x: number, total: number): number => f32(f32(f32(x) * 100) / f32(total));
/** (curr - prev) * 100 / prev in float32 */
const diffPercent = (curr: number, prev: number): number => f32(f32(f32(curr - prev) * 100) / prev);
const significant = (diff: number): boolean => f32(Math.abs(diff)) > SIGNIFICANT_PERCENT;

/** CalcApplicationDeploymentSummary, report and ok of each entry in emission order */
export function calcDeploymentSummary(app: Application, cc: CheckConfigs, curr: MetricsSnapshot, prev: MetricsSnapshot | null): DeploymentSummaryEntry[] {
  const res: DeploymentSummaryEntry[] = [];
  const add = (report: AuditReport, ok: boolean) => res.push({ report, ok });
  const availability = getAvailabilityObjective(cc, app.id);
  const latency = getLatencyObjective(cc, app.id, app.category);

  if (curr.requests > 0) {
    if (percentOf(curr.requests - curr.errors, curr.requests) < availability) add('SLO', false);
    else if (prev && prev.requests > 0 && percentOf(prev.requests - prev.errors, prev.requests) < availability) add('SLO', true);
  }

  const fast = getFastRequestsCount(curr.latency, latency.bucket);
  if (!Number.isNaN(fast)) {
    // no requests > 0 guard in Coroot: 0 requests give NaN or +Inf, and neither is below the objective
    if (percentOf(fast, curr.requests) < latency.objective) add('SLO', false);
    else if (prev) {
      const fastPrev = getFastRequestsCount(prev.latency, latency.bucket);
      if (!Number.isNaN(fastPrev) && percentOf(fastPrev, prev.requests) < latency.objective) add('SLO', true);
    }
  }

  if (prev && curr.requests > 0 && prev.requests > 0 && curr.cpuUsage > 0 && prev.cpuUsage > 0) {
    const diff = diffPercent(f32(curr.cpuUsage / f32(curr.requests)), f32(prev.cpuUsage / f32(prev.requests)));
    if (significant(diff)) add('CPU', diff < 0);
  }

  if (curr.oomKills > 0) add('Memory', false);
  if (prev && curr.memoryUsage > 0 && prev.memoryUsage > 0) {
    const diff = f32(f32(f32(curr.memoryUsage - prev.memoryUsage) * 100) / f32(prev.memoryUsage));
    if (significant(diff)) add('Memory', diff < 0);
  }
  if (curr.memoryLeakPercent > SIGNIFICANT_PERCENT) add('Memory', false);
  else if (prev && prev.memoryLeakPercent > SIGNIFICANT_PERCENT) add('Memory', true);

  if (curr.restarts - curr.oomKills > 0) add('Instances', false);

  if (curr.logErrors > 0) {
    if (!prev || prev.logErrors === 0) add('Logs', false);
    else if (prev.logErrors > 0 && curr.requests > 0 && prev.requests > 0) {
      const diff = diffPercent(f32(f32(curr.logErrors) / f32(curr.requests)), f32(f32(prev.logErrors) / f32(prev.requests)));
      if (significant(diff)) add('Logs', diff < 0);
    }
  }
  return res;
}

/** CalcApplicationDeploymentStatuses at `now` (seconds) */
export function calcDeploymentStatuses(app: Application, cc: CheckConfigs, now: number): DeploymentStatus[] {
  // timeseries.Duration(float32): whole seconds
  const stuckAfter = goInt(getSimpleThreshold(cc, 'DeploymentStatus', app.id));
  const list = app.deployments;
  return list.map((d, i): DeploymentStatus => {
    if (d.snapshot) {
      let prev: MetricsSnapshot | null = null;
      for (let j = i - 1; j >= 0 && !prev; j--) prev = list[j]!.snapshot;
      return { deployment: d, state: 'Summary', summary: calcDeploymentSummary(app, cc, d.snapshot, prev) };
    }
    const last = i === list.length - 1;
    const state: DeploymentState = d.finishedAt !== 0 ? 'Deployed' : !last ? 'Cancelled' : now - d.startedAt > stuckAfter ? 'Stuck' : 'InProgress';
    return { deployment: d, state, summary: [] };
  });
}

/** The stats loop's part for one application: rollouts started at most an hour ago, and their summary keys. */
export function countRecentDeployments(app: Application, cc: CheckConfigs, now: number, out: { deployments: number; summaries: Record<string, number> }): void {
  for (const ds of calcDeploymentStatuses(app, cc, now)) {
    if (now - ds.deployment.startedAt > 3600) continue;
    out.deployments++;
    for (const s of ds.summary) {
      const key = (s.ok ? '+' : '-') + s.report;
      out.summaries[key] = (out.summaries[key] ?? 0) + 1;
    }
  }
}
