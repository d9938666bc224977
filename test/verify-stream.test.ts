/**
 * The JSON text walk verify uses instead of enumerating parsed payloads: it must accept, decode and
 * report exactly what JSON.parse gives, and verify's findings must not change.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatPath } from '../src/diff/path.js';
import type { GoType } from '../src/encoding/gotype.js';
import { textMatchesGoType } from '../src/model/gotype-text.js';
import { matchesGoType, payloadGoType } from '../src/model/payload-codec.js';
import type { Needle } from '../src/verify/identifying.js';
import { walkJson, type JsonPath, type JsonVisitor } from '../src/verify/json-stream.js';
import { AnonymityScanner } from '../src/verify/scan.js';
import { REPO_ROOT } from './helpers/cli.js';

/** Rebuilds the value from the walk's events, as JSON.parse builds it, and records every key and string. */
class Rebuild implements JsonVisitor {
  readonly events: string[] = [];
  private readonly stack: Array<Record<string, unknown> | unknown[]> = [];
  private readonly keys: string[] = [];
  result: unknown;

  constructor(private readonly text: string) {}

  private put(value: unknown): void {
    const top = this.stack.at(-1);
    if (top === undefined) this.result = value;
    else if (Array.isArray(top)) top.push(value);
    // defineProperty: "__proto__" is an own key in JSON.parse's result
    else Object.defineProperty(top, this.keys.at(-1)!, { value, writable: true, enumerable: true, configurable: true });
  }

  private raw(value: string, start: number, end: number): void {
    assert.equal(JSON.parse(`"${this.text.slice(start, end)}"`), value);
    if (end - start === value.length) assert.equal(this.text.slice(start, end), value);
  }

  key(key: string, path: JsonPath, start: number, end: number): void {
    assert.equal(path.at(-1), key);
    this.raw(key, start, end);
    this.keys[this.keys.length - 1] = key;
    this.events.push(`key ${formatPath(path)}`);
  }

  string(value: string, path: JsonPath, start: number, end: number): void {
    this.raw(value, start, end);
    this.events.push(`string ${formatPath(path)} ${JSON.stringify(value)}`);
    this.put(value);
  }

  scalar(type: 'number' | 'boolean' | 'null', _path: JsonPath, start: number, end: number): void {
    const literal = this.text.slice(start, end);
    this.put(type === 'number' ? Number(literal) : type === 'boolean' ? literal === 'true' : null);
  }

  open(type: 'object' | 'array'): void {
    const value = type === 'object' ? {} : [];
    this.put(value);
    this.stack.push(value);
    this.keys.push('');
  }

  close(): void {
    this.stack.pop();
    this.keys.pop();
  }
}

function rebuild(text: string, known = false): Rebuild {
  const r = new Rebuild(text);
  walkJson(text, r, known);
  return r;
}

/** The keys and strings of a parsed value with their paths, in document order (no duplicate or index keys). */
function parsedEvents(value: unknown, path: JsonPath = [], out: string[] = []): string[] {
  if (typeof value === 'string') out.push(`string ${formatPath(path)} ${JSON.stringify(value)}`);
  else if (Array.isArray(value)) value.forEach((v, i) => parsedEvents(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(`key ${formatPath([...path, k])}`);
      parsedEvents(v, [...path, k], out);
    }
  }
  return out;
}

/** Whether the walk and JSON.parse agree on `text`: both refuse it, or both accept it with the same value. */
function assertAgrees(text: string): void {
  let expected: unknown;
  let parsedOk = true;
  try {
    expected = JSON.parse(text);
  } catch {
    parsedOk = false;
  }
  let walked: Rebuild | undefined;
  try {
    walked = rebuild(text);
  } catch (err) {
    assert.ok(err instanceof SyntaxError, `not a SyntaxError: ${String(err)}`);
    assert.equal(parsedOk, false, `walk refused what JSON.parse accepts: ${JSON.stringify(text)}`);
    return;
  }
  assert.equal(parsedOk, true, `walk accepted what JSON.parse refuses: ${JSON.stringify(text)}`);
  assert.deepStrictEqual(walked.result, expected, JSON.stringify(text));
  // the second walk of a text known to be JSON finds strings by indexOf: the same events
  const again = rebuild(text, true);
  assert.deepStrictEqual(again.result, expected, JSON.stringify(text));
  assert.deepEqual(again.events, walked.events, JSON.stringify(text));
}

const EDGE_CASES = [
  '{}', '[]', '{"a":{}}', '[[]]', '[[],[[]],{}]', ' \t\r\n{ "a" : [ 1 , 2 ] } \n', '"x"', '0', '-0', 'true', 'false', 'null',
  '"\\u00e9\\u4e2d\\ud83d\\ude00"', '"\\ud83d"', '"\\ude00"', '"\\ude00\\ud83d"', '"\\uD83D\\uDE00x"', '"a\\/b\\\\c\\"d"',
  '"\\b\\f\\n\\r\\t"', '{"\\u0041":1,"A":2}', '{"é中😀":"😀","":""}', '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '{"constructor":1}',
  '{"2":1,"1":2,"b":3,"a":4}', '[1,-1,0.5,-0.0,1e2,1E+2,1e-2,1.5e300,1e400,-1e400,123456789012345678901234567890,0.1e-400]',
  '"\u2028\u2029"', `"${'x'.repeat(100_000)}"`, `${'['.repeat(500)}${']'.repeat(500)}`, '{"a":[{"b":[{"c":"d"}]}]}',
  // refused
  '', ' ', '{', '}', '[', ']', '{"a"}', '{"a":}', '{"a":1,}', '[1,]', '[,1]', '{,}', '01', '-', '-a', '1.', '.5', '1e', '1e+', '+1', '0x10',
  'tru', 'nul', 'falsey', 'True', 'NaN', 'Infinity', '"\\u12"', '"\\u12G4"', '"\\x41"', '"\\a"', '"\t"', '"\n"', '"\u0000"', '"abc',
  "'a'", '{a:1}', '{"a" 1}', '[1 2]', '"a" "b"', '{}{}', '\uFEFF{}', '[1]x', '{"a":1}}', '[1]]', '\u00a0[]', '/* */[]',
];

describe('json-stream: the walk against JSON.parse', () => {
  it('agrees on edge cases', () => {
    for (const text of EDGE_CASES) assertAgrees(text);
  });

  it('reports every key and string with its path, in document order', () => {
    for (const name of readdirSync(join(REPO_ROOT, 'test', 'golden')).filter((f) => f.endsWith('.json'))) {
      const text = readFileSync(join(REPO_ROOT, 'test', 'golden', name), 'utf8');
      const walked = rebuild(text);
      assert.deepStrictEqual(walked.result, JSON.parse(text), name);
      assert.deepEqual(walked.events, parsedEvents(JSON.parse(text)), name);
    }
    const text = '{"a\\"b":["x\\ny",{"k\\u00e9":"v"}],"":[[""]]}';
    assert.deepEqual(rebuild(text).events, [
      'key ["a\\"b"]', 'string ["a\\"b"][0] "x\\ny"', 'key ["a\\"b"][1]["ké"]', 'string ["a\\"b"][1]["ké"] "v"',
      'key [""]', 'string [""][0][0] ""',
    ]);
  });

  it('agrees on generated documents and on every one-character mutation of them', () => {
    let seed = 12345;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const pieces = ['a', 'é', '😀', '\ud800', '\udc00', '"', '\\', '/', '\n', '\u0001', ' ', '\u2028', 'x y', ''];
    const str = () => Array.from({ length: random(4) }, () => pieces[random(pieces.length)]).join('');
    const num = () => [0, -0, 1, -1, 0.5, 1e21, 1e-7, 123456789.125, 2 ** 53 + 2, -3.4e38][random(10)]!;
    const gen = (depth: number): unknown => {
      const r = random(depth > 3 ? 4 : 7);
      if (r === 0) return str();
      if (r === 1) return num();
      if (r === 2) return [true, false, null][random(3)];
      if (r === 3) return {};
      if (r === 4) return Array.from({ length: random(4) }, () => gen(depth + 1));
      return Object.fromEntries(Array.from({ length: random(4) }, () => [str(), gen(depth + 1)]));
    };
    const mutations = ['', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '-', '.', 'e', ' ', '\u0000', 'u', 'n'];
    let checked = 0;
    for (let n = 0; n < 400; n++) {
      const doc = gen(0);
      const compact = JSON.stringify(doc);
      // hand-written escapes too: \uXXXX for everything outside ASCII, and "\/"
      const escaped = compact.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '\\/');
      for (const text of [compact, JSON.stringify(doc, null, n % 3), escaped]) {
        assertAgrees(text);
        for (let m = 0; m < 6 && text.length > 0; m++) {
          const at = random(text.length);
          const insert = mutations[random(mutations.length)]!;
          assertAgrees(text.slice(0, at) + insert + text.slice(at + random(2)));
          checked++;
        }
      }
    }
    assert.ok(checked > 5000);
  });

  it('needs no stack for deep nesting', () => {
    const depth = 200_000;
    let opened = 0;
    let deepest = 0;
    walkJson(`${'[{"a":'.repeat(depth)}1${'}]'.repeat(depth)}`, { key() {}, string() {}, scalar: (_t, path) => (deepest = path.length), open: () => opened++, close() {} });
    assert.equal(opened, 2 * depth);
    assert.equal(deepest, 2 * depth);
  });

  it('walks 4 MB in well under a second', () => {
    const big = JSON.stringify(Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`/api/route/${i}/x`, i])));
    let keys = 0;
    const started = performance.now();
    walkJson(big, { key: () => keys++, string() {}, scalar() {}, open() {}, close() {} });
    const ms = performance.now() - started;
    assert.equal(keys, 200_000);
    assert.ok(ms < 1000, `${ms} ms`);
  });
});

function hasRepeatedKey(text: string): boolean {
  const open: Array<Set<string>> = [];
  let repeated = false;
  walkJson(text, {
    key(key) {
      const seen = open.at(-1)!;
      if (seen.has(key)) repeated = true;
      seen.add(key);
    },
    string() {},
    scalar() {},
    open: () => open.push(new Set()),
    close: () => open.pop(),
  });
  return repeated;
}

describe('json-stream: the schema check on the text', () => {
  const cases: Array<[GoType, string[]]> = [
    [{ kind: 'int' }, ['0', '-0', '1', '1.0', '1e2', '1E+2', '1.5', '1e-2', '9007199254740991', '9007199254740992', '-9007199254740991',
      '9007199254740993', '9007199254740991.4', '123456789012345', '1234567890123456', '1e400', 'null', '"1"', 'true', '[]']],
    [{ kind: 'float32' }, ['0', '1.5', '-3.4e38', '1e308', '1e309', '-1e400', `1${'0'.repeat(308)}`, `1${'0'.repeat(309)}`, `1${'0'.repeat(299)}.5`, 'null', '"x"']],
    [{ kind: 'value' }, ['null', '0', '1e400', '1.5', '"1"', 'false']],
    [{ kind: 'bool' }, ['true', 'false', 'null', '0']],
    [{ kind: 'string' }, ['""', '"\\u0000"', 'null', '1']],
    [{ kind: 'stringset' }, ['null', '[]', '["a","b"]', '["a",null]', '[1]', '{}', '"a"']],
    [{ kind: 'ptr', elem: { kind: 'ptr', elem: { kind: 'bool' } } }, ['null', 'true', '1']],
    [{ kind: 'slice', elem: { kind: 'slice', elem: { kind: 'int' } } }, ['null', '[]', '[[1],[2,3],null,[]]', '[[1.5]]', '[[1],{}]', '{}']],
    [{ kind: 'map', value: { kind: 'map', value: { kind: 'int' } } }, ['null', '{}', '{"a":{"b":1},"c":null}', '{"a":{"b":"x"}}', '{"a":[]}', '[]',
      '{"a":{"b":1.5},"a":{"b":1}}', '{"a":{"b":1},"a":{"b":1.5}}']],
    [{ kind: 'slice', elem: { kind: 'struct', fields: [{ name: 'a', type: { kind: 'int' } }, { name: 'b', type: { kind: 'string' }, omitempty: true }] } },
      ['[{"a":1},{"a":2,"b":"x"}]', '[{"b":"x"}]', '[{"a":1,"c":2}]', '[{"a":1},{}]', '[{"a":null}]', '[null]', '[{"a":1,"b":"x"},[1]]', '[{"a":1,"a":2}]',
        '[{"__proto__":1,"a":1}]', '[{"a":1,"b":"x"},{"a":2,"b":"y"},{"a":3}]']],
  ];

  for (const [type, texts] of cases) {
    it(`agrees with matchesGoType for ${JSON.stringify(type)}`, () => {
      for (const text of texts) {
        const expected = matchesGoType(JSON.parse(text), type);
        // with a repeated key (JSON.parse keeps the last) the text check may be stricter, never looser: zod then decides
        if (hasRepeatedKey(text)) assert.ok(!textMatchesGoType(text, type) || expected, text);
        else assert.equal(textMatchesGoType(text, type), expected, text);
      }
    });
  }

  it('never refuses a payload that matchesGoType accepts, whatever its formatting', () => {
    for (const name of readdirSync(join(REPO_ROOT, 'test', 'golden')).filter((f) => f.endsWith('.json'))) {
      const text = readFileSync(join(REPO_ROOT, 'test', 'golden', name), 'utf8');
      const value: unknown = JSON.parse(text);
      assert.equal(matchesGoType(value, payloadGoType), true, name);
      for (const variant of [text, JSON.stringify(value, null, 2), JSON.stringify(value, null, '\t')]) assert.equal(textMatchesGoType(variant, payloadGoType), true, name);
    }
  });
});

/** verify's walk over the parsed value before the text walk replaced it: the reference for the findings. */
function scanParsed(scanner: AnonymityScanner, value: unknown, segments: Array<string | number> = []): void {
  if (typeof value === 'string') {
    if (segments.length === 2 && segments[0] === 'profile' && (segments[1] === 'cpu' || segments[1] === 'memory')) return;
    scanner.checkString(value, segments, false);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => scanParsed(scanner, v, [...segments, i]));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      scanner.checkString(key, [...segments, key], true);
      scanParsed(scanner, (value as Record<string, unknown>)[key], [...segments, key]);
    }
  }
}

describe('json-stream: verify findings are those of the walk over the parsed value', () => {
  const needles: Needle[] = [
    { value: 'acme-prod-eu', label: 'project-name', what: 'name of project #1' },
    { value: 'acme-oncall', label: 'slack-channel', what: 'Slack channel' },
    { value: 'acme-oncall', label: 'category-channel', what: 'channel of a category' },
    { value: 'prod', label: 'short', what: 'short value' },
    { value: 'Person Number 7', label: 'user-name', what: 'user name' },
    { value: '8080', label: 'port', what: 'a port' },
    { value: 'bb25ca8f', label: 'uuid-part', what: 'part of the uuid' },
  ];

  function both(text: string): { stream: AnonymityScanner; parsed: AnonymityScanner; profiles: unknown } {
    const stream = new AnonymityScanner(needles);
    const profiles = stream.scanPayloadText(text);
    const parsed = new AnonymityScanner(needles);
    scanParsed(parsed, JSON.parse(text));
    return { stream, parsed, profiles };
  }

  it('on the golden payloads, with values planted everywhere', () => {
    for (const name of readdirSync(join(REPO_ROOT, 'test', 'golden')).filter((f) => f.endsWith('.json'))) {
      const payload = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'golden', name), 'utf8'));
      const clean = both(JSON.stringify(payload));
      assert.deepEqual(clean.stream.findings, clean.parsed.findings, name);
      payload.ux.users = ['ops@acme-corp.example', 'Person Number 7', 'x\\10.1.2.3\n'];
      payload.ux.sent_notifications = { 'slack:acme-oncall': 3, '9': 1, '10': 2, 'webhook:https://hooks.acme-corp.example/x': 1 };
      payload.ux.page_views = { '/p/acme-prod-eu/x': 1, '2': 1, '8080': 2, '1': 3, 'product': 1, '\u00e9/10.20.30.40': 1, '4294967295': 1, '01': 1, '\t"acme-oncall"': 1 };
      payload.ux.api_calls = { '/api/\u2028/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc': 1 };
      payload.instance.uuid = 'bb25ca8f-04e2-45f0-9694-558207e40528';
      payload.stack.services = ['db01.corp.internal', 'fe80::1:2:3', '$2b$10$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012'];
      payload.performance = { components: [{ id: 'acme-prod-eu:coroot:Deployment:coroot', instances: [{ containers: { 'acme-prod-eu': 1, '7': 2 } }] }] };
      payload.profile = { cpu: 'ops@acme-corp.example', memory: '', other: 'acme-prod-eu' };
      const planted = both(JSON.stringify(payload));
      assert.ok(planted.stream.findings.length > 15, `${name}: ${planted.stream.findings.length}`);
      assert.deepEqual(planted.stream.findings, planted.parsed.findings, name);
      // and as the parsed value orders keys: "1", "2", "8080" first
      const order = planted.stream.findings.filter((f) => f.path.startsWith('ux.page_views')).map((f) => f.path);
      assert.equal(order[0], 'ux.page_views["«source:port»"]');
      assert.deepEqual(planted.profiles, { cpu: 'ops@acme-corp.example', memory: '' });
    }
  });

  it('the profile strings are those of the parsed value when a key is repeated', () => {
    const stream = new AnonymityScanner([]);
    assert.deepEqual(stream.scanPayloadText('{"profile":{"cpu":"a","memory":"b","cpu":1},"profile":{"memory":"c"}}'), { memory: 'c' });
    assert.deepEqual(stream.scanPayloadText('{"profile":{"cpu":"a","cpu":"b"},"x":{"profile":{"cpu":"c"}}}'), { cpu: 'b' });
    assert.deepEqual(stream.scanPayloadText('{"profile":["a"]}'), {});
  });

  it('a repeated key is checked in both places (JSON.parse keeps the last)', () => {
    const { stream, parsed } = both('{"ux":{"users":["acme-prod-eu"],"users":["acme-oncall"]}}');
    assert.deepEqual(parsed.findings.map((f) => f.rule), ['source:slack-channel']);
    assert.deepEqual(stream.findings.map((f) => f.rule), ['source:project-name', 'source:slack-channel']);
  });
});
