/**
 * Go's path/filepath.Match on Unix, which Coroot's utils.GlobMatch uses for application categories and
 * custom applications: `*` never crosses "/", `?` is one UTF-8 character, `[...]` classes with ranges and
 * `^` negation, `\` escapes; a malformed pattern is an error, and GlobMatch treats it as no match. Works
 * on UTF-8 bytes as Go does. (Go versions differ in when they report a malformed pattern, never in what
 * matches, which is all GlobMatch uses.)
 */

class BadPattern extends Error {}

const SLASH = 0x2f;
const STAR = 0x2a;
const BACKSLASH = 0x5c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const QUESTION = 0x3f;
const CARET = 0x5e;
const DASH = 0x2d;
const RUNE_ERROR = 0xfffd;

/** utf8.DecodeRune: (rune, size), with (RuneError, 1) for an invalid byte and (RuneError, 0) at the end */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  if (i >= b.length) return [RUNE_ERROR, 0];
  const c = b[i]!;
  if (c < 0x80) return [c, 1];
  const need = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
  if (need < 0 || i + need >= b.length) return [RUNE_ERROR, 1];
  let r = c & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
  for (let k = 1; k <= need; k++) {
    const x = b[i + k]!;
    if ((x & 0xc0) !== 0x80) return [RUNE_ERROR, 1];
    r = (r << 6) | (x & 0x3f);
  }
  const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
  if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return [RUNE_ERROR, 1];
  return [r, need + 1];
}

function scanChunk(p: Uint8Array): { star: boolean; chunk: Uint8Array; rest: Uint8Array } {
  let star = false;
  let pattern = p;
  while (pattern.length > 0 && pattern[0] === STAR) {
    pattern = pattern.subarray(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case BACKSLASH:
        if (i + 1 < pattern.length) i++;
        break;
      case LBRACKET:
        inRange = true;
        break;
      case RBRACKET:
        inRange = false;
        break;
      case STAR:
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: pattern.subarray(0, i), rest: pattern.subarray(i) };
}

function getEsc(chunk: Uint8Array): { r: number; rest: Uint8Array } {
  if (chunk.length === 0 || chunk[0] === DASH || chunk[0] === RBRACKET) throw new BadPattern();
  let c = chunk;
  if (c[0] === BACKSLASH) {
    c = c.subarray(1);
    if (c.length === 0) throw new BadPattern();
  }
  const [r, n] = decodeRune(c, 0);
  if (r === RUNE_ERROR && n === 1) throw new BadPattern();
  const rest = c.subarray(n);
  if (rest.length === 0) throw new BadPattern();
  return { r, rest };
}

/** matchChunk: the rest of s after the chunk, or null; throws BadPattern */
function matchChunk(chunkIn: Uint8Array, sIn: Uint8Array): Uint8Array | null {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    switch (chunk[0]) {
      case LBRACKET: {
        let r = 0;
        if (!failed) {
          const [rune, n] = decodeRune(s, 0);
          r = rune;
          s = s.subarray(n);
        }
        chunk = chunk.subarray(1);
        let negated = false;
        if (chunk.length > 0 && chunk[0] === CARET) {
          negated = true;
          chunk = chunk.subarray(1);
        }
        let match = false;
        let nrange = 0;
        for (;;) {
          if (chunk.length > 0 && chunk[0] === RBRACKET && nrange > 0) {
            chunk = chunk.subarray(1);
            break;
          }
          const lo = getEsc(chunk);
          chunk = lo.rest;
          let hi = lo.r;
          if (chunk[0] === DASH) {
            const h = getEsc(chunk.subarray(1));
            hi = h.r;
            chunk = h.rest;
          }
          if (lo.r <= r && r <= hi) match = true;
          nrange++;
        }
        if (match === negated) failed = true;
        break;
      }
      case QUESTION:
        if (!failed) {
          if (s[0] === SLASH) failed = true;
          const [, n] = decodeRune(s, 0);
          s = s.subarray(n);
        }
        chunk = chunk.subarray(1);
        break;
      default: {
        // an escaped byte is matched literally, like any other
        if (chunk[0] === BACKSLASH) {
          chunk = chunk.subarray(1);
          if (chunk.length === 0) throw new BadPattern();
        }
        if (!failed) {
          if (chunk[0] !== s[0]) failed = true;
          s = s.subarray(1);
        }
        chunk = chunk.subarray(1);
      }
    }
  }
  return failed ? null : s;
}

// plain Uint8Arrays rather than Buffers: matching takes a subarray at every step, and Buffer's subarray
// is several times slower than the typed array's own
const utf8 = new TextEncoder();

/** filepath.Match: true/false, or throws BadPattern for a malformed pattern */
function match(patternText: string, nameText: string): boolean {
  let pattern: Uint8Array = utf8.encode(patternText);
  let name: Uint8Array = utf8.encode(nameText);
  outer: while (pattern.length > 0) {
    const scanned = scanChunk(pattern);
    const { star, chunk } = scanned;
    pattern = scanned.rest;
    if (star && chunk.length === 0) return !name.includes(SLASH);
    const t = matchChunk(chunk, name);
    if (t !== null && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== SLASH; i++) {
        const t2 = matchChunk(chunk, name.subarray(i + 1));
        if (t2 !== null) {
          if (pattern.length === 0 && t2.length > 0) continue;
          name = t2;
          continue outer;
        }
      }
    }
    // the rest of the pattern must still be well-formed for a plain "no match"
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      matchChunk(next.chunk, new Uint8Array(0));
    }
    return false;
  }
  return name.length === 0;
}

/**
 * Patterns of ASCII literals and `*` only (every built-in category pattern) as regular expressions: such a
 * pattern cannot be malformed, ASCII literals match the same bytes as code units, and `*` is `[^/]*`. The
 * byte-wise matcher is the slow part of categorising thousands of applications against dozens of patterns.
 */
const SIMPLE = /^[\x00-\x7f]*$/;
const compiled = new Map<string, RegExp | null>();

function simplePattern(pattern: string): RegExp | null {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = SIMPLE.test(pattern) && !/[?[\\]/.test(pattern)
      ? new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+^${}()|\]\\/-]/g, '\\$&')).join('[^/]*')}$`)
      : null;
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** utils.GlobMatch: any pattern matching; malformed patterns never match. */
export function globMatch(s: string, ...patterns: string[]): boolean {
  for (const p of patterns) {
    const re = simplePattern(p);
    if (re) {
      if (re.test(s)) return true;
      continue;
    }
    try {
      if (match(p, s)) return true;
    } catch (err) {
      if (!(err instanceof BadPattern)) throw err;
    }
  }
  return false;
}
