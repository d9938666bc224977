/**
 * A decoded and validated pprof profile (profile.proto), with string-table indexes resolved. Ids are kept as
 * in the file; values are plain numbers because decoding rejects anything beyond 2^53. Fields that are
 * legitimately 64-bit (addresses, time) keep their exact value as bigint.
 */

export interface ValueType {
  type: string;
  unit: string;
}

export interface Label {
  key: string;
  /** string value (the label has either str or num) */
  str?: string;
  num?: number;
  numUnit?: string;
}

/**
 * The samples, column-wise: a profile holds hundreds of thousands of frames, and one typed array for all of
 * them costs neither a garbage collection nor an object per sample.
 */
export interface Samples {
  count: number;
  /**
   * The locations of sample s, leaf first as in the file, are locations[locStart[s] .. locStart[s + 1]):
   * positions in Profile.locations (ids resolved, as pprof's Sample.Location holds pointers).
   */
  locStart: Int32Array;
  locations: Int32Array;
  /** values[s * sampleTypes.length + t] is the value of sample s for sample type t */
  values: Float64Array;
  /** the labels of the samples that have any, by sample index */
  labels: Map<number, Label[]>;
}

export interface Mapping {
  id: number;
  start: bigint;
  limit: bigint;
  offset: bigint;
  file: string;
  buildId: string;
  hasFunctions: boolean;
  hasFilenames: boolean;
  hasLineNumbers: boolean;
  hasInlineFrames: boolean;
}

export interface Line {
  functionId: number;
  line: number;
}

export interface Location {
  id: number;
  /** 0 when the location has no mapping */
  mappingId: number;
  address: bigint;
  /** inlined callee first, the function the code was inlined into last */
  lines: Line[];
  isFolded: boolean;
}

export interface ProfileFunction {
  id: number;
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}

export interface Profile {
  sampleTypes: ValueType[];
  samples: Samples;
  mappings: Mapping[];
  locations: Location[];
  functions: ProfileFunction[];
  stringTable: string[];
  dropFrames: string;
  keepFrames: string;
  timeNanos: bigint;
  durationNanos: bigint;
  periodType: ValueType | undefined;
  period: number;
  comments: string[];
  defaultSampleType: string;
}

/** The two profiles of a payload. */
export type ProfileKind = 'cpu' | 'memory';

/** One profile as found in the input: where it came from and its bytes at each stage. */
export interface ProfileBlob {
  kind: ProfileKind | 'file';
  /** for messages: "profile.cpu", "memory", or the file name */
  label: string;
  /** what was in the file or payload: gzip, or a raw protobuf */
  bytes: Buffer;
}
