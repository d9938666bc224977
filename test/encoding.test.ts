/**
 * The Go-exact JSON encoder checked against Go's own encoding/json. One stdlib-only Go program (built
 * once) encodes, in bulk through stdin: float32 bit patterns, byte strings, maps and string sets with
 * tricky keys, and a struct mirroring the payload's kinds (omitempty, nil vs empty, MarshalJSON types).
 *
 * The Go here is Debian's 1.19, which writes U+0008 and U+000C as \u0008 and \u000c; Coroot v1.24.5 is
 * built with Go 1.25, which writes \b and \f. Go's output is rewritten for exactly those two escapes
 * and nothing else before comparing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { formatFloat32 } from '../src/encoding/float32.js';
import { compareGoStrings, encodeGo, encodeGoIndented, escapeGoString } from '../src/encoding/gojson.js';
import type { GoField, GoType } from '../src/encoding/gotype.js';
import { buildGoProgram } from './helpers/services.js';

// ------------------------------------------------------------------------------------ Go reference

// Struct tags are interpreted strings so the source fits in a template literal.
const GO_SOURCE = String.raw`package main

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	switch os.Args[1] {
	case "floats":
		for i := 0; i+4 <= len(in); i += 4 {
			b, err := json.Marshal(math.Float32frombits(binary.LittleEndian.Uint32(in[i:])))
			if err != nil {
				panic(err)
			}
			out.Write(b)
			out.WriteByte('\n')
		}
	case "strings":
		for _, s := range readStrings(&in, -1) {
			b, err := json.Marshal(s)
			if err != nil {
				panic(err)
			}
			out.Write(b)
			out.WriteByte('\n')
		}
	case "maps":
		enc := json.NewEncoder(out)
		for len(in) > 0 {
			n := int(binary.LittleEndian.Uint32(in))
			in = in[4:]
			keys := readStrings(&in, n)
			m := map[string]int{}
			for i, k := range keys {
				m[k] = i
			}
			enc.Encode(m)
			enc.Encode(NewStringSet(keys...))
		}
	case "structs":
		enc := json.NewEncoder(out)
		for _, s := range samples() {
			var compact []byte
			if err := json.NewEncoder(&sliceWriter{&compact}).Encode(s); err != nil {
				panic(err)
			}
			spaces, _ := json.MarshalIndent(s, "", "  ")
			tabs, _ := json.MarshalIndent(s, "", "\t")
			enc.Encode([]string{
				base64.StdEncoding.EncodeToString(compact),
				base64.StdEncoding.EncodeToString(append(spaces, '\n')),
				base64.StdEncoding.EncodeToString(append(tabs, '\n')),
			})
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown mode")
		os.Exit(2)
	}
}

type sliceWriter struct{ b *[]byte }

func (w *sliceWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }

func readStrings(in *[]byte, n int) []string {
	var res []string
	for (n < 0 && len(*in) > 0) || len(res) < n {
		l := int(binary.LittleEndian.Uint32(*in))
		res = append(res, string((*in)[4:4+l]))
		*in = (*in)[4+l:]
	}
	return res
}

// Value mirrors timeseries.Value.
type Value float32

func (v Value) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float32(v))
}

// StringSet mirrors utils.StringSet.
type StringSet struct{ m map[string]struct{} }

func NewStringSet(items ...string) *StringSet {
	ss := &StringSet{m: map[string]struct{}{}}
	for _, i := range items {
		if i != "" {
			ss.m[i] = struct{}{}
		}
	}
	return ss
}

func (ss *StringSet) MarshalJSON() ([]byte, error) {
	items := make([]string, 0, len(ss.m))
	for k := range ss.m {
		items = append(items, k)
	}
	sort.Strings(items)
	return json.Marshal(items)
}

type Inner struct {
	N int     "json:\"n\""
	F float32 "json:\"f\""
}

type Dest struct {
	Unique int "json:\"unique\""
	hidden *StringSet
}

type Sample struct {
	Name     string            "json:\"name\""
	Opt      string            "json:\"opt,omitempty\""
	Flag     bool              "json:\"flag\""
	OptFlag  bool              "json:\"opt_flag,omitempty\""
	Count    int64             "json:\"count\""
	OptCount int               "json:\"opt_count,omitempty\""
	Ratio    float32           "json:\"ratio\""
	OptRatio float32           "json:\"opt_ratio,omitempty\""
	Val      Value             "json:\"val\""
	OptVal   Value             "json:\"opt_val,omitempty\""
	Ptr      *bool             "json:\"ptr\""
	OptPtr   *Dest             "json:\"opt_ptr,omitempty\""
	Set      *StringSet        "json:\"set\""
	OptSet   *StringSet        "json:\"opt_set,omitempty\""
	Map      map[string]int    "json:\"map\""
	OptMap   map[string]int    "json:\"opt_map,omitempty\""
	Slice    []*Inner          "json:\"slice\""
	OptSlice []Inner           "json:\"opt_slice,omitempty\""
	Nested   Inner             "json:\"nested\""
	Structs  map[string]*Inner "json:\"structs\""
	Vals     []Value           "json:\"vals\""
}

func samples() []Sample {
	t := true
	nan := Value(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	return []Sample{
		{},
		{Set: NewStringSet(), OptSet: NewStringSet(), Map: map[string]int{}, OptMap: map[string]int{},
			Slice: []*Inner{}, OptSlice: []Inner{}, Structs: map[string]*Inner{}, Vals: []Value{}, OptVal: nan,
			OptRatio: negZero},
		{Name: "a<b>&c\u2028\b\f", Opt: "x", Flag: true, OptFlag: true, Count: -9007199254740991, OptCount: 7,
			Ratio: float32(1.0 / 3), OptRatio: 1e-7, Val: Value(float32(0.053)), OptVal: Value(float32(2.5e-8)),
			Ptr: &t, OptPtr: &Dest{Unique: 3, hidden: NewStringSet("z")},
			Set: NewStringSet("b", "a", "b", "", "\u00e9", "\U0001F600", "\uE000"), OptSet: NewStringSet(""),
			Map: map[string]int{"b": 1, "B": 2, "": 3, "<": 4}, OptMap: map[string]int{"k": 0},
			Slice:    []*Inner{{N: 1, F: 1.5}, nil, {N: -2, F: negZero}},
			OptSlice: []Inner{{}},
			Nested:   Inner{N: 5, F: 16777216000},
			Structs:  map[string]*Inner{"z": {N: 1}, "a": nil, "\u00e9": {F: 1e21}},
			Vals:     []Value{0, nan, Value(math.Inf(1)), Value(math.Inf(-1)), Value(float32(1e-7)), 4294967296},
		},
	}
}
`;

let goProgram: string | undefined;

function runGo(mode: string, input: Buffer): Buffer {
  goProgram ??= buildGoProgram('coroot-usage-encoding-ref', GO_SOURCE);
  const result = spawnSync(goProgram, [mode], { input, maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`Go reference program (${mode}) failed: ${result.stderr.toString()}`);
  return result.stdout;
}

function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  assert.equal(start, buf.length, 'Go output must end with a newline');
  return lines;
}

/** Rewrites Go 1.19's \u0008 and \u000c escapes into Go 1.22+'s \b and \f, walking escape by escape. */
let go119Rewrites = 0;
function asGo122(json: string): string {
  let out = '';
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (c !== '\\') {
      out += c;
    } else if (json[i + 1] === 'u') {
      const escape = json.slice(i, i + 6);
      const modern = escape === '\\u0008' ? '\\b' : escape === '\\u000c' ? '\\f' : escape;
      if (modern !== escape) go119Rewrites++;
      out += modern;
      i += 5;
    } else {
      out += c + json[i + 1]!;
      i++;
    }
  }
  return out;
}

/** Go's output as text: it is valid UTF-8, so decoding loses nothing (checked). */
function goText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  assert.ok(Buffer.from(text, 'utf8').equals(bytes), 'Go output is not valid UTF-8');
  return asGo122(text);
}

function lengthPrefixed(strings: Uint8Array[]): Buffer[] {
  return strings.flatMap((s) => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(s.length);
    return [len, Buffer.from(s)];
  });
}

/** Deterministic so that a failure reproduces. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ------------------------------------------------------------------------------------ float32

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

function floatOf(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

const RANDOM_FLOATS = 300_000;

function floatBitPatterns(): Uint32Array {
  const set = new Set<number>();
  const add = (bits: number) => {
    if (bits < 0 || bits > 0xffffffff) return;
    if (((bits >>> 23) & 0xff) !== 0xff) set.add(bits >>> 0);
  };
  const addNear = (bits: number, radius: number) => {
    for (let d = -radius; d <= radius; d++) add(bits + d);
  };
  const mantissas = [0, 1, 2, 3, 4, 5, 0x7fffff, 0x7ffffe, 0x7ffffd, 0x400000, 0x3fffff, 0x400001, 0x200000, 0x600000, 0x555555, 0x2aaaaa];
  for (let exp = 0; exp < 255; exp++) {
    for (const m of mantissas) {
      add((exp << 23) | m);
      add((0x80000000 | (exp << 23) | m) >>> 0);
    }
    // Powers of two and their neighbours on both sides, where the rounding interval is asymmetric.
    addNear(exp << 23, 64);
  }
  for (let k = -45; k <= 38; k++) addNear(bitsOf(Number(`1e${k}`)), 200);
  addNear(bitsOf(1e-6), 3000);
  addNear(bitsOf(1e21), 3000);
  for (let p = 23; p <= 48; p++) for (let d = -2000; d <= 2000; d++) add(bitsOf(2 ** p + d));
  for (let b = 0; b <= 5000; b++) {
    add(b);
    add(0x7fffff - b);
  }
  const rnd = mulberry32(0x5eed1e);
  // Values like the payload's: short decimals, durations in seconds, byte counts, dyadic ties.
  for (let i = 0; i < 40_000; i++) add(bitsOf(Math.floor(rnd() * 1e6) / 10 ** Math.floor(rnd() * 13)));
  for (let i = 0; i < 20_000; i++) {
    const ns = Math.floor(rnd() * 10 ** (3 + rnd() * 9));
    add(bitsOf(Math.floor(ns / 1e9) + (ns % 1e9) / 1e9));
  }
  for (let i = 0; i < 10_000; i++) add(bitsOf(Math.floor(rnd() * 2 ** (20 + rnd() * 30))));
  for (let i = 0; i < 30_000; i++) add(bitsOf(Math.floor(rnd() * 2 ** 24) / 2 ** Math.floor(rnd() * 50)));
  for (let added = 0; added < RANDOM_FLOATS; ) {
    const bits = Math.floor(rnd() * 2 ** 32);
    const before = set.size;
    add(bits);
    if (set.size > before) added++;
  }
  return Uint32Array.from(set);
}

test('formatFloat32 matches Go encoding/json on several hundred thousand float32 bit patterns', () => {
  const patterns = floatBitPatterns();
  const input = Buffer.alloc(patterns.length * 4);
  patterns.forEach((bits, i) => input.writeUInt32LE(bits, i * 4));
  const lines = splitLines(runGo('floats', input));
  assert.equal(lines.length, patterns.length);
  const mismatches: string[] = [];
  let count = 0;
  for (let i = 0; i < patterns.length; i++) {
    const bits = patterns[i]!;
    const go = lines[i]!.toString('latin1');
    const ours = formatFloat32(floatOf(bits));
    if (ours !== go) {
      count++;
      if (mismatches.length < 10) mismatches.push(`0x${bits.toString(16).padStart(8, '0')}: Go ${go}, ours ${ours}`);
    }
  }
  console.log(`float32: compared ${patterns.length} Go encodings, ${count} mismatches`);
  assert.equal(count, 0, `float32 mismatches (first ${mismatches.length}):\n${mismatches.join('\n')}`);
});

test('formatFloat32 refuses what Go could not hold or encode', () => {
  assert.throws(() => formatFloat32(NaN), RangeError);
  assert.throws(() => formatFloat32(Infinity), RangeError);
  assert.throws(() => formatFloat32(-Infinity), RangeError);
  assert.throws(() => formatFloat32(0.1), /not a float32/);
  assert.equal(formatFloat32(-0), '-0');
  assert.equal(formatFloat32(Math.fround(-1e-7)), '-1e-7');
});

// ------------------------------------------------------------------------------------ strings

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const bytes = (...b: number[]) => new Uint8Array(b);

function stringSamples(): { raw: Uint8Array[]; js: string[] } {
  const raw: Uint8Array[] = [
    new Uint8Array(0),
    Buffer.concat([
      utf8('<a>&b \u2028\u2029 \x7f \t\n\r\x01 / " \\ é 😀 '),
      bytes(0xff, 0x20, 0xe2, 0x80, 0x20, 0xed, 0xa0, 0x80),
    ]),
    utf8('\b\f\u000b\u001b\u001f\u0000 \u00e9\u0800\u07ff\ud7ff\ue000\ufffd\uffff\ufeff\u{10000}\u{1f600}\u{10ffff}'),
    utf8('</script><!-- && -->'),
  ];
  for (let b = 0; b < 256; b++) raw.push(bytes(b));
  for (const cp of [0x80, 0xff, 0x100, 0x7ff, 0x800, 0x2027, 0x2028, 0x2029, 0x202a, 0xd7ff, 0xe000, 0xfffd, 0xfffe, 0xffff, 0x10000, 0x1f600, 0x10ffff]) {
    raw.push(utf8(String.fromCodePoint(cp)));
  }
  const leads = [0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xf8, 0xff];
  const conts = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0];
  for (const l of leads) {
    for (const c1 of conts) {
      raw.push(bytes(l, c1));
      for (const c2 of conts) {
        raw.push(bytes(l, c1, c2));
        for (const c3 of [0x41, 0x80, 0xbf, 0xc0]) raw.push(bytes(l, c1, c2, c3));
      }
    }
  }
  const rnd = mulberry32(0xc0ffee);
  const pieces = [
    ...'abcXYZ019 _-/.:'.split('').map(utf8),
    ...'"\\<>&\b\f\n\r\t\x00\x01\x1f\x7f'.split('').map(utf8),
    utf8('é'), utf8('\u2028'), utf8('\u2029'), utf8('😀'), utf8('\ufffd'), utf8('\ue000'), utf8('ü'), utf8('日本'),
    bytes(0xff), bytes(0xc3), bytes(0xe2, 0x80), bytes(0xed, 0xa0, 0x80), bytes(0xf0, 0x9f), bytes(0x80), bytes(0xc0, 0xaf),
  ];
  for (let i = 0; i < 5000; i++) {
    const n = Math.floor(rnd() * 24);
    const parts: Uint8Array[] = [];
    for (let j = 0; j < n; j++) parts.push(pieces[Math.floor(rnd() * pieces.length)]!);
    raw.push(new Uint8Array(Buffer.concat(parts)));
  }
  // JS strings with lone surrogates: Go would have held U+FFFD there (json.Unmarshal's replacement).
  const js = ['\ud800', '\udc00', 'a\ud800b', 'a\udfffb', '\ud83d\ude00\ud83d', '\ude00\ud83d', 'x\ud83d<\ude00>', '\udbff\udfff\udbff'];
  return { raw, js };
}

function isValidUtf8(b: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

test('escapeGoString matches Go encoding/json on byte strings and JS strings', () => {
  const { raw, js } = stringSamples();
  const all = [...raw, ...js.map((s) => new Uint8Array(Buffer.from(s, 'utf8')))];
  const lines = splitLines(runGo('strings', Buffer.concat(lengthPrefixed(all))));
  assert.equal(lines.length, all.length);
  const mismatches: string[] = [];
  let compared = 0;
  let failed = 0;
  const check = (ours: string, goLine: Buffer, label: string) => {
    compared++;
    const go = goText(goLine);
    if (ours === go) return;
    failed++;
    if (mismatches.length < 10) mismatches.push(`${label}: Go ${go}, ours ${ours}`);
  };
  raw.forEach((s, i) => {
    const hex = Buffer.from(s).toString('hex');
    check(escapeGoString(s), lines[i]!, `bytes ${hex}`);
    if (isValidUtf8(s)) check(escapeGoString(Buffer.from(s).toString('utf8')), lines[i]!, `string ${hex}`);
  });
  js.forEach((s, i) => check(escapeGoString(s), lines[raw.length + i]!, `string ${JSON.stringify(s)}`));
  console.log(`strings: compared ${compared} Go encodings (${go119Rewrites} Go 1.19 \\u0008/\\u000c escapes rewritten), ${failed} mismatches`);
  assert.equal(failed, 0, `string mismatches (first ${mismatches.length}):\n${mismatches.join('\n')}`);
  // Our own output never uses the Go ≤ 1.21 forms.
  assert.equal(escapeGoString('\b\f'), '"\\b\\f"');
});

// ------------------------------------------------------------------------------------ maps and sets

const mapOfInt: GoType = { kind: 'map', value: { kind: 'int' } };
const stringset: GoType = { kind: 'stringset' };

function keySets(): Uint8Array[][] {
  const fixed: string[][] = [
    ['b', 'B', 'a', '_', 'é', 'z', '', '😀', '\ufffd', '<'],
    ['+Logs', '-CPU'],
    ['lg', 'ReplicaSet', 'RDS', 'ExternalService', 'Deployment'],
    ['\ue000', '\u{1f600}', '\uffff', '\u{10000}', '\ud7ff', '&', '>', '\u2028', '\u2029', '\b', '\f', '"', '\\'],
    [],
  ];
  const sets: Uint8Array[][] = fixed.map((keys) => keys.map(utf8));
  sets.push([bytes(0xff), utf8('\ufffd'), bytes(0xc3), utf8('é'), bytes(0xef, 0xbf), utf8('a'), bytes(0xed, 0xa0, 0x80), utf8('\u{10ffff}')]);
  const { raw } = stringSamples();
  const rnd = mulberry32(0xbadcafe);
  for (let i = 0; i < 300; i++) {
    const seen = new Set<string>();
    const keys: Uint8Array[] = [];
    const n = 1 + Math.floor(rnd() * 12);
    for (let j = 0; j < n; j++) {
      const key = raw[Math.floor(rnd() * raw.length)]!;
      const hex = Buffer.from(key).toString('hex');
      if (!seen.has(hex)) keys.push(key);
      seen.add(hex);
    }
    sets.push(keys);
  }
  return sets;
}

test('map key order and string sets match Go encoding/json', () => {
  const sets = keySets();
  const input = Buffer.concat(
    sets.flatMap((keys) => {
      const n = Buffer.alloc(4);
      n.writeUInt32LE(keys.length);
      return [n, ...lengthPrefixed(keys)];
    }),
  );
  const lines = splitLines(runGo('maps', input));
  assert.equal(lines.length, sets.length * 2);
  const mismatches: string[] = [];
  let compared = 0;
  let failed = 0;
  const check = (ours: Buffer, goLine: Buffer, label: string) => {
    compared++;
    const go = goText(goLine) + '\n';
    const text = ours.toString('utf8');
    if (text === go) return;
    failed++;
    if (mismatches.length < 10) mismatches.push(`${label}: Go ${go}ours ${text}`);
  };
  sets.forEach((keys, i) => {
    const label = `set ${i} [${keys.map((k) => Buffer.from(k).toString('hex')).join(' ')}]`;
    check(encodeGo(new Map(keys.map((k, j) => [k, j])), mapOfInt), lines[2 * i]!, `map ${label}`);
    // Go's StringSet drops "" and duplicates; ours must too, whatever order they come in.
    check(encodeGo([...keys].reverse().concat([new Uint8Array(0)], keys), stringset), lines[2 * i + 1]!, `set ${label}`);
    if (keys.every(isValidUtf8)) {
      const strings = keys.map((k) => Buffer.from(k).toString('utf8'));
      check(encodeGo(Object.fromEntries(strings.map((k, j) => [k, j])), mapOfInt), lines[2 * i]!, `object ${label}`);
      check(encodeGo(new Map(strings.map((k, j) => [k, j])), mapOfInt), lines[2 * i]!, `Map<string> ${label}`);
      check(encodeGo(new Set(strings), stringset), lines[2 * i + 1]!, `Set<string> ${label}`);
    }
  });
  console.log(`maps/sets: compared ${compared} Go encodings, ${failed} mismatches`);
  assert.equal(failed, 0, `map/set mismatches (first ${mismatches.length}):\n${mismatches.join('\n')}`);
});

test('compareGoStrings orders by UTF-8 bytes', () => {
  const rnd = mulberry32(42);
  const units = [0x41, 0x7a, 0xe9, 0x2028, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0xd83d, 0xde00, 0xdbff, 0xdfff, 0xd800, 0xdc00];
  const randomString = () => String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 5) }, () => units[Math.floor(rnd() * units.length)]!));
  for (let i = 0; i < 20_000; i++) {
    const a = randomString();
    const b = randomString();
    const expected = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.equal(Math.sign(compareGoStrings(a, b)), expected, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(Math.sign(compareGoStrings(utf8(a), b)), expected);
  }
  assert.ok(compareGoStrings('\ue000', '😀') < 0);
  assert.ok(compareGoStrings(bytes(0xff), '\ufffd') > 0);
});

// ------------------------------------------------------------------------------------ structs

const int: GoType = { kind: 'int' };
const bool: GoType = { kind: 'bool' };
const float32: GoType = { kind: 'float32' };
const value: GoType = { kind: 'value' };
const string: GoType = { kind: 'string' };
const struct = (...fields: GoField[]): GoType => ({ kind: 'struct', fields });
const f = (name: string, type: GoType, omitempty = false): GoField => (omitempty ? { name, type, omitempty } : { name, type });
const map = (v: GoType): GoType => ({ kind: 'map', value: v });
const slice = (elem: GoType): GoType => ({ kind: 'slice', elem });
const ptr = (elem: GoType): GoType => ({ kind: 'ptr', elem });

const innerType = struct(f('n', int), f('f', float32));
const sampleType = struct(
  f('name', string),
  f('opt', string, true),
  f('flag', bool),
  f('opt_flag', bool, true),
  f('count', int),
  f('opt_count', int, true),
  f('ratio', float32),
  f('opt_ratio', float32, true),
  f('val', value),
  f('opt_val', value, true),
  f('ptr', ptr(bool)),
  f('opt_ptr', ptr(struct(f('unique', int))), true),
  f('set', stringset),
  f('opt_set', stringset, true),
  f('map', map(int)),
  f('opt_map', map(int), true),
  f('slice', slice(ptr(innerType))),
  f('opt_slice', slice(innerType), true),
  f('nested', innerType),
  f('structs', map(ptr(innerType))),
  f('vals', slice(value)),
);

/** The same three values as samples() in the Go program. */
function sampleValues(): unknown[] {
  const zero = {
    name: '', opt: '', flag: false, opt_flag: false, count: 0, opt_count: 0, ratio: 0, opt_ratio: 0, val: 0, opt_val: 0,
    ptr: null, opt_ptr: null, set: null, opt_set: null, map: null, opt_map: null, slice: null, opt_slice: null,
    nested: { n: 0, f: 0 }, structs: null, vals: null,
  };
  const empty = {
    ...zero, set: [], opt_set: new Set(), map: {}, opt_map: new Map(), slice: [], opt_slice: [], structs: {}, vals: [], opt_val: null,
    opt_ratio: -0,
  };
  // Absent omitempty properties count as empty.
  delete (empty as Partial<typeof empty>).opt;
  const full = {
    name: 'a<b>&c\u2028\b\f', opt: 'x', flag: true, opt_flag: true, count: -9007199254740991, opt_count: 7,
    ratio: 1 / 3, opt_ratio: 1e-7, val: 0.053, opt_val: 2.5e-8, ptr: true, opt_ptr: { unique: 3, hidden: ['z'] },
    set: ['b', 'a', 'b', '', 'é', '😀', '\ue000'], opt_set: [''],
    map: { b: 1, B: 2, '': 3, '<': 4 }, opt_map: { k: 0 },
    slice: [{ n: 1, f: 1.5 }, null, { n: -2, f: -0 }], opt_slice: [{ n: 0, f: 0 }],
    nested: { n: 5, f: 16777216000 }, structs: { z: { n: 1, f: 0 }, a: null, é: { n: 0, f: 1e21 } },
    vals: [0, NaN, null, -Infinity, 1e-7, 4294967296],
  };
  return [zero, empty, full];
}

test('structs: field order, omitempty, nil vs empty, MarshalJSON kinds, indentation match Go', () => {
  const lines = splitLines(runGo('structs', Buffer.alloc(0)));
  const values = sampleValues();
  assert.equal(lines.length, values.length);
  values.forEach((v, i) => {
    const [compact, spaces, tabs] = (JSON.parse(lines[i]!.toString('utf8')) as string[]).map((b64) => goText(Buffer.from(b64, 'base64')));
    assert.equal(encodeGo(v, sampleType).toString('utf8'), compact, `sample ${i} compact`);
    assert.equal(encodeGoIndented(v, sampleType).toString('utf8'), spaces, `sample ${i} indented`);
    assert.equal(encodeGoIndented(v, sampleType, '\t').toString('utf8'), tabs, `sample ${i} tab-indented`);
  });
});

test('values that do not fit their Go kind are rejected with the JSON path', () => {
  const queries = struct(f('metrics_count', int), f('query_time', float32), f('failed', bool));
  const perf = struct(f('performance', struct(f('constructor', struct(f('queries', map(queries)))))));
  const wrap = (q: unknown) => ({ performance: { constructor: { queries: { up: q } } } });
  const ok = { metrics_count: 1, query_time: 0.5, failed: false };
  assert.equal(encodeGo(wrap(ok), perf).toString(), '{"performance":{"constructor":{"queries":{"up":{"metrics_count":1,"query_time":0.5,"failed":false}}}}}\n');
  const cases: Array<[unknown, RegExp]> = [
    [{ ...ok, query_time: '0.5' }, /^performance\.constructor\.queries\.up\.query_time: expected a number/],
    [{ ...ok, query_time: NaN }, /^performance\.constructor\.queries\.up\.query_time: .*NaN/],
    [{ ...ok, query_time: Infinity }, /^performance\.constructor\.queries\.up\.query_time: .*Infinity/],
    [{ ...ok, metrics_count: 1.5 }, /^performance\.constructor\.queries\.up\.metrics_count: expected .*integer/],
    [{ ...ok, failed: 0 }, /^performance\.constructor\.queries\.up\.failed: expected a boolean/],
    [{ metrics_count: 1, query_time: 0.5 }, /^performance\.constructor\.queries\.up\.failed: missing field/],
    [[1], /^performance\.constructor\.queries\.up: expected an object/],
  ];
  for (const [q, message] of cases) assert.throws(() => encodeGo(wrap(q), perf), { message });
  assert.throws(() => encodeGo({ a: [1, 'x'] }, struct(f('a', slice(int)))), { message: /^a\[1\]: expected an integer/ });
  assert.throws(() => encodeGo(['a', 3], stringset), { message: /^\[1\]: expected a string/ });
  assert.throws(() => encodeGo('x', map(int)), { message: /^\(root\): expected a Map/ });
  assert.throws(() => encodeGo(2n ** 63n, int), /int64/);
  assert.equal(encodeGo(-(2n ** 63n), int).toString(), '-9223372036854775808\n');
  assert.equal(encodeGo(-0, int).toString(), '0\n');
});

// ------------------------------------------------------------------------------------ golden payloads

const ids = struct(f('project_level', int), f('application_level', int));
const appStats = struct(f('applications', int), f('instances', int));
const destination = struct(
  ...['unique', 'external_total', 'external_unique', 'private_total', 'private_unique', 'fqdn_total', 'fqdn_unique', 'loopback_total'].map((n) => f(n, int)),
);
const container = struct(
  ...['cpu_total', 'cpu_usage', 'cpu_limit', 'cpu_delay', 'cpu_throttling', 'memory_total', 'memory_usage', 'memory_limit', 'memory_ooms', 'restarts'].map((n) => f(n, value)),
);
const volume = struct(
  ...['size', 'usage', 'read_latency', 'write_latency', 'reads', 'writes', 'read_bandwidth', 'write_bandwidth'].map((n) => f(n, value)),
);

/** The v1.24.5 Stats struct (payload.md §2), written out independently of src/model. */
const statsType: GoType = struct(
  f('instance', struct(f('uuid', string), f('version', string), f('database_type', string), f('edition', string), f('installation_type', string, true))),
  f(
    'integration',
    struct(
      f('prometheus', bool), f('prometheus_refresh_interval', int), f('node_agent', bool), f('node_agent_versions', stringset),
      f('kube_state_metrics', ptr(bool)), f('inspection_overrides', map(ids)), f('application_categories', int),
      f('alerting_integrations', stringset),
      ...['cloud_costs', 'clickhouse', 'tracing', 'logs', 'profiles', 'java_async_profiler', 'fluxcd', 'argocd'].map((n) => f(n, bool)),
    ),
  ),
  f('stack', struct(f('clouds', stringset), f('services', stringset), f('instrumented_services', stringset))),
  f(
    'infra',
    struct(
      f('projects', int), f('nodes', int), f('cpu_cores', int), f('gpus', int), f('applications', int),
      f('applications_by_kind', map(ptr(appStats))), f('instances', int), f('deployments', int),
      f('deployment_summaries', map(int)), f('kernel_versions', stringset),
    ),
  ),
  f(
    'ux',
    struct(
      f('world_load_time_avg', float32), f('audit_time_avg', float32), f('users_by_screen_size', map(int)), f('users_by_theme', map(int)),
      f('users', stringset), f('users_by_role', map(int)), f('page_views', map(int)), f('api_calls', map(int)), f('mcp_calls', map(int)),
      f('sent_notifications', map(int)),
    ),
  ),
  f(
    'performance',
    struct(
      f(
        'constructor',
        struct(
          f('stages', map(float32)),
          f(
            'queries',
            map(
              struct(
                f('metrics_count', int), f('query_time', float32), f('failed', bool),
                f('cardinality', ptr(struct(f('container_id', int), f('destination', ptr(destination), true), f('actual_destination', ptr(destination), true))), true),
              ),
            ),
          ),
        ),
      ),
      f('auditor', struct(f('stages', map(float32)))),
      f('components', slice(ptr(struct(f('id', string), f('instances', slice(ptr(struct(f('containers', map(ptr(container))), f('volumes', slice(ptr(volume))))))))))),
    ),
  ),
  f('profile', struct(f('from', int), f('to', int), f('cpu', string), f('memory', string))),
);

const GOLDEN_B =
  '{"instance":{"uuid":"4423595b-9d97-4e01-a19f-8e3d60c83b2a","version":"1.24.5","database_type":"sqlite","edition":"Community"},"integration":{"prometheus":false,"prometheus_refresh_interval":0,"node_agent":false,"node_agent_versions":[],"kube_state_metrics":null,"inspection_overrides":{},"application_categories":0,"alerting_integrations":[],"cloud_costs":false,"clickhouse":false,"tracing":false,"logs":false,"profiles":false,"java_async_profiler":false,"fluxcd":false,"argocd":false},"stack":{"clouds":[],"services":[],"instrumented_services":[]},"infra":{"projects":0,"nodes":0,"cpu_cores":0,"gpus":0,"applications":0,"applications_by_kind":{},"instances":0,"deployments":0,"deployment_summaries":{},"kernel_versions":[]},"ux":{"world_load_time_avg":0,"audit_time_avg":0,"users_by_screen_size":{},"users_by_theme":{},"users":[],"users_by_role":{"Admin":1},"page_views":{},"api_calls":{},"mcp_calls":{},"sent_notifications":{}},"performance":{"constructor":{"stages":{},"queries":{}},"auditor":{"stages":null},"components":null},"profile":{"from":1767225600,"to":1767225601,"cpu":"H4sIAAAAAAAE/w==","memory":""}}\n';

const GOLDEN_D =
  '{"instance":{"uuid":"4423595b-9d97-4e01-a19f-8e3d60c83b2a","version":"1.24.5","database_type":"sqlite","edition":"Community","installation_type":"helm"},"integration":{"prometheus":true,"prometheus_refresh_interval":15,"node_agent":true,"node_agent_versions":["1.26.3","1.27.0"],"kube_state_metrics":true,"inspection_overrides":{"CPUNode":{"project_level":1,"application_level":2},"NetworkRTT":{"project_level":0,"application_level":1}},"application_categories":3,"alerting_integrations":["slack","webhook"],"cloud_costs":false,"clickhouse":true,"tracing":true,"logs":true,"profiles":true,"java_async_profiler":false,"fluxcd":false,"argocd":false},"stack":{"clouds":["aws"],"services":["coroot-community-edition","postgres","redis"],"instrumented_services":["postgres"]},"infra":{"projects":2,"nodes":3,"cpu_cores":12,"gpus":0,"applications":18,"applications_by_kind":{"Deployment":{"applications":10,"instances":20},"ExternalService":{"applications":2,"instances":2}},"instances":50,"deployments":1,"deployment_summaries":{"+Logs":1,"-CPU":1},"kernel_versions":["6.1.0-18-amd64"]},"ux":{"world_load_time_avg":0.053,"audit_time_avg":0.011000123,"users_by_screen_size":{"lg":1},"users_by_theme":{"dark":1},"users":["20174a56-4a1e-41ca-a90d-b657d1fa873e"],"users_by_role":{"Admin":1},"page_views":{"/p/:projectId/applications":2},"api_calls":{"/api/project/{project}/overview/applications":2,"/api/user":1},"mcp_calls":{},"sent_notifications":{"slack:alerts":4,"webhook":1}},"performance":{"constructor":{"stages":{"load_nodes":0.000139763,"query":0.022014374},"queries":{"container_info":{"metrics_count":130,"query_time":0.015887205,"failed":false,"cardinality":{"container_id":130,"destination":{"unique":1,"external_total":1,"external_unique":1,"private_total":0,"private_unique":0,"fqdn_total":0,"fqdn_unique":0,"loopback_total":0}}},"node_info":{"metrics_count":4,"query_time":0.012892758,"failed":false}}},"auditor":{"stages":{"cpu":2.5e-7,"slo":0.0001}},"components":[{"id":"abc:coroot:Deployment:coroot","instances":[{"containers":{"coroot":{"cpu_total":4,"cpu_usage":0.079,"cpu_limit":null,"cpu_delay":0.001,"cpu_throttling":0,"memory_total":16777216000,"memory_usage":27086848,"memory_limit":null,"memory_ooms":0,"restarts":0}},"volumes":[{"size":10000000000,"usage":12345678,"read_latency":0,"write_latency":0,"reads":0,"writes":0,"read_bandwidth":0,"write_bandwidth":0}]}]},{"id":"abc:coroot:StatefulSet:coroot-prometheus","instances":null}]},"profile":{"from":1767225600,"to":1767225601,"cpu":"H4sIAAAAAAAE/w==","memory":""}}\n';

function basePayload() {
  return {
    instance: { uuid: '4423595b-9d97-4e01-a19f-8e3d60c83b2a', version: '1.24.5', database_type: 'sqlite', edition: 'Community', installation_type: '' },
    integration: {
      prometheus: false, prometheus_refresh_interval: 0, node_agent: false, node_agent_versions: [] as string[], kube_state_metrics: null as boolean | null,
      inspection_overrides: {}, application_categories: 0, alerting_integrations: [] as string[], cloud_costs: false, clickhouse: false,
      tracing: false, logs: false, profiles: false, java_async_profiler: false, fluxcd: false, argocd: false,
    },
    stack: { clouds: [] as string[], services: [] as string[], instrumented_services: [] as string[] },
    infra: {
      projects: 0, nodes: 0, cpu_cores: 0, gpus: 0, applications: 0, applications_by_kind: {}, instances: 0, deployments: 0,
      deployment_summaries: {}, kernel_versions: [] as string[],
    },
    ux: {
      world_load_time_avg: 0, audit_time_avg: 0, users_by_screen_size: {}, users_by_theme: {}, users: [] as string[],
      users_by_role: { Admin: 1 }, page_views: {}, api_calls: {}, mcp_calls: {}, sent_notifications: {},
    },
    performance: { constructor: { stages: {}, queries: {} }, auditor: { stages: null as Record<string, number> | null }, components: null as unknown[] | null },
    profile: { from: 1767225600, to: 1767225601, cpu: 'H4sIAAAAAAAE/w==', memory: '' },
  };
}

test('golden payload B (no projects) from payload.md §12, 1115 bytes', () => {
  const out = encodeGo(basePayload(), statsType);
  assert.equal(out.length, 1115);
  assert.equal(out.toString('utf8'), GOLDEN_B);
});

test('golden payload D (illustrative loaded world) from payload.md §12', () => {
  const p = basePayload();
  p.instance.installation_type = 'helm';
  const dest = { unique: 1, external_total: 1, external_unique: 1, private_total: 0, private_unique: 0, fqdn_total: 0, fqdn_unique: 0, loopback_total: 0 };
  const d = {
    ...p,
    integration: {
      ...p.integration, prometheus: true, prometheus_refresh_interval: 15, node_agent: true, node_agent_versions: new Set(['1.27.0', '1.26.3']),
      kube_state_metrics: true, inspection_overrides: { NetworkRTT: { project_level: 0, application_level: 1 }, CPUNode: { project_level: 1, application_level: 2 } },
      application_categories: 3, alerting_integrations: ['webhook', 'slack'], clickhouse: true, tracing: true, logs: true, profiles: true,
    },
    stack: { clouds: ['aws'], services: ['redis', 'postgres', 'coroot-community-edition'], instrumented_services: ['postgres'] },
    infra: {
      projects: 2, nodes: 3, cpu_cores: 12, gpus: 0, applications: 18, instances: 50, deployments: 1,
      applications_by_kind: { ExternalService: { applications: 2, instances: 2 }, Deployment: { applications: 10, instances: 20 } },
      deployment_summaries: { '-CPU': 1, '+Logs': 1 }, kernel_versions: ['6.1.0-18-amd64'],
    },
    ux: {
      ...p.ux, world_load_time_avg: Math.fround(0.053), audit_time_avg: Math.fround(0.011000123), users_by_screen_size: { lg: 1 }, users_by_theme: { dark: 1 },
      users: ['20174a56-4a1e-41ca-a90d-b657d1fa873e'], page_views: { '/p/:projectId/applications': 2 },
      api_calls: { '/api/user': 1, '/api/project/{project}/overview/applications': 2 }, sent_notifications: { webhook: 1, 'slack:alerts': 4 },
    },
    performance: {
      constructor: {
        stages: { query: 0.022014374, load_nodes: 0.000139763 },
        queries: {
          node_info: { metrics_count: 4, query_time: 0.012892758, failed: false, cardinality: null },
          container_info: { metrics_count: 130, query_time: 0.015887205, failed: false, cardinality: { container_id: 130, destination: dest, actual_destination: null } },
        },
      },
      auditor: { stages: { slo: 0.0001, cpu: 2.5e-7 } },
      components: [
        {
          id: 'abc:coroot:Deployment:coroot',
          instances: [
            {
              containers: {
                coroot: {
                  cpu_total: 4, cpu_usage: 0.079, cpu_limit: null, cpu_delay: 0.001, cpu_throttling: 0, memory_total: 16777216000,
                  memory_usage: 27086848, memory_limit: NaN, memory_ooms: 0, restarts: 0,
                },
              },
              volumes: [{ size: 1e10, usage: 12345678, read_latency: 0, write_latency: 0, reads: 0, writes: 0, read_bandwidth: 0, write_bandwidth: 0 }],
            },
          ],
        },
        { id: 'abc:coroot:StatefulSet:coroot-prometheus', instances: null },
      ],
    },
  };
  assert.equal(encodeGo(d, statsType).toString('utf8'), GOLDEN_D);
  // Indented form: same text once whitespace outside strings is removed (no string here holds any).
  const indented = encodeGoIndented(d, statsType).toString('utf8');
  assert.ok(indented.startsWith('{\n  "instance": {\n    "uuid": "4423595b'));
  assert.equal(indented.replace(/\n\s*/g, '').replace(/": /g, '":') + '\n', GOLDEN_D);
});
