/**
 * Shapes of identifying data that need no knowledge of the instance: addresses, e-mails, URLs, host names,
 * JWTs and long random tokens. Each is a cheap regular expression plus a check that removes the usual
 * false positives of a usage payload (versions, route templates, metric names).
 */
import { isIP } from 'node:net';
import type { Severity } from './finding.js';

export interface PatternHit {
  start: number;
  end: number;
  rule: string;
  severity: Severity;
  what: string;
}

export interface PatternRule {
  rule: string;
  what: string;
  severity: Severity;
  regex: RegExp;
  /** a cheap test on the text's features that must hold for the regex to match at all */
  mayMatch(f: TextFeatures): boolean;
  accept?(match: string): boolean;
}

/**
 * What one pass over a string tells about which patterns can match in it, as bit flags (no allocation:
 * a payload can have hundreds of thousands of strings).
 */
export type TextFeatures = number;
export const F = {
  at: 1,
  dollar: 2,
  dot: 4,
  digitDot: 8,
  schemeSep: 16,
  jwtStart: 32,
  /** a hex digit or colon on both sides of a colon: the shape of an IPv6 address */
  hexColon: 64,
  /** a run of 24 or more token characters */
  tokenRun: 128,
} as const;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isTokenChar = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 43 || c === 61 || c === 45;

/** A neighbour of one of the rare special characters: -1 outside the range. */
const charIn = (text: string, i: number, start: number, end: number) => (i >= start && i < end ? text.charCodeAt(i) : -1);

/** For ASCII: TOKEN for isTokenChar, SPECIAL for what charFeatures looks at. Most characters are tokens. */
export const CHAR_CLASS = Uint8Array.from({ length: 128 }, (_, c) => (isTokenChar(c) ? 1 : 0) | ('@$.:e'.includes(String.fromCharCode(c)) ? 2 : 0));
export const TOKEN = 1;
export const SPECIAL = 2;

/** What a SPECIAL character at i adds, its neighbours read within [start, end). */
export function charFeatures(text: string, i: number, c: number, start: number, end: number): TextFeatures {
  if (c === 101) return charIn(text, i + 1, start, end) === 121 && charIn(text, i + 2, start, end) === 74 ? F.jwtStart : 0;
  if (c === 64) return F.at;
  if (c === 36) return F.dollar;
  if (c === 46) return isDigit(charIn(text, i - 1, start, end)) && isDigit(charIn(text, i + 1, start, end)) ? F.dot | F.digitDot : F.dot;
  let f = 0;
  if (charIn(text, i + 1, start, end) === 47 && charIn(text, i + 2, start, end) === 47) f |= F.schemeSep;
  const prev = charIn(text, i - 1, start, end);
  const next = charIn(text, i + 1, start, end);
  if ((isHex(prev) || prev === 58) && (isHex(next) || next === 58)) f |= F.hexColon;
  return f;
}

/**
 * The features of text[start, end): a payload string can be read in place in the payload's text.
 * AnonymityScanner.mayFlag reads characters the same way, beside the needle matcher.
 */
export function textFeatures(text: string, start = 0, end = text.length): TextFeatures {
  let f = 0;
  let run = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const k = c < 128 ? CHAR_CLASS[c]! : 0;
    if ((k & TOKEN) === 0) run = 0;
    else if (++run >= 24) f |= F.tokenRun;
    if ((k & SPECIAL) !== 0) f |= charFeatures(text, i, c, start, end);
  }
  return f;
}

/** Public domains of code, not of the instance: Go import paths fill function names in profiles. */
const CODE_DOMAINS = /(^|\.)(github\.com|golang\.org|google\.golang\.org|gopkg\.in|go\.uber\.org|k8s\.io|sigs\.k8s\.io|coroot\.com|go\.opentelemetry\.io|cloud\.google\.com|googlesource\.com|prometheus\.io|gitlab\.com|bitbucket\.org|go\.etcd\.io|go\.mongodb\.org|modernc\.org|cel\.dev|dario\.cat)$/i;

const TLDS = new Set(('com net org io dev app ai co cloud info biz me us uk de fr nl ru cn jp in br eu ch se no fi pl it es ca au ' +
  'local internal lan home corp intra private svc cluster test example invalid localdomain').split(' '));

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / text.length) * Math.log2(n / text.length);
  return h;
}

export const PATTERN_RULES: readonly PatternRule[] = [
  {
    rule: 'pattern:jwt',
    what: 'JSON Web Token',
    severity: 'error',
    mayMatch: (f) => (f & F.jwtStart) !== 0,
    regex: /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  },
  {
    rule: 'pattern:password-hash',
    what: 'password hash (bcrypt or crypt)',
    severity: 'error',
    mayMatch: (f) => (f & F.dollar) !== 0,
    regex: /\$(?:2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|[156]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{22,86})/g,
  },
  {
    rule: 'pattern:url',
    what: 'URL',
    severity: 'error',
    mayMatch: (f) => (f & F.schemeSep) !== 0,
    regex: /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'<>]+/gi,
  },
  {
    rule: 'pattern:email',
    what: 'e-mail address',
    severity: 'error',
    mayMatch: (f) => (f & F.at) !== 0,
    regex: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
  },
  {
    rule: 'pattern:ipv4',
    what: 'IPv4 address',
    severity: 'error',
    mayMatch: (f) => (f & F.digitDot) !== 0,
    regex: /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g,
    accept: (m) => isIP(m) === 4 && m !== '0.0.0.0',
  },
  {
    rule: 'pattern:ipv6',
    what: 'IPv6 address',
    severity: 'error',
    mayMatch: (f) => (f & F.hexColon) !== 0,
    regex: /(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])/g,
    // "::" or "a::b" also occur inside application ids with empty parts; a real address has 3+ groups
    accept: (m) => isIP(m) === 6 && m.split(':').filter((g) => g !== '').length >= 3,
  },
  {
    rule: 'pattern:hostname',
    what: 'host name',
    severity: 'warning',
    mayMatch: (f) => (f & F.dot) !== 0,
    regex: /(?<![A-Za-z0-9_.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9_-])/g,
    accept: (m) => {
      if (CODE_DOMAINS.test(m)) return false;
      const labels = m.toLowerCase().split('.');
      return TLDS.has(labels.at(-1)!) || labels.length >= 3;
    },
  },
  {
    rule: 'pattern:token',
    what: 'long random token',
    severity: 'warning',
    mayMatch: (f) => (f & F.tokenRun) !== 0,
    regex: /[A-Za-z0-9_+=-]{24,}/g,
    accept: (m) => {
      const digits = m.replace(/[^0-9]/g, '').length;
      const letters = m.replace(/[^A-Za-z]/g, '').length;
      return digits >= 3 && letters >= 3 && entropy(m) >= 3.5;
    },
  },
];

/**
 * Whether some rule may match a string with these features, for every value of the 8 feature bits: the
 * question asked of every string of a payload, answered by one lookup.
 */
const SOME_RULE_MAY_MATCH = Uint8Array.from({ length: 256 }, (_, f) => (PATTERN_RULES.some((rule) => rule.mayMatch(f)) ? 1 : 0));

export function someRuleMayMatch(f: TextFeatures): boolean {
  return SOME_RULE_MAY_MATCH[f] === 1;
}

/** Every pattern hit in a string; `skip` leaves out rules that do not apply at its path. */
export function findPatterns(text: string, skip: ReadonlySet<string> = new Set(), features: TextFeatures = textFeatures(text)): PatternHit[] {
  const hits: PatternHit[] = [];
  for (const rule of PATTERN_RULES) {
    if (skip.has(rule.rule) || !rule.mayMatch(features)) continue;
    rule.regex.lastIndex = 0;
    for (const m of text.matchAll(rule.regex)) {
      if (rule.accept && !rule.accept(m[0])) continue;
      const start = m.index ?? 0;
      // an e-mail's or URL's host is not reported a second time as a host name
      if (hits.some((h) => h.start <= start && start + m[0].length <= h.end)) continue;
      hits.push({ start, end: start + m[0].length, rule: rule.rule, severity: rule.severity, what: rule.what });
    }
  }
  return hits;
}
