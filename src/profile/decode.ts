/**
 * Bytes → Profile: gunzip (bounded), protobuf decoding with google/pprof's decoder rules, string-table
 * resolution, then validate(). Every problem becomes one CliError('input') naming the profile and what is
 * wrong, never a stack trace and never a half-decoded profile.
 */
import { gunzipSync } from 'node:zlib';
import { inputError } from '../errors.js';
import { grown } from '../typed-arrays.js';
import type { Label, Line, Location, Mapping, Profile, ProfileFunction, ValueType } from './model.js';
import { validate, type RawSamples } from './validate.js';
import { idIndex, type IdIndex } from './ids.js';
import { Reader, WireError } from './wire.js';

/** Uncompressed size we accept: a 50 MB profile is fine, a gzip bomb is not. */
export const MAX_RAW_BYTES = 512 * 1024 * 1024;

export interface DecodedProfile {
  profile: Profile;
  gzipped: boolean;
  /** bytes as given (gzip or raw) */
  compressedSize: number;
  /** protobuf bytes after gunzip */
  rawSize: number;
  /** the protobuf itself, for --write */
  raw: Buffer;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzipProfile(bytes: Buffer, label: string): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_RAW_BYTES });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw inputError(`${label}: decompresses to more than ${MAX_RAW_BYTES / 1024 / 1024} MiB; refusing it`, err);
    }
    if (e.code === 'Z_BUF_ERROR') throw inputError(`${label}: truncated gzip data (${e.message})`, err);
    throw inputError(`${label}: not valid gzip data (${e.message})`, err);
  }
}

/** Decodes gzipped or raw protobuf bytes into a validated profile. */
export function decodeProfile(bytes: Buffer, label: string): DecodedProfile {
  if (bytes.length === 0) throw inputError(`${label}: empty (no profile data)`);
  const gzipped = isGzip(bytes);
  const raw = gzipped ? gunzipProfile(bytes, label) : bytes;
  if (raw.length === 0) throw inputError(`${label}: the gzip data holds an empty profile`);
  let parsed: Parsed;
  try {
    parsed = parseProfile(raw);
  } catch (err) {
    if (err instanceof WireError) throw inputError(`${label}: ${err.message}`, err);
    throw err;
  }
  const checked = validate(parsed.header, parsed.columns);
  if ('problem' in checked) throw inputError(`${label}: invalid profile: ${checked.problem}`);
  const profile: Profile = { ...parsed.header, samples: { ...checked.samples, labels: parsed.labels } };
  return { profile, gzipped, compressedSize: bytes.length, rawSize: raw.length, raw };
}

// ---------------------------------------------------------------------------------------------- decoding

interface RawValueType {
  typeX: number;
  unitX: number;
}

interface RawLabel {
  keyX: number;
  strX: number;
  num: number;
  unitX: number;
}

interface RawMapping {
  id: number;
  start: bigint;
  limit: bigint;
  offset: bigint;
  fileX: number;
  buildIdX: number;
  flags: [boolean, boolean, boolean, boolean];
}

interface RawFunction {
  id: number;
  nameX: number;
  systemNameX: number;
  filenameX: number;
  startLine: number;
}

const WHAT = ['', 'sample_type', 'sample', 'mapping', 'location', 'function', 'string_table', 'drop_frames', 'keep_frames',
  'time_nanos', 'duration_nanos', 'period_type', 'period', 'comment', 'default_sample_type'];

function fail(message: string): never {
  throw new WireError(message);
}

/** An id or count: unsigned, below 2^53. */
function uint(r: Reader, what: string): number {
  if (r.hi === 0) return r.lo >>> 0;
  if (r.wide) fail(`${what} is too large (${r.unsignedBig})`);
  return r.hi * 4294967296 + (r.lo >>> 0);
}

/** A sample value: we accept 0 ≤ v < 2^53 (usage profiles never hold negative values). */
function sampleValue(r: Reader): number {
  if (r.hi === 0) return r.lo >>> 0;
  if (r.negative) fail(`a sample value is negative (${r.signedBig})`);
  if (r.wide) fail(`a sample value is too large (${r.unsignedBig})`);
  return r.hi * 4294967296 + (r.lo >>> 0);
}

/** A string-table index or other int64 that only needs to be compared; huge ones become -1 (out of range). */
function index(r: Reader): number {
  if (r.negative || r.wide) return -1;
  return r.hi * 4294967296 + (r.lo >>> 0);
}

function repeated(r: Reader, what: string, out: number[], read: (r: Reader) => number): void {
  if (r.wireType === 2) {
    const end = r.end;
    r.pos = r.start;
    while (r.pos < end) {
      r.varint(end);
      out.push(read(r));
    }
    return;
  }
  r.expect(0, what);
  out.push(read(r));
}

/*
 * The message parsers below take the Reader to use, set to the message's start: one Reader per nesting
 * level serves the whole profile, instead of an object per location and line.
 */

function parseValueType(r: Reader, start: number, end: number): RawValueType {
  r.pos = start;
  const vt: RawValueType = { typeX: 0, unitX: 0 };
  while (r.next(end)) {
    if (r.field === 1) (r.expect(0, 'value type'), (vt.typeX = index(r)));
    else if (r.field === 2) (r.expect(0, 'value type unit'), (vt.unitX = index(r)));
  }
  return vt;
}

function parseLabel(r: Reader, start: number, end: number): RawLabel {
  r.pos = start;
  const l: RawLabel = { keyX: 0, strX: 0, num: 0, unitX: 0 };
  while (r.next(end)) {
    switch (r.field) {
      case 1: r.expect(0, 'label key'); l.keyX = index(r); break;
      case 2: r.expect(0, 'label str'); l.strX = index(r); break;
      case 3: r.expect(0, 'label num'); l.num = r.signed; break;
      case 4: r.expect(0, 'label num_unit'); l.unitX = index(r); break;
    }
  }
  return l;
}

/**
 * The samples as they are decoded, column-wise (see Samples). Samples are decoded after everything else,
 * so that their location ids become positions right away instead of in a second walk over every frame;
 * a reference to a missing location is kept for validate() to report in its turn.
 */
class SampleColumns implements RawSamples {
  count = 0;
  readonly locStart: Int32Array;
  readonly locations: Int32Array;
  readonly valStart: Int32Array;
  values: Float64Array;
  dangling: { sample: number; id: number } | undefined;
  labels = new Map<number, RawLabel[]>();
  /** location id → position, for ids below its length (see idIndex) */
  readonly table: Int32Array;

  constructor(
    samples: number,
    maxFrames: number,
    private readonly index: IdIndex,
  ) {
    // one more than the samples: the write position of the sample after the last
    this.locStart = new Int32Array(samples + 2);
    this.valStart = new Int32Array(samples + 2);
    this.locations = new Int32Array(maxFrames);
    this.values = new Float64Array(samples * 2 + 8);
    this.table = index.table ?? new Int32Array(0);
  }

  /** The position of a location id the table does not hold: a sparse id, or a dangling reference. */
  lookup(id: number): number {
    const x = this.index.get(id);
    if (x < 0) this.dangling ??= { sample: this.count, id };
    return x;
  }

  /** The values array, with room for n more values in the current sample. */
  reserveValues(n: number): Float64Array {
    const at = this.valStart[this.count + 1]!;
    if (at + n > this.values.length) {
      const grown = new Float64Array(Math.max(at + n, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    return this.values;
  }

  pushValue(v: number): void {
    const at = this.valStart[this.count + 1]!;
    this.reserveValues(1)[at] = v;
    this.valStart[this.count + 1] = at + 1;
  }
}

/**
 * A packed run of location ids, appended to the current sample as positions. Hot: a profile holds
 * millions of frames, so the common one- and two-byte ids are decoded inline and only longer ones go
 * through the Reader. The sample's message ends at or after stop, so locations has room for every byte.
 */
function packedLocations(cols: SampleColumns, r: Reader, buf: Uint8Array, start: number, stop: number): void {
  const { table, locations } = cols;
  const size = table.length;
  let n = cols.locStart[cols.count + 1]!;
  let p = start;
  while (p < stop) {
    let id = buf[p]!;
    if (id < 0x80) {
      p++;
    } else if (p + 1 < stop && buf[p + 1]! < 0x80) {
      id = (id & 0x7f) | (buf[p + 1]! << 7);
      p += 2;
    } else {
      r.pos = p;
      r.varint(stop);
      id = uint(r, 'a location id');
      p = r.pos;
    }
    let x = id < size ? table[id]! : -1;
    if (x < 0) x = cols.lookup(id);
    locations[n++] = x;
  }
  cols.locStart[cols.count + 1] = n;
}

/** A packed run of values, appended to the current sample; those below 2^28 are decoded inline. */
function packedValues(cols: SampleColumns, r: Reader, buf: Uint8Array, start: number, stop: number): void {
  // a value takes at least one byte
  const values = cols.reserveValues(stop - start);
  let n = cols.valStart[cols.count + 1]!;
  let p = start;
  while (p < stop) {
    let q = p;
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = buf[q++]!;
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80 && shift < 28 && q < stop);
    if (b >= 0x80) {
      r.pos = p;
      r.varint(stop);
      v = sampleValue(r);
      q = r.pos;
    }
    values[n++] = v;
    p = q;
  }
  cols.valStart[cols.count + 1] = n;
}

/** One field of a Sample message, just read by r.next(), appended to the current sample. */
function sampleField(cols: SampleColumns, r: Reader, buf: Uint8Array): void {
  const field = r.field;
  if ((field === 1 || field === 2) && r.wireType === 2) {
    const next = r.end;
    if (field === 1) packedLocations(cols, r, buf, r.start, next);
    else packedValues(cols, r, buf, r.start, next);
    r.pos = next;
  } else if (field === 1) {
    r.expect(0, 'sample location_id');
    const id = uint(r, 'a location id');
    const at = cols.locStart[cols.count + 1]!;
    cols.locations[at] = cols.lookup(id);
    cols.locStart[cols.count + 1] = at + 1;
  } else if (field === 2) {
    r.expect(0, 'sample value');
    cols.pushValue(sampleValue(r));
  } else if (field === 3) {
    r.expect(2, 'sample label');
    let labels = cols.labels.get(cols.count);
    if (labels === undefined) cols.labels.set(cols.count, (labels = []));
    // labels are rare enough for a Reader each
    labels.push(parseLabel(new Reader(buf, 0), r.start, r.end));
  }
}

/** One Sample message, appended to the columns. */
function parseSample(cols: SampleColumns, r: Reader, buf: Uint8Array, start: number, end: number): void {
  let p = start;
  while (p < end) {
    // packed location ids or values of up to 127 bytes, as Go writes most samples: read without the
    // Reader, which costs more than the ids themselves while the code is not yet optimised
    const key = buf[p]!;
    const length = p + 1 < end ? buf[p + 1]! : 0x80;
    if ((key === 0x0a || key === 0x12) && length < 0x80 && length <= end - p - 2) {
      p += 2;
      if (key === 0x0a) packedLocations(cols, r, buf, p, p + length);
      else packedValues(cols, r, buf, p, p + length);
      p += length;
      continue;
    }
    r.pos = p;
    r.next(end);
    sampleField(cols, r, buf);
    p = r.pos;
  }
  // the next sample starts where this one ends
  cols.count++;
  cols.locStart[cols.count + 1] = cols.locStart[cols.count]!;
  cols.valStart[cols.count + 1] = cols.valStart[cols.count]!;
}

function parseMapping(r: Reader, start: number, end: number): RawMapping {
  r.pos = start;
  const m: RawMapping = { id: 0, start: 0n, limit: 0n, offset: 0n, fileX: 0, buildIdX: 0, flags: [false, false, false, false] };
  while (r.next(end)) {
    const f = r.field;
    if (f >= 1 && f <= 10) r.expect(0, `mapping field ${f}`);
    switch (f) {
      case 1: m.id = uint(r, 'a mapping id'); break;
      case 2: m.start = r.unsignedBig; break;
      case 3: m.limit = r.unsignedBig; break;
      case 4: m.offset = r.unsignedBig; break;
      case 5: m.fileX = index(r); break;
      case 6: m.buildIdX = index(r); break;
      case 7: case 8: case 9: case 10: m.flags[f - 7] = r.lo !== 0 || r.hi !== 0; break;
    }
  }
  return m;
}

interface RawLocation {
  id: number;
  mappingId: number;
  address: bigint;
  lines: Line[];
  isFolded: boolean;
}

function parseLine(r: Reader, start: number, end: number): Line {
  r.pos = start;
  const l: Line = { functionId: 0, line: 0 };
  while (r.next(end)) {
    if (r.field === 1) (r.expect(0, 'line function_id'), (l.functionId = uint(r, 'a function id')));
    else if (r.field === 2) (r.expect(0, 'line number'), (l.line = r.signed));
  }
  return l;
}

function parseLocation(r: Reader, lineReader: Reader, start: number, end: number): RawLocation {
  r.pos = start;
  const l: RawLocation = { id: 0, mappingId: 0, address: 0n, lines: [], isFolded: false };
  while (r.next(end)) {
    switch (r.field) {
      case 1: r.expect(0, 'location id'); l.id = uint(r, 'a location id'); break;
      case 2: r.expect(0, 'location mapping_id'); l.mappingId = uint(r, 'a mapping id'); break;
      case 3: r.expect(0, 'location address'); l.address = r.unsignedBig; break;
      case 4: r.expect(2, 'location line'); l.lines.push(parseLine(lineReader, r.start, r.end)); break;
      case 5: r.expect(0, 'location is_folded'); l.isFolded = r.lo !== 0 || r.hi !== 0; break;
    }
  }
  return l;
}

function parseFunction(r: Reader, start: number, end: number): RawFunction {
  r.pos = start;
  const f: RawFunction = { id: 0, nameX: 0, systemNameX: 0, filenameX: 0, startLine: 0 };
  while (r.next(end)) {
    const n = r.field;
    if (n >= 1 && n <= 5) r.expect(0, `function field ${n}`);
    switch (n) {
      case 1: f.id = uint(r, 'a function id'); break;
      case 2: f.nameX = index(r); break;
      case 3: f.systemNameX = index(r); break;
      case 4: f.filenameX = index(r); break;
      case 5: f.startLine = r.signed; break;
    }
  }
  return f;
}

/** Where the Sample messages are: buf[at[2i] .. at[2i + 1]) is the i-th. */
class SampleRanges {
  at = new Int32Array(1024);
  count = 0;
  bytes = 0;

  add(start: number, stop: number): void {
    if (this.count * 2 === this.at.length) this.at = grown(this.at, (n) => new Int32Array(n));
    this.at[this.count * 2] = start;
    this.at[this.count * 2 + 1] = stop;
    this.count++;
    this.bytes += stop - start;
  }

  /**
   * Adds the Samples from pos on that have a one-byte key (0x12) and a one- or two-byte length, as Go
   * writes nearly all, and returns where the first other field starts. A loop of its own: the profile's
   * loop over its other fields then stays small enough to be optimised cheaply, or not at all.
   */
  skip(buf: Uint8Array, pos: number, end: number): number {
    let p = pos;
    while (p + 2 < end && buf[p] === 0x12) {
      let length = buf[p + 1]!;
      let at = p + 2;
      if (length >= 0x80) length = buf[at]! < 0x80 ? (length & 0x7f) | (buf[at++]! << 7) : -1;
      if (length < 0 || length > end - at) break;
      this.add(at, at + length);
      p = at + length;
    }
    return p;
  }
}

/** A decoded profile, not yet validated. */
interface Parsed {
  header: Omit<Profile, 'samples'>;
  columns: RawSamples;
  labels: Map<number, Label[]>;
}

function parseProfile(buf: Buffer): Parsed {
  const r = new Reader(buf, 0);
  const sub = new Reader(buf, 0);
  const lineReader = new Reader(buf, 0);
  const end = buf.length;
  const sampleTypes: RawValueType[] = [];
  // Sample messages are decoded once the locations are known
  const sampleRanges = new SampleRanges();
  const mappings: RawMapping[] = [];
  const locations: RawLocation[] = [];
  const functions: RawFunction[] = [];
  const strings: string[] = [];
  const comments: number[] = [];
  let dropFramesX = 0;
  let keepFramesX = 0;
  let timeNanos = 0n;
  let durationNanos = 0n;
  let periodType: RawValueType | undefined;
  let period = 0;
  let defaultSampleTypeX = 0;
  for (;;) {
    r.pos = sampleRanges.skip(buf, r.pos, end);
    if (!r.next(end)) break;
    const what = WHAT[r.field] ?? '';
    switch (r.field) {
      case 1: r.expect(2, what); sampleTypes.push(parseValueType(sub, r.start, r.end)); break;
      case 2: r.expect(2, what); sampleRanges.add(r.start, r.end); break;
      case 3: r.expect(2, what); mappings.push(parseMapping(sub, r.start, r.end)); break;
      case 4: r.expect(2, what); locations.push(parseLocation(sub, lineReader, r.start, r.end)); break;
      case 5: r.expect(2, what); functions.push(parseFunction(sub, r.start, r.end)); break;
      case 6:
        r.expect(2, what);
        strings.push(r.text());
        if (strings[0] !== '') fail('string_table[0] must be the empty string');
        break;
      case 7: r.expect(0, what); dropFramesX = index(r); break;
      case 8: r.expect(0, what); keepFramesX = index(r); break;
      case 9:
        if (timeNanos !== 0n) fail('concatenated profiles detected (time_nanos appears twice)');
        r.expect(0, what);
        timeNanos = r.signedBig;
        break;
      case 10: r.expect(0, what); durationNanos = r.signedBig; break;
      case 11: r.expect(2, what); periodType = parseValueType(sub, r.start, r.end); break;
      case 12:
        r.expect(0, what);
        if (r.negative) fail(`the period is negative (${r.signedBig})`);
        period = uint(r, 'the period');
        break;
      case 13: {
        const pos = r.pos;
        repeated(r, what, comments, index);
        r.pos = pos;
        break;
      }
      case 14: r.expect(0, what); defaultSampleTypeX = index(r); break;
    }
  }
  const { at, count, bytes } = sampleRanges;
  const samples = new SampleColumns(count, bytes, idIndex(locations.map((l) => l.id)));
  for (let i = 0; i < count; i++) parseSample(samples, r, buf, at[i * 2]!, at[i * 2 + 1]!);
  return resolve({ sampleTypes, samples, mappings, locations, functions, strings, comments, dropFramesX, keepFramesX, timeNanos, durationNanos, periodType, period, defaultSampleTypeX });
}

interface RawProfile {
  sampleTypes: RawValueType[];
  samples: SampleColumns;
  mappings: RawMapping[];
  locations: RawLocation[];
  functions: RawFunction[];
  strings: string[];
  comments: number[];
  dropFramesX: number;
  keepFramesX: number;
  timeNanos: bigint;
  durationNanos: bigint;
  periodType: RawValueType | undefined;
  period: number;
  defaultSampleTypeX: number;
}

/** Replaces string indexes by strings; an index outside the table is an error (pprof: errMalformed). */
function resolve(raw: RawProfile): Parsed {
  const table = raw.strings;
  if (table.length === 0) fail('the string table is missing (every profile has at least the empty string)');
  const str = (i: number, where: string): string => {
    if (i < 0 || i >= table.length) fail(`${where} refers to string ${i === -1 ? '(huge or negative)' : i}, but the string table has ${table.length} entries`);
    return table[i]!;
  };
  const vt = (v: RawValueType, where: string): ValueType => ({ type: str(v.typeX, `${where} type`), unit: str(v.unitX, `${where} unit`) });

  const mappings: Mapping[] = raw.mappings.map((m, i) => ({
    id: m.id,
    start: m.start,
    limit: m.limit,
    offset: m.offset,
    file: str(m.fileX, `mapping #${i + 1} (id ${m.id}) filename`),
    buildId: str(m.buildIdX, `mapping #${i + 1} (id ${m.id}) build_id`),
    hasFunctions: m.flags[0],
    hasFilenames: m.flags[1],
    hasLineNumbers: m.flags[2],
    hasInlineFrames: m.flags[3],
  }));
  const functions: ProfileFunction[] = raw.functions.map((f, i) => ({
    id: f.id,
    name: str(f.nameX, `function #${i + 1} (id ${f.id}) name`),
    systemName: str(f.systemNameX, `function #${i + 1} (id ${f.id}) system_name`),
    filename: str(f.filenameX, `function #${i + 1} (id ${f.id}) filename`),
    startLine: f.startLine,
  }));
  const locations: Location[] = raw.locations;
  const sampleTypes = raw.sampleTypes.map((v, i) => vt(v, `sample_type #${i + 1}`));
  const labels = new Map<number, Label[]>();
  for (const [i, rawLabels] of raw.samples.labels) {
    const resolved: Label[] = [];
    for (const l of rawLabels) {
      const key = str(l.keyX, `a label of sample #${i + 1} key`);
      if (l.strX !== 0) {
        resolved.push({ key, str: str(l.strX, `label ${key} of sample #${i + 1}`) });
      } else if (l.num !== 0 || l.unitX !== 0) {
        // pprof drops a label that has neither a string nor a number
        const label: Label = { key, num: l.num };
        if (l.unitX !== 0) label.numUnit = str(l.unitX, `label ${key} of sample #${i + 1} unit`);
        resolved.push(label);
      }
    }
    if (resolved.length > 0) labels.set(i, resolved);
  }
  const header = {
    sampleTypes,
    mappings,
    locations,
    functions,
    stringTable: table,
    dropFrames: str(raw.dropFramesX, 'drop_frames'),
    keepFrames: str(raw.keepFramesX, 'keep_frames'),
    timeNanos: raw.timeNanos,
    durationNanos: raw.durationNanos,
    periodType: raw.periodType ? vt(raw.periodType, 'period_type') : undefined,
    period: raw.period,
    comments: raw.comments.map((c, i) => str(c, `comment #${i + 1}`)),
    defaultSampleType: str(raw.defaultSampleTypeX, 'default_sample_type'),
  };
  return { header, columns: raw.samples, labels };
}
