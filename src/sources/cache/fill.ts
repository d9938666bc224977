/**
 * Coroot's timeseries fill functions (timeseries.FillAny / FillSum / FillAvg): how the points of one
 * chunk, on the chunk's own grid, are written onto the query's grid. They matter when the two grids
 * differ (a step change, a chunk that starts off the query's alignment) and they decide which series a
 * chunk "changes". Integer arithmetic follows Go (truncating division and remainder), sums and averages
 * are float32 at every step, as in Go.
 */
import type { FillFunc } from '../metrics.js';
import { CacheFormatError } from './errors.js';

/** The query's grid, as QueryRange passes it to chunk.Read. */
export interface QueryGrid {
  from: number;
  step: number;
  pointsCount: number;
}

/** Go's int64 `/`: rounds towards zero. */
const div = (a: number, b: number): number => Math.trunc(a / b);
/** timeseries.Time.Truncate: `t - t%d` with Go's remainder (sign of t). */
const truncate = (t: number, d: number): number => t - (t % d);

/**
 * Where a chunk's grid meets the query's: the first source point not older than one target step before
 * the target's start, and the target point it lands in. It depends only on the two grids, so a chunk
 * computes it once for all its series. Go would panic (slice or index out of range) where this throws;
 * a chunk that overlaps the query window never gets there.
 */
export interface FillPlan {
  /** the query's step */
  step: number;
  /** the chunk's step */
  srcStep: number;
  /** points per series in the chunk */
  length: number;
  tSrc: number;
  iSrc: number;
  tDst: number;
  iDst: number;
}

export function planFill(grid: QueryGrid, from: number, step: number, length: number): FillPlan {
  let tSrc = from;
  let iSrc = 0;
  if (grid.from - tSrc >= grid.step) {
    tSrc += truncate(grid.from - truncate(tSrc, grid.step), grid.step);
    if (tSrc > grid.from) tSrc -= grid.step;
    iSrc = div(tSrc - from, step);
  }
  let tDst = grid.from;
  let iDst = 0;
  if (tSrc > tDst) {
    tDst = truncate(tSrc, grid.step);
    if (tDst < tSrc) tDst += grid.step;
    iDst = div(tDst - grid.from, grid.step);
  }
  if (iSrc < 0 || iSrc > length || iDst < 0 || iDst >= grid.pointsCount) {
    throw new CacheFormatError(`chunk grid (from ${from}, step ${step}) does not meet the query grid (from ${grid.from}, step ${grid.step})`);
  }
  return { step: grid.step, srcStep: step, length, tSrc, iSrc, tDst, iDst };
}

/**
 * A fill function: writes one series of a chunk, `src[start]` to `src[start + plan.length - 1]`, onto
 * `out`, the series' points on the query grid, and tells whether the chunk changes the series (has a
 * non-NaN value in range). `src` is usually a whole decoded block, so no view is made per series.
 */
export type FillFn = (plan: FillPlan, out: Float32Array, src: Float32Array, start: number) => boolean;

/** FillAny: each target point takes the last non-NaN source value of its step, NaN when there is none. */
export function fillAny(plan: FillPlan, out: Float32Array, src: Float32Array, start: number): boolean {
  if (plan.step === plan.srcStep && plan.tSrc === plan.tDst) return copyAligned(plan, out, src, start);
  const maxIndex = out.length - 1;
  const { step, srcStep } = plan;
  const end = start + plan.length;
  let { tSrc, tDst, iDst } = plan;
  let changed = false;
  let vv = NaN;
  for (let i = start + plan.iSrc; i < end; i++) {
    const v = src[i]!;
    if (tSrc > tDst) {
      out[iDst] = vv;
      vv = NaN;
      iDst++;
      if (iDst > maxIndex) break;
      tDst += step;
    }
    if (!Number.isNaN(v)) {
      vv = v;
      changed = true;
    }
    tSrc += srcStep;
  }
  if (iDst <= maxIndex) out[iDst] = vv;
  return changed;
}

/**
 * FillAny on the same step with the points lined up (nearly every chunk): every source point is one
 * target point. What the general loop does then, without its clock: points are copied until either
 * grid ends, and a chunk with no point in range still blanks the point it starts at. A NaN is copied
 * as it is: its bits may differ from the general loop's, but it reads as NaN all the same.
 */
function copyAligned(plan: FillPlan, out: Float32Array, src: Float32Array, start: number): boolean {
  const from = start + plan.iSrc;
  const to = plan.iDst;
  const n = Math.min(plan.length - plan.iSrc, out.length - to);
  if (n === 0) {
    out[to] = NaN;
    return false;
  }
  let k = 0;
  // a gap in a series is rare: scan to the first value while copying, then copy without looking
  for (; k < n; k++) {
    const v = src[from + k]!;
    out[to + k] = v;
    if (!Number.isNaN(v)) break;
  }
  if (k === n) return false;
  for (k++; k < n; k++) out[to + k] = src[from + k]!;
  return true;
}

/**
 * FillSum: each target point gets the float32 sum of the non-NaN source values of its step (0 when
 * all are NaN); only the first target point starts from the value already there.
 */
export function fillSum(plan: FillPlan, out: Float32Array, src: Float32Array, start: number): boolean {
  const maxIndex = out.length - 1;
  const { step, srcStep } = plan;
  const end = start + plan.length;
  let { tSrc, tDst, iDst } = plan;
  let changed = false;
  let vv = Number.isNaN(out[iDst]!) ? 0 : out[iDst]!;
  for (let i = start + plan.iSrc; i < end; i++) {
    const v = src[i]!;
    if (tSrc > tDst) {
      out[iDst] = vv;
      vv = 0;
      iDst++;
      if (iDst > maxIndex) break;
      tDst += step;
    }
    if (!Number.isNaN(v)) {
      vv = Math.fround(vv + v);
      changed = true;
    }
    tSrc += srcStep;
  }
  if (iDst <= maxIndex) out[iDst] = vv;
  return changed;
}

/**
 * FillAvg: each target point gets the float32 mean of the non-NaN source values of its step and keeps
 * its old value when there is none; the first target point counts its old value as one sample.
 */
export function fillAvg(plan: FillPlan, out: Float32Array, src: Float32Array, start: number): boolean {
  const maxIndex = out.length - 1;
  const { step, srcStep } = plan;
  const end = start + plan.length;
  let { tSrc, tDst, iDst } = plan;
  let changed = false;
  let vv = 0;
  let cc = 0;
  if (!Number.isNaN(out[iDst]!)) {
    vv = out[iDst]!;
    cc = 1;
  }
  for (let i = start + plan.iSrc; i < end; i++) {
    const v = src[i]!;
    if (tSrc > tDst) {
      if (cc > 0) out[iDst] = Math.fround(vv / cc);
      vv = 0;
      cc = 0;
      iDst++;
      if (iDst > maxIndex) break;
      tDst += step;
    }
    if (!Number.isNaN(v)) {
      vv = Math.fround(vv + v);
      cc = Math.fround(cc + 1);
      changed = true;
    }
    tSrc += srcStep;
  }
  if (iDst <= maxIndex && cc > 0) out[iDst] = Math.fround(vv / cc);
  return changed;
}

export const FILL_FUNCS: Readonly<Record<FillFunc, FillFn>> = { any: fillAny, sum: fillSum, avg: fillAvg };
