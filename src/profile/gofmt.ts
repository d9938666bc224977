/**
 * Go's fmt verbs that pprof's text reports use (%.2f, %5.2f, %.2g, %10s), reproduced exactly. JavaScript's
 * toFixed/toPrecision round exact ties away from zero while Go rounds them to even, and switch to exponent
 * notation at different points, so digits are taken from the exact decimal expansion of the double and
 * rounded here.
 */

interface Digits {
  /** significant digits without leading or trailing zeros ('' for zero) */
  d: string;
  /** position of the decimal point relative to the start of d */
  dp: number;
}

/** The exact decimal expansion of a finite non-negative double. */
function exactDigits(x: number): Digits {
  let intPart: string;
  let frac: string;
  if (x >= 1e21) {
    // such doubles are integers; BigInt prints all their digits
    intPart = BigInt(x).toString();
    frac = '';
  } else {
    // toFixed(100) is exact for every double we format (ratios, scaled values); see the module comment
    const s = x.toFixed(100);
    const dot = s.indexOf('.');
    intPart = s.slice(0, dot);
    frac = s.slice(dot + 1);
  }
  let all = intPart + frac;
  let dp = intPart.length;
  let lead = 0;
  while (lead < all.length && all.charCodeAt(lead) === 48) lead++;
  all = all.slice(lead);
  dp -= lead;
  let end = all.length;
  while (end > 0 && all.charCodeAt(end - 1) === 48) end--;
  all = all.slice(0, end);
  if (all === '') return { d: '', dp: 0 };
  return { d: all, dp };
}

/** Rounds to nd digits (nd may be <= 0) the way Go's strconv does: to nearest, exact ties to even. */
function roundDigits(x: Digits, nd: number): Digits {
  // a rounding position before the first digit leaves less than half a unit: zero
  if (nd < 0) return { d: '', dp: 0 };
  if (nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next > 5) up = true;
  else if (next < 5) up = false;
  else if (nd + 1 < x.d.length) up = true; // something non-zero follows (trailing zeros were trimmed)
  else up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  if (!up) {
    let kept = x.d.slice(0, nd);
    let end = kept.length;
    while (end > 0 && kept.charCodeAt(end - 1) === 48) end--;
    kept = kept.slice(0, end);
    return kept === '' ? { d: '', dp: 0 } : { d: kept, dp: x.dp };
  }
  const digits = x.d.slice(0, nd).split('').map(Number);
  let i = nd - 1;
  while (i >= 0 && digits[i] === 9) {
    digits[i] = 0;
    i--;
  }
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  digits[i]! += 1;
  let s = digits.slice(0, i + 1).join('');
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  s = s.slice(0, end);
  return { d: s, dp: x.dp };
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  let out = neg ? '-' : '';
  if (x.dp > 0) {
    for (let i = 0; i < x.dp; i++) out += i < x.d.length ? x.d[i] : '0';
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      out += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return out;
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

/** fmt.Sprintf("%.{prec}f", v) */
export function formatFixed(v: number, prec: number): string {
  const s = special(v);
  if (s) return s;
  const neg = v < 0 || Object.is(v, -0);
  const x = Math.abs(v);
  if (prec === 2 && x < 1e15) {
    // toFixed rounds the exact value correctly except at exact ties, which for two decimals are the
    // multiples of 1/8 with an odd numerator; those go the slow way to round half to even
    const eighths = x * 8;
    if (!(Number.isInteger(eighths) && eighths % 2 === 1)) return (neg ? '-' : '') + x.toFixed(2);
  }
  const exact = exactDigits(x);
  const digits = roundDigits(exact, exact.dp + prec);
  return fmtF(neg, digits, prec);
}

/** fmt.Sprintf("%.{prec}g", v) */
export function formatG(v: number, prec: number): string {
  const s = special(v);
  if (s) return s;
  const neg = v < 0 || Object.is(v, -0);
  if (prec === 0) prec = 1;
  const digs = roundDigits(exactDigits(Math.abs(v)), prec);
  const nd = digs.d.length;
  const dp = nd === 0 ? 0 : digs.dp;
  let eprec = prec;
  if (eprec > nd && nd >= dp) eprec = nd;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    const p = Math.min(prec, nd) - 1;
    let out = (neg ? '-' : '') + (nd === 0 ? '0' : digs.d[0]);
    if (p > 0) {
      out += '.';
      for (let i = 1; i <= p; i++) out += i < nd ? digs.d[i] : '0';
    }
    const e = nd === 0 ? 0 : dp - 1;
    const ae = Math.abs(e);
    out += `e${e < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
    return out;
  }
  let p = prec;
  if (p > dp) p = nd;
  return fmtF(neg, { d: digs.d, dp }, Math.max(p - dp, 0));
}

/** Right-aligns text to a width counted in Unicode code points, as %{width}s does. */
export function padLeft(text: string, width: number): string {
  let len = 0;
  for (const _ of text) len++;
  return len >= width ? text : ' '.repeat(width - len) + text;
}

/**
 * Go compares strings by their UTF-8 bytes; JavaScript by UTF-16 code units. The two orders differ only
 * where a surrogate pair meets a code unit in U+E000..U+FFFF, which this fixes up.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // surrogates encode code points above U+FFFF, which sort after every BMP character in UTF-8
      x = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
      y = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
