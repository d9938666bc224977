/**
 * Payload values that differ on every collection even when nothing changed: timings of the process that
 * built the payload and its profiles. Keys stay, so a new stage or query still shows as a difference.
 */
export const VOLATILE_PATTERNS: readonly string[] = [
  'ux.world_load_time_avg',
  'ux.audit_time_avg',
  'performance.constructor.stages.*',
  'performance.constructor.queries.*.query_time',
  'performance.auditor.stages.*',
  'profile.from',
  'profile.to',
  'profile.cpu',
  'profile.memory',
];

export const VOLATILE_PLACEHOLDER = '<volatile>';

const compiled = VOLATILE_PATTERNS.map((p) => p.split('.'));

/** Whether the value at these path segments is volatile (array indices never appear in the patterns). */
export function isVolatilePath(segments: ReadonlyArray<string | number>): boolean {
  return compiled.some((pattern) => pattern.length === segments.length && pattern.every((p, i) => p === '*' || p === String(segments[i])));
}

/** A deep copy with every volatile value replaced by a placeholder. */
export function maskVolatile(value: unknown, segments: Array<string | number> = []): unknown {
  if (segments.length > 0 && isVolatilePath(segments)) return VOLATILE_PLACEHOLDER;
  if (Array.isArray(value)) return value.map((item, i) => maskVolatile(item, [...segments, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = maskVolatile(item, [...segments, key]);
    return out;
  }
  return value;
}
