/**
 * The few timeseries operations the world uses, with Coroot's semantics (timeseries/timeseries.go,
 * timeseries/funcs.go, model/utils.go). A series is a Float32Array on the world grid, or null for Go's
 * nil *TimeSeries; every point of the grid is at `from + i·step`.
 */
import type { Window } from '../sources/metrics.js';

export type Series = Float32Array | null;

/** TimeSeries.Last: the final grid point, NaN included; NaN for a nil series. */
export function last(ts: Series): number {
  if (!ts || ts.length === 0) return NaN;
  return ts[ts.length - 1]!;
}

/**
 * TimeSeries.LastNotNull: time and value of the last non-NaN point. A series without one gives (0, 0),
 * not NaN: Go returns the zero values it started with.
 */
export function lastNotNull(ts: Series, window: Window): { t: number; v: number } {
  if (!ts) return { t: 0, v: NaN };
  for (let i = ts.length - 1; i >= 0; i--) {
    const v = ts[i]!;
    if (!Number.isNaN(v)) return { t: window.from + i * window.step, v };
  }
  return { t: 0, v: 0 };
}

/**
 * constructor.merge(dest, ts, timeseries.Any): the first series wins where it has a value. The result
 * is a new series unless one side is nil, as Aggregate.Get returns its single input unchanged.
 */
export function mergeAny(dest: Series, ts: Series): Series {
  if (!dest) return ts;
  if (!ts) return dest;
  const out = new Float32Array(dest.length);
  for (let i = 0; i < out.length; i++) {
    const a = dest[i]!;
    out[i] = Number.isNaN(a) ? (i < ts.length ? ts[i]! : NaN) : a;
  }
  return out;
}

/**
 * model.LabelLastValue: a label value that follows the series with the newest sample. Ties go to the
 * series updated later.
 */
export class LabelLastValue {
  private v = '';
  private t = 0;

  value(): string {
    return this.v;
  }

  update(ts: Series, value: string, window: Window): void {
    const { t, v } = lastNotNull(ts, window);
    if (t < this.t || Number.isNaN(v)) return;
    this.v = value;
    this.t = t;
  }
}
