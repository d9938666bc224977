/**
 * Coroot's timeseries fill functions (timeseries.FillAny / FillSum / FillAvg): how the points of one
 * chunk, on the chunk's own grid, are written onto the query's grid. They matter when the two grids
 * differ (a step change, a chunk that starts off the query's alignment) and they decide which series a
 * chunk "changes". Integer arithmetic follows Go (truncating division and remainder), sums and averages
 * are float32 at every step, as in Go.
 */
import type { FillFunc } from '../metrics.js';
import { CacheFormatError } from './errors.js';

/** The query's series being filled: `from` and `step` of its grid, one float32 per point. */
export interface Target {
  from: number;
  step: number;
  data: Float32Array;
}

/** Go's int64 `/`: rounds towards zero. */
const div = (a: number, b: number): number => Math.trunc(a / b);
/** timeseries.Time.Truncate: `t - t%d` with Go's remainder (sign of t). */
const truncate = (t: number, d: number): number => t - (t % d);

interface Alignment {
  tSrc: number;
  iSrc: number;
  tDst: number;
  iDst: number;
}

/**
 * Where the two grids meet: the first source point not older than one target step before the target's
 * start, and the target point it lands in. Go would panic (slice or index out of range) where this
 * throws; a chunk that overlaps the query window never gets there.
 */
function align(ts: Target, from: number, step: number, length: number): Alignment {
  let tSrc = from;
  let iSrc = 0;
  if (ts.from - tSrc >= ts.step) {
    tSrc += truncate(ts.from - truncate(tSrc, ts.step), ts.step);
    if (tSrc > ts.from) tSrc -= ts.step;
    iSrc = div(tSrc - from, step);
  }
  let tDst = ts.from;
  let iDst = 0;
  if (tSrc > tDst) {
    tDst = truncate(tSrc, ts.step);
    if (tDst < tSrc) tDst += ts.step;
    iDst = div(tDst - ts.from, ts.step);
  }
  if (iSrc < 0 || iSrc > length || iDst < 0 || iDst >= ts.data.length) {
    throw new CacheFormatError(`chunk grid (from ${from}, step ${step}) does not meet the query grid (from ${ts.from}, step ${ts.step})`);
  }
  return { tSrc, iSrc, tDst, iDst };
}

/** FillAny: each target point takes the last non-NaN source value of its step, NaN when there is none. */
export function fillAny(ts: Target, from: number, step: number, src: Float32Array): boolean {
  const out = ts.data;
  const maxIndex = out.length - 1;
  const a = align(ts, from, step, src.length);
  let { tSrc, tDst, iDst } = a;
  let changed = false;
  let vv = NaN;
  for (let i = a.iSrc; i < src.length; i++) {
    const v = src[i]!;
    if (tSrc > tDst) {
      out[iDst] = vv;
      vv = NaN;
      iDst++;
      if (iDst > maxIndex) break;
      tDst += ts.step;
    }
    if (!Number.isNaN(v)) {
      vv = v;
      changed = true;
    }
    tSrc += step;
  }
  if (iDst <= maxIndex) out[iDst] = vv;
  return changed;
}

/**
 * FillSum: each target point gets the float32 sum of the non-NaN source values of its step (0 when
 * all are NaN); only the first target point starts from the value already there.
 */
export function fillSum(ts: Target, from: number, step: number, src: Float32Array): boolean {
  const out = ts.data;
  const maxIndex = out.length - 1;
  const a = align(ts, from, step, src.length);
  let { tSrc, tDst, iDst } = a;
  let changed = false;
  let vv = Number.isNaN(out[iDst]!) ? 0 : out[iDst]!;
  for (let i = a.iSrc; i < src.length; i++) {
    const v = src[i]!;
    if (tSrc > tDst) {
      out[iDst] = vv;
      vv = 0;
      iDst++;
      if (iDst > maxIndex) break;
      tDst += ts.step;
    }
    if (!Number.isNaN(v)) {
      vv = Math.fround(vv + v);
      changed = true;
    }
    tSrc += step;
  }
  if (iDst <= maxIndex) out[iDst] = vv;
  return changed;
}

/**
 * FillAvg: each target point gets the float32 mean of the non-NaN source values of its step and keeps
 * its old value when there is none; the first target point counts its old value as one sample.
 */
export function fillAvg(ts: Target, from: number, step: number, src: Float32Array): boolean {
  const out = ts.data;
  const maxIndex = out.length - 1;
  const a = align(ts, from, step, src.length);
  let { tSrc, tDst, iDst } = a;
  let changed = false;
  let vv = 0;
  let cc = 0;
  if (!Number.isNaN(out[iDst]!)) {
    vv = out[iDst]!;
    cc = 1;
  }
  for (let i = a.iSrc; i < src.length; i++) {
    const v = src[i]!;
    if (tSrc > tDst) {
      if (cc > 0) out[iDst] = Math.fround(vv / cc);
      vv = 0;
      cc = 0;
      iDst++;
      if (iDst > maxIndex) break;
      tDst += ts.step;
    }
    if (!Number.isNaN(v)) {
      vv = Math.fround(vv + v);
      cc = Math.fround(cc + 1);
      changed = true;
    }
    tSrc += step;
  }
  if (iDst <= maxIndex && cc > 0) out[iDst] = Math.fround(vv / cc);
  return changed;
}

export type FillFn = (ts: Target, from: number, step: number, src: Float32Array) => boolean;

export const FILL_FUNCS: Readonly<Record<FillFunc, FillFn>> = { any: fillAny, sum: fillSum, avg: fillAvg };
