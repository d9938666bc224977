/**
 * The byte-level query_range reader against the JSON.parse path it stands in for: on every body it either
 * declines (undefined, and the client then takes the JSON.parse path) or returns exactly what that path
 * returns, label order, -0 and NaN included. Never a throw, whatever the bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricValues, Window } from '../src/sources/metrics.js';
import { decodeMatrix, parseGoFloat, type DecodedMatrix } from '../src/sources/prometheus-matrix.js';
import { parseQueryRangeResult } from '../src/sources/prometheus.js';

/** aligned, as the client sends it: each point at 1000 + 30k lands on grid point k */
const WINDOW: Window = { from: 990, to: 1110, step: 30 };
const LABELS = new Set(['machine_id', 'container_id', 'destination', 'destination_ip', 'hostname', 'pod']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the client makes of a 200 answer the slow way; undefined where it fails the query. */
function reference(body: Buffer, labels = LABELS, window = WINDOW): DecodedMatrix | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed.status !== 'success' || !isRecord(parsed.data) || !Array.isArray(parsed.data.result)) return undefined;
  return {
    metrics: parseQueryRangeResult(parsed.data.result, labels, window),
    warnings: Array.isArray(parsed.warnings) ? parsed.warnings.map(String) : [],
  };
}

/** Comparable form: label key order kept, values as their float32 bytes (so -0 and NaN count). */
function canonical(decoded: DecodedMatrix): unknown {
  return {
    warnings: decoded.warnings,
    metrics: decoded.metrics.map((m: MetricValues) => ({
      ...m,
      labels: Object.entries(m.labels),
      values: Buffer.from(m.values.buffer, m.values.byteOffset, m.values.byteLength).toString('hex'),
    })),
  };
}

/** The reader's answer, checked against the reference: declining is allowed only where `mayDecline`. */
function decode(body: Buffer | string, { labels = LABELS, window = WINDOW, mayDecline = false } = {}): DecodedMatrix | undefined {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const fast = decodeMatrix(bytes, labels, window);
  const slow = reference(bytes, labels, window);
  if (fast === undefined) {
    assert.ok(mayDecline || slow === undefined, `declined a body the slow path reads: ${bytes.toString('utf8').slice(0, 200)}`);
    return slow;
  }
  assert.ok(slow !== undefined, `accepted a body the slow path refuses: ${bytes.toString('utf8').slice(0, 200)}`);
  assert.deepEqual(canonical(fast), canonical(slow), bytes.toString('utf8').slice(0, 200));
  return fast;
}

function matrix(result: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result }, ...extra });
}

/** A one-point answer carrying `raw` verbatim as the sample's JSON string contents. */
const sampleBody = (raw: string, ts = '1000') => `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"machine_id":"m"},"values":[[${ts},"${raw}"]]}]}}`;

/** A deterministic generator (an LCG: variety, not quality), so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

const usual = matrix([
  { metric: { __name__: 'node_info', machine_id: 'm1', hostname: 'h', job: 'a' }, values: [[1000, '1'], [1030, '2']] },
  { metric: { __name__: 'node_info', machine_id: 'm1', hostname: 'h', job: 'b' }, values: [[1030, '3'], [1060, '4']] },
  { metric: { hostname: 'h2', machine_id: 'm2', destination: '10.0.0.1:80', destination_ip: '10.0.0.2' }, values: [[1090.5, '5'], [1120, '6'], [1150, '7'], [970, '8']] },
  { metric: { machine_id: 'm3', pod: '' }, values: [[1000, 'NaN'], [1030, '+Inf'], [1060, '-Inf'], [1090, 'bogus'], [1120, '1e40']] },
  { metric: { machine_id: 'm3' }, values: [[1000, '-0']] },
  { metric: { machine_id: 'm4' }, values: [[1000, 'NaN']] },
  { metric: {}, values: [[1000, '0.1']] },
  { metric: { machine_id: 'm5' }, values: [] },
], { warnings: ['partial response', 'another'] });

describe('query_range reader', () => {
  it('reads the usual answer itself, as the JSON.parse path does', () => {
    const out = decodeMatrix(Buffer.from(usual), LABELS, WINDOW);
    assert.ok(out, 'the usual shape is read without JSON.parse');
    decode(usual);
    assert.deepEqual(out.warnings, ['partial response', 'another']);
    // "pod":"" and no pod are different series that both end up without the label
    assert.equal(out.metrics.filter((m) => m.machineId === 'm3').length, 2);
    // pretty-printed, with every kind of JSON whitespace
    assert.ok(decodeMatrix(Buffer.from(JSON.stringify(JSON.parse(usual), null, '\t').replace(/\n/g, '\r\n ')), LABELS, WINDOW));
    decode(JSON.stringify(JSON.parse(usual), null, 2));
  });

  it('decodes escaped label names and values: \\uXXXX, surrogate pairs, lone surrogates, control characters', () => {
    const body = (metrics: string[]) => `{"status":"success","data":{"resultType":"matrix","result":[${metrics.map((m, i) => `{"metric":${m},"values":[[${1000 + 30 * (i % 5)},"${i + 1}"]]}`).join(',')}]}}`;
    const out = decode(body([
      '{"machine_id":"a\\u0062c","hostname":"\\ud83d\\ude00 \\u00e9\\n\\t\\"\\\\\\/\\b\\f\\r"}',
      '{"machine\\u005fid":"abc","hostname":"😀 é\\n\\t\\"\\\\/\\b\\f\\r"}',
      '{"machine_id":"\\ud800x","hostname":"\\udc00"}',
      '{"machine_id":"\\uFFFDx","hostname":"\\ufffd"}',
      '{"machine_id":"nul\\u0000","pod":"\\u001f"}',
      '{"machine_id":"nul\\u0000","pod":"\\u001f"}',
      '{"machine_id":"nul","pod":"\\u0001"}',
      '{"machine_id":"nul","pod":""}',
      '{"machine_id":"nul"}',
      '{"machine_id":"h\\u00e9","pod":"\\u00e9"}',
      '{"machine_id":"hé","pod":"é"}',
    ]));
    assert.ok(out);
    const [first, lone, nul, plain, withEmpty, without, accented] = out.metrics;
    // escaped and raw spellings of one label set merge, later samples winning
    assert.equal(first!.machineId, 'abc');
    assert.deepEqual(first!.labels, { hostname: '😀 é\n\t"\\/\b\f\r' });
    assert.deepEqual([...first!.values], [1, 2, NaN, NaN, NaN]);
    // a lone surrogate becomes U+FFFD, as in Go, and then equals a literal U+FFFD
    assert.equal(lone!.machineId, '\uFFFDx');
    assert.deepEqual([...lone!.values], [NaN, NaN, 3, 4, NaN]);
    assert.equal(nul!.machineId, 'nul\u0000');
    assert.deepEqual([...nul!.values], [6, NaN, NaN, NaN, 5]);
    assert.deepEqual(nul!.labels, { pod: '\u001f' });
    assert.deepEqual(plain!.labels, { pod: '\u0001' });
    assert.equal(withEmpty!.machineId, 'nul');
    assert.equal(without!.machineId, 'nul');
    assert.equal(accented!.machineId, 'hé');
    assert.equal(out.metrics.length, 7);
    // these take the fast path too
    assert.ok(decodeMatrix(Buffer.from(body(['{"machine_id":"\\ud800x","hostname":"\\u0000"}'])), LABELS, WINDOW));
  });

  it('reads raw UTF-8 and replaces invalid UTF-8 as decoding the whole body does', () => {
    const head = Buffer.from('{"status":"success","data":{"result":[{"metric":{"machine_id":"');
    const tail = Buffer.from('"},"values":[[1000,"1"]]}]}}');
    for (const bytes of [[0xc3, 0xa9], [0xe2, 0x82], [0xff], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98, 0x80], [0xf0, 0x9f, 0x98], [0xc3, 0x5c, 0x6e], [0x80, 0xc3]]) {
      const out = decode(Buffer.concat([head, Buffer.from(bytes), tail]));
      assert.equal(out?.metrics.length, 1);
    }
  });

  it('reads sample values in every spelling as strconv.ParseFloat → float32 (via parseGoFloat)', () => {
    const spellings = [
      '1', '-1', '+1', '0', '-0', '+0', '1.5', '.5', '-.5', '5.', '1.e5', '1e5', '1E+5', '1e-5', '1.5e+06', '0.1', '0.30000000000000004',
      '123456789012345', '1234567890123456', '9007199254740993', '1234567890123456789', '16777217', '0.000000000000000000001',
      '1e22', '1e23', '1e-22', '1e-23', '123456789012345e7', '1e40', '-1e40', '1e-50', '1e400', '3.4028235e38', '3.4028236e38',
      '1.401298464324817e-45', '7e-46', '00012', '360.14285714285717', '-0.09999999999999999', '1.0000000596046447753906251',
      // float32 midpoints and their neighbours, where rounding twice (to double, then to float32) decides
      '16777217.000000000001', '16777217.00000000000000000001', '16777216.999999999999', '1.00000005960464477539062500001',
      '1.0000000596046447753906249999', '0.1000000000000000055511151231257827', '1234567890123456789012345678901234567890',
      '12345678901234567890123456789012345678901', '0.000000000000000000000000000000000000000000001', '1e0005', '1e00000000000000005', '2.5e-3', '4.94065645841246544e-324',
      'Inf', '+Inf', '-Inf', 'inf', 'INF', 'Infinity', '-infinity', '+INFINITY', 'NaN', 'nan', '-NaN', '+nan',
      '', ' 1', '1 ', '1e', 'e1', '.', '-', '+', '1.2.3', '0x1p3', '0x10', '1_000', '--1', '1e+', 'infinit', 'nana', 'Inf1', '١',
      '\\u0031', '\\u002b\\u0049nf', 'é',
    ];
    for (const raw of spellings) {
      const out = decode(sampleBody(raw));
      const text = JSON.parse(`"${raw}"`) as string;
      const expected = parseGoFloat(text);
      if (expected === undefined || Number.isNaN(expected)) assert.equal(out?.metrics.length, 0, raw);
      else assert.ok(Object.is(out?.metrics[0]!.values[0], Math.fround(expected)), raw);
    }
    assert.ok(Object.is(decode(sampleBody('-0'))!.metrics[0]!.values[0], -0));
    assert.equal(decode(sampleBody('16777217'))!.metrics[0]!.values[0], 16777216);
    // the double nearest is 16777217, a float32 tie that goes to even; the decimal alone would round up
    assert.equal(decode(sampleBody('16777217.000000000001'))!.metrics[0]!.values[0], 16777216);
  });

  it('reads random decimals exactly as Number() then Math.fround', () => {
    const next = random(1);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
    for (let i = 0; i < 20_000; i++) {
      let raw = (next() < 0.3 ? '-' : '') + digits(Math.floor(next() * 20));
      if (next() < 0.7) raw += `.${digits(Math.floor(next() * 20))}`;
      if (next() < 0.3) raw += `e${next() < 0.5 ? '-' : ''}${Math.floor(next() * 40)}`;
      const out = decode(sampleBody(raw));
      const expected = parseGoFloat(raw);
      if (expected !== undefined) assert.ok(Object.is(out!.metrics[0]!.values[0], Math.fround(expected)), raw);
    }
    // long spellings at and around float32 midpoints
    const bits = new Uint32Array(1);
    const float = new Float32Array(bits.buffer);
    for (let i = 0; i < 5000; i++) {
      bits[0] = Math.floor(next() * 0x7f000000);
      const low = float[0]!;
      bits[0]! += 1;
      const mid = (low + float[0]!) / 2;
      for (const raw of [mid.toPrecision(17), mid.toPrecision(21), `${mid.toPrecision(19)}1`, mid.toExponential(19), (mid * (1 + 2 ** -45)).toPrecision(18)]) {
        if (!/^[\d.e+-]+$/.test(raw) || raw.length > 40) continue;
        assert.ok(Object.is(decode(sampleBody(raw))!.metrics[0]!.values[0], Math.fround(Number(raw))), raw);
      }
    }
  });

  it('reads timestamps as JSON numbers, truncated towards zero, skipping points that are not finite', () => {
    for (const ts of ['1000', '1000.0', '1029.999', '1e3', '1.03E3', '1079.99999999999999999', '1079.9999999999', '999.5', '-0', '-0.5', '1e400', '-1e400', '1120.000000000000000001', '1090e-0']) {
      decode(sampleBody('7', ts));
    }
    // 1079.99999999999999999 is the double 1080: grid point 1080, not 1050
    assert.deepEqual([...decode(sampleBody('7', '1079.99999999999999999'))!.metrics[0]!.values], [NaN, NaN, NaN, 7, NaN]);
    assert.equal(decode(sampleBody('7', '1e400'))!.metrics.length, 0);
    const negative = { from: -120, to: 0, step: 30 };
    for (const ts of ['-0', '-0.5', '-29.5', '-30', '-31', '-119.9', '-120', '-121']) decode(sampleBody('7', ts), { window: negative });
  });

  it('leaves every other shape to the JSON.parse path', () => {
    const declined = [
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }),
      JSON.stringify({ data: { result: [] }, status: 'success', status2: 1 }).replace('status2', 'status'),
      '{"status":"success","status":"success","data":{"result":[]}}',
      '{"status":"success","data":{"result":[]},"data":{"result":[]}}',
      '{"status":"success","data":{"result":[],"result":[]}}',
      '{"status":"success","data":{}}',
      '{"status":"success"}',
      '{"status":"success","data":{"result":{}}}',
      '{"status":"success","data":{"result":[1]}}',
      '{"status":"success","data":{"result":[{}]}}',
      '{"status":"success","data":{"result":[{"values":[[1000,"1"]],"metric":{"machine_id":"a"}}]}}',
      '{"status":"success","data":{"result":[{"metric":{"machine_id":"a"},"metric":{"machine_id":"b"},"values":[]}]}}',
      '{"status":"success","data":{"result":[{"metric":{"machine_id":"a"},"values":[],"values":[]}]}}',
      '{"status":"success","data":{"result":[{"metric":{"machine_id":"a","machine_id":"b"},"values":[[1000,"1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{"machine_id":"a","machine\\u005fid":"b"},"values":[[1000,"1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{"machine_id":1},"values":[[1000,"1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{"job":null},"values":[[1000,"1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":"x","values":[[1000,"1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[[1000,"1",3]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[[1000]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[["1000","1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[[1000,1]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":"x"}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[1]}]}}',
      '{"status":"success","data":{"result":[]},"warnings":"w"}',
      '{"status":"success","data":{"result":[]},"warnings":[1,null,"w"]}',
      '{"status":"success","data":{"result":[]},"x":' + '['.repeat(1000) + ']'.repeat(1000) + '}',
      '\ufeff{"status":"success","data":{"result":[]}}',
      '[]', '"success"', 'null', '',
    ];
    for (const body of declined) {
      assert.equal(decodeMatrix(Buffer.from(body), LABELS, WINDOW), undefined, body);
      decode(body, { mayDecline: true });
    }
    // unknown keys and values of every kind are skipped
    const out = decode('{"status":"success","infos":["i"],"data":{"resultType":"matrix","stats":{"a":[1,-2.5e+3,true,false,null,{}],"b":[]},"result":[{"metric":{"job":"j","x":"\\u0000"},"histograms":[[1000,{"count":"1"}]],"values":[[1000,"1"]]},{"metric":{},"value":[1000,"1"]}]},"extra":0}');
    assert.ok(decodeMatrix(Buffer.from(JSON.stringify(JSON.parse(usual))), LABELS, WINDOW));
    assert.equal(out?.metrics.length, 1);
  });

  it('declines invalid JSON it would otherwise read', () => {
    for (const body of [
      '{"status":"success","data":{"result":[]}} x',
      '{"status":"success","data":{"result":[]},}',
      '{"status":"success","data":{"result":[],}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[[01000,"1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[[1000.,"1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[[+1000,"1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[[1000e,"1"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{},"values":[[1000,"1\n"]]}]}}',
      '{"status":"success","data":{"result":[{"metric":{"job":"a\\x"},"values":[]}]}}',
      '{"status":"success","data":{"result":[{"metric":{"job":"\\u12"},"values":[]}]}}',
      '{"status":"success","data":{"result":[{"metric":{"job":"\\u12g4"},"values":[]}]}}',
      '{"status":"success","data":{"result":[{"metric":{"job":"\t"},"values":[]}]}}',
      '{"status":"success","data":{"result":[]},"x":tru}',
      '{"status":"success","data":{"result":[]},"x":nul}',
      '{"status":"success","data":{"result":[]},"x":[1,]}',
      '{"status":"success","data":{"result":[]},"x":-}',
      "{'status':'success'}",
    ]) {
      assert.equal(decodeMatrix(Buffer.from(body), LABELS, WINDOW), undefined, body);
      assert.equal(reference(Buffer.from(body)), undefined, body);
    }
  });

  it('declines, without throwing, the answer cut at every byte', () => {
    const body = Buffer.from(matrix([
      { metric: { __name__: 'x', machine_id: 'm\u00e9\ud83d\ude00', hostname: 'a"b' }, values: [[1000.5, '1.5e3'], [1030, 'NaN']] },
      { metric: { machine_id: 'm2' }, values: [[1060, '-Inf']] },
    ], { warnings: ['w'] }));
    for (let i = 0; i < body.length; i++) {
      assert.equal(decodeMatrix(body.subarray(0, i), LABELS, WINDOW), undefined, String(i));
    }
    assert.equal(decode(body)?.metrics.length, 2);
  });

  it('never disagrees with the JSON.parse path on mutated answers', () => {
    const next = random(7);
    const source = Buffer.from(usual.replace('"m1"', '"m\\u00e9\\ud83d\\ude00"'));
    const alphabet = Buffer.from('{}[],:"\\u0 1e.-+naIfN\t\n');
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const bytes = [...source];
      for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
        const at = Math.floor(next() * bytes.length);
        const byte = next() < 0.1 ? Math.floor(next() * 256) : alphabet[Math.floor(next() * alphabet.length)]!;
        const op = next();
        if (op < 0.33) bytes.splice(at, 1);
        else if (op < 0.66) bytes.splice(at, 0, byte);
        else bytes[at] = byte;
      }
      if (decode(Buffer.from(bytes), { mayDecline: true }) && decodeMatrix(Buffer.from(bytes), LABELS, WINDOW)) accepted++;
    }
    assert.ok(accepted > 500, `only ${accepted} mutated answers were read by the fast path`);
  });

  it('keeps the allow-list: no labels at all merges every series', () => {
    const out = decode(usual, { labels: new Set() });
    assert.equal(out?.metrics.length, 1);
    assert.deepEqual(decode(usual, { labels: new Set(['job']) })?.metrics.map((m) => m.labels), [{ job: 'a' }, { job: 'b' }, {}]);
  });
});
