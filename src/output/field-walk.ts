/**
 * Walks a payload value together with its schema and Go type, in wire order, so that every view
 * (annotated, table, verify) sees fields in the order Coroot writes them, with their documentation.
 */
import type { z } from 'zod';
import { compareGoStrings } from '../encoding/gojson.js';
import type { GoType } from '../encoding/gotype.js';
import { childSchema, docOf, type FieldDoc } from '../model/go-zod.js';

export interface WalkNode {
  /** dotted path; map keys and slice indexes as they are */
  path: string;
  key: string | number | undefined;
  value: unknown;
  type: GoType;
  schema: z.ZodType | undefined;
  doc: FieldDoc | undefined;
  depth: number;
}

/** Children of a struct, map, slice or pointer node in encoding order; none for leaves and null. */
export function children(node: WalkNode): WalkNode[] {
  const { value, type } = node;
  if (value === null || value === undefined) return [];
  const make = (key: string | number, child: unknown, childType: GoType): WalkNode => {
    const schema = node.schema ? childSchema(node.schema, key) : undefined;
    return {
      path: node.path ? `${node.path}.${key}` : String(key),
      key,
      value: child,
      type: childType,
      schema,
      doc: schema ? docOf(schema) : undefined,
      depth: node.depth + 1,
    };
  };
  switch (type.kind) {
    case 'ptr':
      return children({ ...node, type: type.elem });
    case 'struct':
      return type.fields
        .filter((f) => !(f.omitempty && (value as Record<string, unknown>)[f.name] === undefined))
        .map((f) => make(f.name, (value as Record<string, unknown>)[f.name], f.type));
    case 'map':
      return Object.keys(value as object).sort(compareGoStrings).map((k) => make(k, (value as Record<string, unknown>)[k], type.value));
    case 'slice':
      return (value as unknown[]).map((item, i) => make(i, item, type.elem));
    default:
      return [];
  }
}

/** Strips pointers: the type whose shape decides how a value is shown. */
export function baseType(type: GoType): GoType {
  return type.kind === 'ptr' ? baseType(type.elem) : type;
}

export function isContainer(node: WalkNode): boolean {
  const kind = baseType(node.type).kind;
  return node.value !== null && (kind === 'struct' || kind === 'map' || kind === 'slice');
}

export function rootNode(value: unknown, type: GoType, schema: z.ZodType): WalkNode {
  return { path: '', key: undefined, value, type, schema, doc: docOf(schema), depth: 0 };
}
