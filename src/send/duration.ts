/**
 * --timeout and --retry-delay: Go-style durations ("60s", "1m30s", "500ms") or a bare number of seconds,
 * so the values Coroot documents can be pasted as they are.
 */
import { usageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw usageError(`${flag} ${JSON.stringify(text)}: expected a duration such as 60s, 1m, 500ms or a number of seconds`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (ms <= 0) throw usageError(`${flag} ${JSON.stringify(text)}: must be greater than zero`);
  return Math.round(ms);
}

export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
