/**
 * The shape of a Go value as encoding/json sees it. The payload schema (src/model/schema.ts) derives one of
 * these for the whole payload; the encoder walks a plain JS value alongside it. JS `null` stands for Go's
 * nil (pointer, map, slice) and, for a timeseries.Value, for NaN/±Inf.
 */
export type GoType =
  | { kind: 'bool' }
  /** int, int64: plain decimal */
  | { kind: 'int' }
  /** float32: shortest round-trip digits at 32-bit precision; NaN/Inf is an encoding error */
  | { kind: 'float32' }
  /** Coroot's timeseries.Value: a float32 whose NaN/±Inf (JS null) encodes as null */
  | { kind: 'value' }
  /** string, or a type with MarshalText such as model.ApplicationId */
  | { kind: 'string' }
  | { kind: 'struct'; fields: GoField[] }
  /** map[string]T: nil → null, keys sorted by their UTF-8 bytes */
  | { kind: 'map'; value: GoType }
  /** []T: nil → null */
  | { kind: 'slice'; elem: GoType }
  /** *T: nil → null */
  | { kind: 'ptr'; elem: GoType }
  /** *utils.StringSet: nil → null, otherwise a sorted array of distinct non-empty strings */
  | { kind: 'stringset' };

export interface GoField {
  /** JSON name from the struct tag */
  name: string;
  type: GoType;
  /** `,omitempty`: left out when "", 0, false, nil or empty */
  omitempty?: boolean;
}

/**
 * A Go string that may hold bytes that are not valid UTF-8 (metric labels are stored as written). A JS
 * string is always treated as its UTF-8 encoding, with lone surrogates becoming U+FFFD as Go's decoder
 * would have made them.
 */
export type GoString = string | Uint8Array;
