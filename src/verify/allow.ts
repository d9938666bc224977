/**
 * --allow FILE: findings a team has reviewed and accepts, each with a reason. YAML or JSON, a list of
 * { path, rule?, reason } where path and rule are globs (* matches anything) over the masked path and rule.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, inputError } from '../errors.js';
import type { Finding } from './finding.js';

export interface AllowEntry {
  path: string;
  rule?: string;
  reason: string;
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export function loadAllowFile(path: string): AllowEntry[] {
  let doc: unknown;
  try {
    // loaded here rather than at the top: most runs of verify have no --allow, and yaml takes 50 ms to load
    const { parse: parseYaml } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw inputError(`--allow ${path}: ${describe(err)}`, err);
  }
  const list = Array.isArray(doc) ? doc : (doc as { allow?: unknown } | null)?.allow;
  if (!Array.isArray(list)) throw inputError(`--allow ${path}: expected a list of {path, rule, reason} (or allow: [...])`);
  return list.map((entry: unknown, i) => {
    const e = entry as Partial<AllowEntry> | null;
    if (!e || typeof e.path !== 'string' || !e.path) throw inputError(`--allow ${path}: entry ${i + 1} has no path`);
    if (typeof e.reason !== 'string' || !e.reason.trim()) throw inputError(`--allow ${path}: entry ${i + 1} (${e.path}) has no reason; every accepted finding needs one`);
    if (e.rule !== undefined && typeof e.rule !== 'string') throw inputError(`--allow ${path}: entry ${i + 1}: rule must be a string`);
    return { path: e.path, rule: e.rule, reason: e.reason.trim() };
  });
}

/** Marks accepted findings in place; returns the entries that matched nothing (stale allowances). */
export function applyAllowList(findings: Finding[], entries: readonly AllowEntry[]): AllowEntry[] {
  const compiled = entries.map((e) => ({ entry: e, path: glob(e.path), rule: e.rule ? glob(e.rule) : undefined, used: false }));
  for (const f of findings) {
    const match = compiled.find((c) => c.path.test(f.path) && (!c.rule || c.rule.test(f.rule)));
    if (match) {
      f.accepted = match.entry.reason;
      match.used = true;
    }
  }
  return compiled.filter((c) => !c.used).map((c) => c.entry);
}
