/**
 * The anonymity check: every string and map key of the payload (and, when given, every string of its
 * decoded profiles) against the instance's identifying values and the identifying-data patterns.
 */
import { formatPath } from '../diff/path.js';
import { AhoCorasick } from './aho-corasick.js';
import type { Finding } from './finding.js';
import type { Needle } from './identifying.js';
import { walkJson, type JsonContainerType, type JsonPath, type JsonVisitor } from './json-stream.js';
import { CHAR_CLASS, charFeatures, F, findPatterns, SPECIAL, someRuleMayMatch, textFeatures, TOKEN, type PatternHit, type TextFeatures } from './patterns.js';

interface Span {
  start: number;
  end: number;
  label: string;
}

/** Paths whose random-looking values are meant to be random: the instance UUID and browser ids. */
function skippedRules(segments: ReadonlyArray<string | number>): Set<string> {
  const path = segments.filter((s) => typeof s === 'string').join('.');
  if (path === 'instance.uuid') return new Set(['pattern:token', 'pattern:hostname', 'pattern:ipv6']);
  if (path === 'ux.users') return new Set(['pattern:token']);
  // Go symbol and file names are full of import-path domains and long identifiers: only hard evidence counts
  if (path.startsWith('profile.')) return new Set(['pattern:token', 'pattern:hostname']);
  return new Set();
}

const KNOWN: Array<[RegExp, string]> = [
  [/^ux\.sent_notifications\[/, 'known Coroot v1.24.5 behaviour: sent_notifications keys are raw destinations such as "slack:<channel>"'],
  [/^performance\.components\[\d+\]\.id$/, "known Coroot v1.24.5 behaviour: the ids of Coroot's own components carry their application names"],
  [/^performance\.components\[\d+\]\.instances\[\d+\]\.containers\[/, 'known Coroot v1.24.5 behaviour: container names of Coroot\'s own components are sent'],
];

const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

export class AnonymityScanner {
  private readonly matcher: AhoCorasick;
  readonly findings: Finding[] = [];

  constructor(private readonly needles: readonly Needle[]) {
    this.matcher = new AhoCorasick(needles.map((n) => n.value));
  }

  /** Needle hits that start and end at word boundaries: "prod" is found in "slack:prod", not in "product". */
  private needleHits(text: string): Array<Span & { needle: Needle }> {
    const hits = this.matcher.findAll(text);
    if (hits.length === 0) return [];
    const out: Array<Span & { needle: Needle }> = [];
    for (const hit of hits) {
      const needle = this.needles[hit.needle]!;
      const v = needle.value;
      if (isWord(v.charCodeAt(0)) && hit.start > 0 && isWord(text.charCodeAt(hit.start - 1))) continue;
      if (isWord(v.charCodeAt(v.length - 1)) && hit.end < text.length && isWord(text.charCodeAt(hit.end))) continue;
      out.push({ start: hit.start, end: hit.end, label: `source:${needle.label}`, needle });
    }
    // the host inside a matched URL adds nothing to the URL finding
    // and two sources holding the same text (a channel in the integration and in a category) are one finding
    return out.filter((a, i) => !out.some((b, j) => j !== i && b.start <= a.start && a.end <= b.end && (b.end - b.start > a.end - a.start || j < i)));
  }

  private patternHits(text: string, skip: ReadonlySet<string>, covered: readonly Span[], features?: TextFeatures): PatternHit[] {
    // a pattern overlapping an identifying value would report the same text twice
    return findPatterns(text, skip, features).filter((p) => !covered.some((c) => c.start < p.end && p.start < c.end));
  }

  /** The text with every identifying part replaced by «what it is». */
  mask(text: string, skip: ReadonlySet<string> = new Set()): string {
    const needles = this.needleHits(text);
    const spans: Span[] = [...needles, ...this.patternHits(text, skip, needles).map((p) => ({ start: p.start, end: p.end, label: p.rule }))];
    if (spans.length === 0) return text;
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    let out = '';
    let at = 0;
    for (const s of spans) {
      if (s.start < at) continue;
      out += `${text.slice(at, s.start)}«${s.label}»`;
      at = s.end;
    }
    return out + text.slice(at);
  }

  private maskedPath(segments: ReadonlyArray<string | number>): string {
    return formatPath(segments.map((s) => (typeof s === 'string' ? this.mask(s) : s)));
  }

  private excerpt(text: string, skip: ReadonlySet<string>): string {
    const masked = this.mask(text, skip);
    if (masked.length <= 90) return masked;
    const first = Math.max(0, masked.indexOf('«') - 30);
    return `${first > 0 ? '…' : ''}${masked.slice(first, first + 90)}…`;
  }

  /**
   * Whether checkString could report anything for text[start, end): its two cheap first tests in one loop,
   * on the payload's text in place, so that each of the hundreds of thousands of strings that fail them
   * (almost all) costs one pass over its characters.
   */
  mayFlag(text: string, start: number, end: number): boolean {
    const matcher = this.matcher;
    let state = 0;
    let f = 0;
    let run = 0;
    // one loop for both tests: the needle matcher's and textFeatures'
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      state = matcher.step(state, c);
      if (state !== 0 && matcher.endsAt(state)) return true;
      const k = c < 128 ? CHAR_CLASS[c]! : 0;
      if ((k & TOKEN) === 0) run = 0;
      else if (++run >= 24) f |= F.tokenRun;
      if ((k & SPECIAL) !== 0) f |= charFeatures(text, i, c, start, end);
    }
    return someRuleMayMatch(f);
  }

  /** One string of the payload: a value, or a map key (then `segments` ends with it). */
  checkString(text: string, segments: ReadonlyArray<string | number>, isKey: boolean, kind: 'identifying' | 'profile' = 'identifying'): void {
    const needles = this.needleHits(text);
    // almost every string of a payload fails both cheap tests: skip the path work for those
    const features = textFeatures(text);
    if (needles.length === 0 && !someRuleMayMatch(features)) return;
    const skip = skippedRules(isKey ? segments.slice(0, -1) : segments);
    const patterns = this.patternHits(text, skip, needles, features);
    if (needles.length === 0 && patterns.length === 0) return;
    const path = this.maskedPath(segments);
    const note = KNOWN.find(([re]) => re.test(path))?.[1];
    const where = isKey ? 'a map key' : 'a value';
    const base = { path, excerpt: this.excerpt(text, skip), ...(note ? { note } : {}) };
    const seen = new Set<string>();
    for (const hit of needles) {
      if (seen.has(hit.label)) continue;
      seen.add(hit.label);
      this.findings.push({ kind, rule: hit.label, severity: 'error', message: `${where} contains the ${hit.needle.what}`, ...base });
    }
    for (const hit of patterns) {
      if (seen.has(hit.rule)) continue;
      seen.add(hit.rule);
      this.findings.push({ kind: kind === 'profile' ? 'profile' : 'pattern', rule: hit.rule, severity: hit.severity, message: `${where} contains what looks like a ${hit.what}`, ...base });
    }
  }

  /**
   * Checks every map key and string of a payload's JSON text, in one pass over the text: the parsed value
   * of a big payload is too slow to enumerate. The text is known to be JSON (verify's schema check walked
   * it). The base64 profiles are left to the profile check, and returned for it.
   */
  scanPayloadText(text: string): ProfileTexts {
    const walk = new PayloadTextScan(this, text);
    walkJson(text, walk, true);
    return walk.profiles;
  }
}

/** The payload's profile.cpu and profile.memory strings, as they are in its parsed value. */
export interface ProfileTexts {
  cpu?: string;
  memory?: string;
}

/** V8's array index ("0", "42", up to 2^32-2): such keys come first, in numeric order, in Object.keys. */
function arrayIndex(key: string): number {
  if (key.length === 0 || key.length > 10 || (key.length > 1 && key.charCodeAt(0) === 48)) return -1;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  const n = Number(key);
  return n <= 4294967294 ? n : -1;
}

const isProfileText = (path: JsonPath) => path.length === 2 && path[0] === 'profile' && (path[1] === 'cpu' || path[1] === 'memory');

/**
 * The findings come in the order a walk over the parsed value gave them (Object.keys order: array-index
 * keys first). A key given twice is checked twice, though JSON.parse keeps only the last value: a finding
 * more, never one less.
 */
class PayloadTextScan implements JsonVisitor {
  profiles: ProfileTexts = {};
  private readonly findings: Finding[];
  /** for each open object, where its findings start */
  private readonly starts: number[] = [];
  /** for each open object that has an array-index key: [index or Infinity, first finding] of each key from then on */
  private readonly groups: Array<Array<[number, number]> | undefined> = [];

  constructor(private readonly scanner: AnonymityScanner, private readonly text: string) {
    this.findings = scanner.findings;
  }

  /** checkString decides; a string written without escapes is read in place first, and rarely needs it. */
  private check(value: string, path: JsonPath, isKey: boolean, start: number, end: number): void {
    if (end - start !== value.length || this.scanner.mayFlag(this.text, start, end)) this.scanner.checkString(value, path, isKey);
  }

  key(key: string, path: JsonPath, start: number, end: number): void {
    const depth = this.groups.length - 1;
    const index = arrayIndex(key);
    let groups = this.groups[depth];
    if (index >= 0 || groups) {
      if (!groups) this.groups[depth] = groups = [[Infinity, this.starts[depth]!]];
      groups.push([index >= 0 ? index : Infinity, this.findings.length]);
    }
    // a repeated key replaces what JSON.parse saw before it
    if (path.length === 1 && key === 'profile') this.profiles = {};
    else if (isProfileText(path)) delete this.profiles[key as keyof ProfileTexts];
    this.check(key, path, true, start, end);
  }

  string(value: string, path: JsonPath, start: number, end: number): void {
    if (isProfileText(path)) this.profiles[path[1] as keyof ProfileTexts] = value;
    else this.check(value, path, false, start, end);
  }

  scalar(): void {}

  open(type: JsonContainerType): void {
    if (type !== 'object') return;
    this.starts.push(this.findings.length);
    this.groups.push(undefined);
  }

  close(type: JsonContainerType): void {
    if (type !== 'object') return;
    this.starts.pop();
    const groups = this.groups.pop();
    if (groups && this.findings.length > groups[0]![1]) this.reorder(groups);
  }

  /** Moves the findings of array-index keys first, by index; the other keys' stay in text order. */
  private reorder(groups: Array<[number, number]>): void {
    const findings = this.findings;
    const spans = groups.map(([order, from], k) => ({ order, from, to: k + 1 < groups.length ? groups[k + 1]![1] : findings.length }));
    spans.sort((a, b) => (a.order === b.order ? 0 : a.order < b.order ? -1 : 1));
    const moved: Finding[] = [];
    for (const span of spans) for (let i = span.from; i < span.to; i++) moved.push(findings[i]!);
    const at = groups[0]![1];
    for (let i = 0; i < moved.length; i++) findings[at + i] = moved[i]!;
  }
}
