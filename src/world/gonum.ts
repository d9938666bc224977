/** Go's numeric conversions where JS differs. */

export const MIN_INT64 = -(2 ** 63);

/**
 * int64(float) as Go on amd64 converts it: truncation towards zero, and the "integer indefinite"
 * minimum for values int64 cannot hold (+Inf and NaN included).
 */
export function goInt(f: number): number {
  return f < 2 ** 63 && f > -(2 ** 63) ? Math.trunc(f) : MIN_INT64;
}
