/**
 * Where the world's metrics come from, independent of the store: Prometheus' HTTP API today, Coroot's
 * on-disk metrics cache later. Both answer the same question Coroot's constructor asks its cache
 * (constructor.Cache.QueryRange): one named query over one window, as labelled float32 series on
 * Coroot's timeseries grid, labels already cut down to the query's allow-list.
 */

/** Unix seconds; `to` is included, so a window has (to - from) / step + 1 points. */
export interface Window {
  from: number;
  to: number;
  step: number;
}

export function pointsCount(window: Window): number {
  return Math.floor((window.to - window.from) / window.step) + 1;
}

/** timeseries.Time.Truncate: Go's `t - t%d`, which rounds towards zero for negative t too. */
export function truncateTime(t: number, step: number): number {
  return t - (t % step);
}

/**
 * The six labels Coroot's cache keeps outside the label map (cache/chunk/v4.go readLabelsV4,
 * model/labels.go), so that node and container ids are fields, as the constructor reads them.
 */
export const LabelMachineId = 'machine_id';
export const LabelSystemUuid = 'system_uuid';
export const LabelContainerId = 'container_id';
export const LabelDestination = 'destination';
export const LabelDestinationIP = 'destination_ip';
export const LabelActualDestination = 'actual_destination';

export const DEFAULT_LABELS: readonly string[] = [
  LabelMachineId, LabelSystemUuid, LabelContainerId, LabelDestination, LabelDestinationIP, LabelActualDestination,
];

/** model.MetricValues as the constructor sees it after a cache read. */
export interface MetricValues {
  /** the kept labels other than the six special ones; empty values are never stored */
  labels: Record<string, string>;
  machineId: string;
  systemUuid: string;
  containerId: string;
  destination: string;
  actualDestination: string;
  /** destination came from `destination_ip` */
  destIp: boolean;
  /** one float32 per grid point, NaN where there is no sample */
  values: Float32Array;
}

/**
 * The constructor of label maps. Their prototype has no properties at all, so a label called
 * `__proto__`, `constructor` or `toString` (possible in a crafted cache) is an ordinary key, as with
 * Object.create(null); unlike Object.create(null), whose objects start as hash tables, objects built by a
 * constructor keep their first labels in-object: a large cluster has hundreds of thousands of label maps,
 * and one object each instead of two halves what young-generation collections copy.
 */
const LabelMap = function LabelMap() {} as unknown as new () => Record<string, string>;
LabelMap.prototype = Object.create(null) as object;

/** an empty label map (see LabelMap) */
export function newLabelMap(): Record<string, string> {
  return new LabelMap();
}

/**
 * The label map of every cache series that has no ordinary label yet (container and node series have
 * only the special ones): frozen, so that a write that forgot to make the series its own map fails.
 */
export const NO_LABELS: Readonly<Record<string, string>> = Object.freeze(new LabelMap());

/** Resolves on the event loop's next turn: synchronous chunk reads and world stages let answers, timers and aborts in between. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** timeseries.FillFunc names; they only differ when a cache chunk's step differs from the world's. */
export type FillFunc = 'any' | 'avg' | 'sum';

export interface MetricsQuery {
  /** the key of the query in the constructor's result map (e.g. "node_info", "rr_connection_l7_requests_raw") */
  name: string;
  /** the PromQL sent to Prometheus (with $RANGE), or the recording-rule name */
  query: string;
  /** labels to keep; every other label, __name__ included, is dropped and equal series merge */
  labels: ReadonlySet<string>;
  /** true for Coroot's rr_* recording rules: computed by Coroot, never stored in Prometheus */
  recordingRule: boolean;
  fill: FillFunc;
  window: Window;
}

/** A query that did not produce a result: recorded as `failed: true`, never thrown past the loader. */
export class MetricsQueryError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message);
    this.name = 'MetricsQueryError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

export interface QueryOutcome {
  metrics: MetricValues[];
  /** non-fatal remarks from the store, e.g. Prometheus `warnings` (Coroot ignores them) */
  warnings: string[];
}

export interface MetricsSource {
  /** where the metrics come from, without credentials, for messages */
  readonly description: string;
  /**
   * Whether the store holds Coroot's rr_* recording-rule series. "absent" (Prometheus): the world loader
   * rebuilds the rr_connection_* rules itself. Unset means "stored" (Coroot's cache), read as they are.
   */
  readonly recordingRules?: 'stored' | 'absent';
  /**
   * Runs one query. Resolves with the series, or rejects with MetricsQueryError; never hangs past the
   * source's own timeout. `signal` aborts it early.
   */
  queryRange(query: MetricsQuery, signal?: AbortSignal): Promise<QueryOutcome>;
  close(): Promise<void>;
}

/**
 * Builds MetricValues from one raw label set, the way the cache stores and reads a series: labels outside
 * the allow-list and empty values are dropped, the six special labels become fields.
 */
export function splitLabels(kept: Record<string, string>): Omit<MetricValues, 'values'> {
  const mv: Omit<MetricValues, 'values'> = {
    labels: {}, machineId: '', systemUuid: '', containerId: '', destination: '', actualDestination: '', destIp: false,
  };
  // destination_ip wins over destination whatever the order, so the outcome does not depend on key order
  let destinationIp = '';
  // for-in enumerates a plain object's own keys in Object.entries' order without an array per label
  for (const key in kept) {
    const value = kept[key]!;
    if (value === '') continue;
    switch (key) {
      case LabelMachineId: mv.machineId = value; break;
      case LabelSystemUuid: mv.systemUuid = value; break;
      case LabelContainerId: mv.containerId = value; break;
      case LabelDestination: mv.destination = value; break;
      case LabelActualDestination: mv.actualDestination = value; break;
      case LabelDestinationIP: destinationIp = value; break;
      default: mv.labels[key] = value;
    }
  }
  if (destinationIp !== '') {
    mv.destination = destinationIp;
    mv.destIp = true;
  }
  return mv;
}

/**
 * splitLabels with the values, as one object literal: a spread into a new object is slow at a hundred
 * thousand series, and series built here all share one shape.
 */
export function metricValues(kept: Record<string, string>, values: Float32Array): MetricValues {
  const { labels, machineId, systemUuid, containerId, destination, actualDestination, destIp } = splitLabels(kept);
  return { labels, machineId, systemUuid, containerId, destination, actualDestination, destIp, values };
}

export function hasData(values: Float32Array): boolean {
  for (const v of values) if (!Number.isNaN(v)) return true;
  return false;
}
