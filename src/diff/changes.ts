/**
 * A flat list of differences between two JSON values, by path, for --json output and summaries. Arrays
 * of scalars (Go string sets) are compared as multisets, other arrays position by position.
 */
import { formatPath, type PathSegments } from './path.js';

export type ChangeKind = 'added' | 'removed' | 'changed' | 'type';

export interface Change {
  path: string;
  kind: ChangeKind;
  a?: unknown;
  b?: unknown;
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object';

function multisetChanges(a: unknown[], b: unknown[], path: PathSegments, out: Change[]): void {
  const counts = new Map<string, number>();
  for (const item of a) counts.set(JSON.stringify(item), (counts.get(JSON.stringify(item)) ?? 0) + 1);
  const added: unknown[] = [];
  for (const item of b) {
    const key = JSON.stringify(item);
    const n = counts.get(key) ?? 0;
    if (n > 0) counts.set(key, n - 1);
    else added.push(item);
  }
  const before = out.length;
  for (const [key, n] of counts) for (let i = 0; i < n; i++) out.push({ path: formatPath(path), kind: 'removed', a: JSON.parse(key) });
  for (const item of added) out.push({ path: formatPath(path), kind: 'added', b: item });
  // same elements in another order: still different bytes on the wire
  if (out.length === before && JSON.stringify(a) !== JSON.stringify(b)) out.push({ path: formatPath(path), kind: 'changed', a, b });
}

function walk(a: unknown, b: unknown, path: PathSegments, out: Change[]): void {
  const ta = jsonType(a);
  const tb = jsonType(b);
  if (ta !== tb) {
    out.push({ path: formatPath(path), kind: 'type', a, b });
    return;
  }
  if (ta === 'array') {
    const xa = a as unknown[];
    const xb = b as unknown[];
    if (xa.every(isScalar) && xb.every(isScalar)) {
      multisetChanges(xa, xb, path, out);
      return;
    }
    const n = Math.max(xa.length, xb.length);
    for (let i = 0; i < n; i++) {
      if (i >= xa.length) out.push({ path: formatPath([...path, i]), kind: 'added', b: xb[i] });
      else if (i >= xb.length) out.push({ path: formatPath([...path, i]), kind: 'removed', a: xa[i] });
      else walk(xa[i], xb[i], [...path, i], out);
    }
    return;
  }
  if (ta === 'object') {
    const oa = a as Record<string, unknown>;
    const ob = b as Record<string, unknown>;
    for (const key of Object.keys(oa)) {
      if (!(key in ob)) out.push({ path: formatPath([...path, key]), kind: 'removed', a: oa[key] });
      else walk(oa[key], ob[key], [...path, key], out);
    }
    for (const key of Object.keys(ob)) if (!(key in oa)) out.push({ path: formatPath([...path, key]), kind: 'added', b: ob[key] });
    return;
  }
  if (!Object.is(a, b)) out.push({ path: formatPath(path), kind: 'changed', a, b });
}

export function listChanges(a: unknown, b: unknown): Change[] {
  const out: Change[] = [];
  walk(a, b, [], out);
  return out;
}
