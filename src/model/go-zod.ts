/**
 * Builders that make a zod schema and, alongside it, the Go type encoding/json sees, so the payload schema
 * is written once and gives validation, TypeScript types, JSON Schema, per-field documentation and the
 * exact wire encoding. Every field carries where its value comes from and how faithfully coroot-usage can
 * rebuild it.
 */
import { z } from 'zod';
import type { GoField, GoType } from '../encoding/gotype.js';

export const FIDELITY = {
  exact: 'rebuilt from the data-dir, the database and the configuration exactly as Coroot does',
  rebuilt: 'recomputed from metrics; the same inputs give the same value',
  runtime: 'timings and profiles of the process that builds the payload',
  'memory-only': "Coroot's in-memory counters; not recoverable offline (coroot-usage sends what Coroot sends right after a restart)",
} as const;
export type Fidelity = keyof typeof FIDELITY;

export interface FieldDoc {
  description: string;
  /** file, table, query or code location the value comes from */
  source: string;
  fidelity: Fidelity;
}

const goTypes = new WeakMap<z.ZodType, GoType>();
const omitEmpty = new WeakSet<z.ZodType>();

function withGo<S extends z.ZodType>(schema: S, go: GoType, doc?: FieldDoc): S {
  const described = doc
    ? (schema.meta({ description: doc.description, 'x-source': doc.source, 'x-fidelity': doc.fidelity }) as S)
    : schema;
  goTypes.set(described, go);
  return described;
}

export function goTypeOf(schema: z.ZodType): GoType {
  const go = goTypes.get(schema);
  if (!go) throw new Error('schema was not built with the go-zod builders');
  return go;
}

export function docOf(schema: z.ZodType): FieldDoc | undefined {
  const meta = z.globalRegistry.get(schema) as Record<string, unknown> | undefined;
  if (!meta || typeof meta.description !== 'string') return undefined;
  return { description: meta.description, source: String(meta['x-source']), fidelity: meta['x-fidelity'] as Fidelity };
}

export const goBool = (doc?: FieldDoc) => withGo(z.boolean(), { kind: 'bool' }, doc);
export const goInt = (doc?: FieldDoc) => withGo(z.number().int(), { kind: 'int' }, doc);
export const goString = (doc?: FieldDoc) => withGo(z.string(), { kind: 'string' }, doc);
/** float32: always finite (a NaN would make Coroot's encoder fail and send nothing). */
export const goFloat32 = (doc?: FieldDoc) => withGo(z.number().refine(Number.isFinite, 'must be a finite number'), { kind: 'float32' }, doc);
/** timeseries.Value: a float32 where NaN/±Inf is written as null. */
export const goValue = (doc?: FieldDoc) => withGo(z.number().nullable(), { kind: 'value' }, doc);
/** *utils.StringSet: null when nil, otherwise sorted distinct non-empty strings. */
export const goStringSet = (doc?: FieldDoc) => withGo(z.array(z.string()).nullable(), { kind: 'stringset' }, doc);
/** *bool */
export const goBoolPtr = (doc?: FieldDoc) => withGo(z.boolean().nullable(), { kind: 'ptr', elem: { kind: 'bool' } }, doc);

export function goMap<V extends z.ZodType>(value: V, doc?: FieldDoc) {
  return withGo(z.record(z.string(), value).nullable(), { kind: 'map', value: goTypeOf(value) }, doc);
}

export function goSlice<E extends z.ZodType>(elem: E, doc?: FieldDoc) {
  return withGo(z.array(elem).nullable(), { kind: 'slice', elem: goTypeOf(elem) }, doc);
}

/** A pointer to a struct, or a map that is never nil. */
export function goPtr<E extends z.ZodType>(elem: E, doc?: FieldDoc) {
  return withGo(elem.nullable(), { kind: 'ptr', elem: goTypeOf(elem) }, doc);
}

/** A struct field tagged `,omitempty`. */
export function omitempty<S extends z.ZodType>(schema: S): z.ZodOptional<S> {
  const optional = schema.optional();
  goTypes.set(optional, goTypeOf(schema));
  omitEmpty.add(optional);
  return optional;
}

export function goStruct<Shape extends Record<string, z.ZodType>>(shape: Shape, doc?: FieldDoc) {
  const fields: GoField[] = Object.entries(shape).map(([name, schema]) => ({
    name,
    type: goTypeOf(schema),
    ...(omitEmpty.has(schema) ? { omitempty: true } : {}),
  }));
  return withGo(z.strictObject(shape), { kind: 'struct', fields }, doc);
}

/** The schema of a struct field or of a map/slice element, looking through nullable and optional. */
export function childSchema(schema: z.ZodType, key: string | number): z.ZodType | undefined {
  const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def; // any: zod's internal definition object
  switch (def.type) {
    case 'nullable':
    case 'optional':
      return childSchema(def.innerType, key);
    case 'object':
      return def.shape[key];
    case 'record':
      return def.valueType;
    case 'array':
      return def.element;
    default:
      return undefined;
  }
}
