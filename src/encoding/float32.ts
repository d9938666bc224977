/**
 * What Go's encoding/json writes for a float32: strconv.AppendFloat(f, 'f' or 'e', -1, 32) with the
 * encoder's switch to 'e' below float32(1e-6) and from float32(1e21) up, and its "e-07" → "e-7" cleanup.
 *
 * The digits are the shortest decimal that lies inside the float32 rounding interval of the value
 * (bounds included only when the binary mantissa is even, as a float32 parser rounds ties to even;
 * the lower half-gap is halved at a power of two). When several such decimals have the minimal
 * number of digits, the one nearest to the exact binary value wins, exact ties going to the even
 * digit. That is what Go's Ryu-based shortest mode produces, and the test compares it with Go itself
 * on several hundred thousand bit patterns.
 *
 * How it stays exact without big numbers most of the time: the interval bounds and the value are
 * M·2^E with M < 2^26, so they are exact doubles. We scale them by 10^j (j ≤ 22, an exact double)
 * into [1, 2^31), where an error-free product (Veltkamp split + TwoSum) gives each scaled quantity
 * exactly as hi + lo; floor and the position of the fraction relative to 1/2 follow exactly from
 * hi and the sign of lo. From then on everything is small-integer arithmetic on doubles. Values
 * outside that range (below ~2^-49, above 2^49, subnormals) take a BigInt path with the same logic.
 */

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

const F32_1E_6 = Math.fround(1e-6);
const F32_1E21 = Math.fround(1e21);
const TWO_POW_50 = 2 ** 50;

/** Fraction classes of a scaled quantity x relative to floor(x). */
const FRAC_ZERO = 0;
const FRAC_BELOW_HALF = 1;
const FRAC_HALF = 2;
const FRAC_ABOVE_HALF = 3;

/** 10^j for j = 0..22 are exact doubles; beyond that they are not, which bounds the fast path. */
const MAX_FAST_POW10 = 22;
const POW10: number[] = [];
const POW10_HI: number[] = [];
const POW10_LO: number[] = [];
/** 2^k for k in [-POW2_BIAS, POW2_BIAS], read from a table because ** compiles to a Math.pow call. */
const POW2_BIAS = 160;
const POW2: number[] = [];
/** For s = -E: the smallest j with 10^j ≥ 2^s, so that the scaled unit 2^E·10^j lies in [1, 10). */
const SCALE_FOR_SHIFT: number[] = [];

(function initTables(): void {
  let p = 1;
  for (let j = 0; j <= MAX_FAST_POW10; j++) {
    POW10.push(p);
    // Veltkamp split: hi keeps the top 26 bits, so hi·Q and lo·Q are exact for any Q of ≤ 26 bits.
    const c = 134217729 * p;
    const hi = c - (c - p);
    POW10_HI.push(hi);
    POW10_LO.push(p - hi);
    p *= 10;
  }
  for (let k = -POW2_BIAS; k <= POW2_BIAS; k++) POW2.push(2 ** k);
  let j = 0n;
  let pow = 1n;
  for (let s = 0n; s <= 160n; s++) {
    const two = 1n << s;
    while (pow < two) {
      pow *= 10n;
      j++;
    }
    SCALE_FOR_SHIFT.push(Number(j));
  }
})();

/**
 * floor(x)·4 + fraction class of x = (hi + lo), where hi + lo is exact, |lo| ≤ ulp(hi)/2 and
 * 1 ≤ hi < 2^31 (so ulp(hi) ≤ 2^-22 and integers near hi are exact doubles). Packed into one number
 * so the hot path allocates nothing; the result stays below 2^33.
 */
function classifyExact(hi: number, lo: number): number {
  const f = Math.floor(hi);
  if (f === hi) {
    if (lo === 0) return f * 4 + FRAC_ZERO;
    return lo > 0 ? f * 4 + FRAC_BELOW_HALF : (f - 1) * 4 + FRAC_ABOVE_HALF;
  }
  // hi - f and hi - f - 0.5 are exact (multiples of ulp(hi), below 1); any nonzero one dwarfs lo.
  const d = hi - f - 0.5;
  if (d > 0 || (d === 0 && lo > 0)) return f * 4 + FRAC_ABOVE_HALF;
  if (d < 0 || lo < 0) return f * 4 + FRAC_BELOW_HALF;
  return f * 4 + FRAC_HALF;
}

/** Exact M·2^E·10^j for j ≤ 22 and M < 2^26, classified. */
function scaleFast(m: number, pow2: number, j: number): number {
  const q = m * pow2;
  const a = q * POW10_HI[j]!;
  const b = q * POW10_LO[j]!;
  const s = a + b;
  const bb = s - a;
  const err = a - (s - bb) + (b - bb);
  return classifyExact(s, err);
}

function classifyRemainder(floor: bigint, rem: bigint, divisor: bigint): number {
  const f = Number(floor) * 4;
  if (rem === 0n) return f + FRAC_ZERO;
  const twice = rem * 2n;
  if (twice < divisor) return f + FRAC_BELOW_HALF;
  return twice === divisor ? f + FRAC_HALF : f + FRAC_ABOVE_HALF;
}

/** Exact M·2^E / 10^k (k ≥ 0, scale = -k) or M·2^E·10^j (j > 0), classified, with BigInt. */
function scaleBig(m: number, e: number, scale: number): number {
  const big = BigInt(m);
  if (scale >= 0) {
    const num = big * 10n ** BigInt(scale);
    if (e >= 0) return Number(num << BigInt(e)) * 4;
    const shift = BigInt(-e);
    return classifyRemainder(num >> shift, num & ((1n << shift) - 1n), 1n << shift);
  }
  const divisor = 10n ** BigInt(-scale);
  const num = big << BigInt(e);
  return classifyRemainder(num / divisor, num % divisor, divisor);
}

/** Smallest decimal scale that keeps the scaled unit 2^E·10^scale ≥ 1 (so the interval spans ≥ 2). */
function scaleFor(e: number): number {
  if (e < 0) return SCALE_FOR_SHIFT[-e]!;
  // 10^k ≤ 2^E: floor(E·log10 2) is never an exact integer for E > 0, so rounding cannot misplace it.
  return -Math.floor(e * 0.30102999566398119521);
}

function updateFraction(frac: number, digit: number): number {
  if (digit < 5) return digit === 0 && frac === FRAC_ZERO ? FRAC_ZERO : FRAC_BELOW_HALF;
  if (digit === 5) return frac === FRAC_ZERO ? FRAC_HALF : FRAC_ABOVE_HALF;
  return FRAC_ABOVE_HALF;
}

/** Result of shortestDigits: the digits as an integer without trailing zeros, and its power of ten. */
let outDigits = 0;
let outExp10 = 0;

/**
 * Shortest digits of a positive float32 m·2^e (m < 2^24), written to outDigits/outExp10.
 */
function shortestDigits(m: number, e: number): void {
  // An integer below 2^24 whose gap to its neighbours is ≤ 1: no shorter decimal fits its interval.
  if (e <= 0 && e > -24 && m % POW2[POW2_BIAS - e]! === 0) {
    let v = m * POW2[POW2_BIAS + e]!;
    let k = 0;
    while (v % 10 === 0) {
      v /= 10;
      k++;
    }
    outDigits = v;
    outExp10 = k;
    return;
  }
  const atBorder = m === 0x800000 && e > -149;
  const ml = atBorder ? 4 * m - 1 : 2 * m - 1;
  const mc = atBorder ? 4 * m : 2 * m;
  const mu = atBorder ? 4 * m + 2 : 2 * m + 1;
  const eb = atBorder ? e - 2 : e - 1;
  const inclusive = m % 2 === 0;

  let pl: number;
  let pc: number;
  let pu: number;
  let scale: number;
  const pow2 = POW2[POW2_BIAS + eb]!;
  if (eb >= 0 && mu * pow2 < TWO_POW_50) {
    scale = 0;
    pl = ml * pow2 * 4;
    pc = mc * pow2 * 4;
    pu = mu * pow2 * 4;
  } else if (eb < 0 && SCALE_FOR_SHIFT[-eb]! <= MAX_FAST_POW10) {
    scale = SCALE_FOR_SHIFT[-eb]!;
    pl = scaleFast(ml, pow2, scale);
    pc = scaleFast(mc, pow2, scale);
    pu = scaleFast(mu, pow2, scale);
  } else {
    scale = scaleFor(eb);
    pl = scaleBig(ml, eb, scale);
    pc = scaleBig(mc, eb, scale);
    pu = scaleBig(mu, eb, scale);
  }
  trimToShortest(pl, pc, pu, inclusive);
  outExp10 -= scale;
}

/**
 * Given the packed floor/fraction of the scaled lower bound, value and upper bound, removes as many
 * trailing digits as the interval allows, then rounds the value to that many digits and keeps it in
 * the interval. The interval holds at least one integer at the starting scale.
 */
function trimToShortest(pl: number, pc: number, pu: number, inclusive: boolean): void {
  const fracL = pl % 4;
  const fracU = pu % 4;
  let frac = pc % 4;
  // Smallest and largest integers inside the interval at the current scale.
  let lo = (pl - fracL) / 4 + (fracL === FRAC_ZERO && inclusive ? 0 : 1);
  let hi = (pu - fracU) / 4 - (fracU === FRAC_ZERO && !inclusive ? 1 : 0);
  let c = (pc - frac) / 4;
  let trimmed = 0;
  for (;;) {
    // All operands stay below 2^53, where floor(a / 10) of a double quotient is exact.
    const l2 = Math.floor((lo + 9) / 10);
    const h2 = Math.floor(hi / 10);
    if (l2 > h2) break;
    const digit = c % 10;
    c = (c - digit) / 10;
    frac = updateFraction(frac, digit);
    lo = l2;
    hi = h2;
    trimmed++;
  }
  let d = frac === FRAC_ABOVE_HALF || (frac === FRAC_HALF && c % 2 === 1) ? c + 1 : c;
  if (d < lo) d = lo;
  else if (d > hi) d = hi;
  outDigits = d;
  outExp10 = trimmed;
}

function formatFixed(digits: string, pointPos: number): string {
  const nd = digits.length;
  if (pointPos <= 0) return '0.' + '0'.repeat(-pointPos) + digits;
  if (pointPos >= nd) return digits + '0'.repeat(pointPos - nd);
  return digits.slice(0, pointPos) + '.' + digits.slice(pointPos);
}

/** strconv's 'e' form followed by encoding/json's cleanup: two exponent digits, except e-0X → e-X. */
function formatExponent(digits: string, pointPos: number): string {
  const exp = pointPos - 1;
  const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  if (exp < 0) return mantissa + 'e-' + String(-exp);
  return mantissa + (exp < 10 ? 'e+0' : 'e+') + String(exp);
}

/**
 * Go's encoding/json text for the float32 value x. x must already be a float32 (Math.fround(x) === x)
 * and finite; anything else throws a RangeError, because Go would have failed or never held it.
 */
export function formatFloat32(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`float32 value ${x} cannot be encoded as JSON`);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const abs = x < 0 ? -x : x;
  scratchF32[0] = abs;
  if (scratchF32[0] !== abs) throw new RangeError(`${x} is not a float32 value (use Math.fround)`);
  const bits = scratchU32[0]!;
  const biased = bits >>> 23;
  const fraction = bits & 0x7fffff;
  if (biased === 0) shortestDigits(fraction, -149);
  else shortestDigits(fraction | 0x800000, biased - 150);
  const digits = String(outDigits);
  const pointPos = digits.length + outExp10;
  const text = abs < F32_1E_6 || abs >= F32_1E21 ? formatExponent(digits, pointPos) : formatFixed(digits, pointPos);
  return x < 0 ? '-' + text : text;
}
