/**
 * Go string functions whose JS look-alikes differ (see payload.md 5.5). Metric labels reach the payload
 * through them, so their exact semantics matter.
 */

/**
 * strings.ToLower: one-to-one simple case mapping per code point (unicode.ToLower). JS toLowerCase uses
 * full, context-dependent mappings: İ (U+0130) becomes "i̇" and a word-final Σ becomes ς there, while Go
 * gives "i" and σ.
 */
export function goToLower(s: string): string {
  if (!/[^\x00-\x7f]/.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) {
    if (ch === '\u0130') {
      out += 'i';
      continue;
    }
    const lower = ch.toLowerCase();
    // a single code point maps to one code point in Go; keep the character when JS would expand it
    out += [...lower].length === 1 ? lower : ch;
  }
  return out;
}

/** strconv.ParseInt(s, 10, 8) succeeds: an optional sign and decimal digits within int8. */
export function parsesAsInt8(s: string): boolean {
  if (!/^[+-]?\d+$/.test(s)) return false;
  const n = Number(s);
  return n >= -128 && n <= 127;
}

/** strings.SplitN(s, sep, n) for n > 0. */
export function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  if (parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}
