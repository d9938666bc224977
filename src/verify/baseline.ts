/**
 * --baseline / --write-baseline: the approved shape of the payload (every path with its JSON types, and
 * the keys of every map), so that a Coroot upgrade or a new integration that adds fields, map keys or
 * changes a type is caught before anything new is sent. Values, volatile or not, are not compared.
 */
import { readFileSync } from 'node:fs';
import type { GoType } from '../encoding/gotype.js';
import { describe, inputError } from '../errors.js';
import { writeFileAtomic } from '../io.js';
import { payloadGoType } from '../model/payload-wire.js';
import type { Finding } from './finding.js';

export interface Baseline {
  coroot_usage_baseline: 1;
  /** normalised path ("ux.api_calls.*", "performance.components[].id") → JSON types seen */
  paths: Record<string, string[]>;
  /** map path → its keys */
  keys: Record<string, string[]>;
}

interface Shape {
  paths: Map<string, Set<string>>;
  keys: Map<string, Set<string>>;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function join(path: string, part: string): string {
  return path ? `${path}.${part}` : part;
}

function walk(value: unknown, type: GoType | undefined, path: string, shape: Shape): void {
  while (type?.kind === 'ptr') type = type.elem;
  if (path) {
    let types = shape.paths.get(path);
    if (!types) shape.paths.set(path, (types = new Set()));
    types.add(jsonType(value));
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    const elem = type?.kind === 'slice' ? type.elem : type?.kind === 'stringset' ? ({ kind: 'string' } as GoType) : undefined;
    for (const item of value) walk(item, elem, `${path}[]`, shape);
    return;
  }
  const obj = value as Record<string, unknown>;
  if (type?.kind === 'map') {
    let keys = shape.keys.get(path);
    if (!keys) shape.keys.set(path, (keys = new Set()));
    for (const [k, v] of Object.entries(obj)) {
      keys.add(k);
      walk(v, type.value, join(path, '*'), shape);
    }
    return;
  }
  const fields = type?.kind === 'struct' ? new Map(type.fields.map((f) => [f.name, f.type])) : undefined;
  for (const [k, v] of Object.entries(obj)) walk(v, fields?.get(k), join(path, k), shape);
}

function shapeOf(payload: unknown): Shape {
  const shape: Shape = { paths: new Map(), keys: new Map() };
  walk(payload, payloadGoType, '', shape);
  return shape;
}

const sorted = (s: Set<string>) => [...s].sort();

export function baselineOf(payload: unknown): Baseline {
  const shape = shapeOf(payload);
  return {
    coroot_usage_baseline: 1,
    paths: Object.fromEntries([...shape.paths].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, t]) => [p, sorted(t)])),
    keys: Object.fromEntries([...shape.keys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, k]) => [p, sorted(k)])),
  };
}

export function writeBaseline(path: string, payload: unknown): Baseline {
  const baseline = baselineOf(payload);
  writeFileAtomic(path, `${JSON.stringify(baseline, null, 2)}\n`);
  return baseline;
}

export function readBaseline(path: string): Baseline {
  let doc: Baseline;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Baseline;
  } catch (err) {
    throw inputError(`--baseline ${path}: ${describe(err)}`, err);
  }
  if (doc?.coroot_usage_baseline !== 1 || typeof doc.paths !== 'object' || typeof doc.keys !== 'object') {
    throw inputError(`--baseline ${path}: not a coroot-usage baseline (write one with --write-baseline)`);
  }
  return doc;
}

/** Differences from the approved shape; `maskKey` hides identifying parts of new map keys. */
export function compareToBaseline(payload: unknown, baseline: Baseline, maskKey: (key: string) => string): Finding[] {
  const shape = shapeOf(payload);
  const findings: Finding[] = [];
  for (const [path, types] of shape.paths) {
    const approved = baseline.paths[path];
    if (!approved) {
      // elements of a map or slice that was empty in the baseline: the new key or item is the finding
      const parent = path.endsWith('.*') ? path.slice(0, -2) : path.endsWith('[]') ? path.slice(0, -2) : undefined;
      if (parent !== undefined && baseline.paths[parent]) continue;
      findings.push({ kind: 'baseline', rule: 'baseline:new-field', severity: 'error', path, message: `a field not in the baseline (${sorted(types).join('/')})` });
      continue;
    }
    const known = approved.filter((t) => t !== 'null');
    const added = [...types].filter((t) => t !== 'null' && !known.includes(t));
    // null is Go's nil pointer, map or slice: it does not change a field's type
    if (known.length > 0 && added.length > 0) {
      findings.push({ kind: 'baseline', rule: 'baseline:type-change', severity: 'error', path, message: `type ${added.join('/')} where the baseline has ${known.join('/')}` });
    }
  }
  for (const [path, keys] of shape.keys) {
    const approved = baseline.keys[path];
    if (!approved) {
      if (baseline.paths[path]) {
        findings.push({ kind: 'baseline', rule: 'baseline:new-key', severity: 'error', path, message: `a map with keys where the baseline has none (${keys.size} keys)` });
      }
      continue;
    }
    const known = new Set(approved);
    for (const key of keys) {
      if (!known.has(key)) findings.push({ kind: 'baseline', rule: 'baseline:new-key', severity: 'error', path: `${path}[${JSON.stringify(maskKey(key))}]`, message: 'a map key not in the baseline' });
    }
  }
  return findings;
}
