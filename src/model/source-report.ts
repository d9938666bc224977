/**
 * Which metrics source each project's world came from, over which window, and what it held: for the
 * annotated note on infra.projects and the per-project table. Kept apart from the loaders so the views
 * can use it without loading the world model.
 */
import type { Window } from '../sources/metrics.js';

export type MetricsSourceKind = 'cache' | 'prometheus' | 'none';

/** Where one project's world came from, and how fresh it was, or why it was not loaded. */
export interface ProjectSourceReport {
  project: string;
  source: MetricsSourceKind;
  /** the window the world was built over; absent when it was not loaded */
  window?: Window;
  /** set when no world was added to the payload */
  notLoaded?: string;
  /** what LoadWorld produced, when it ran (a world that failed to load included) */
  world?: { nodes: number; applications: number; failedQueries: number };
}

/** Unix seconds as RFC 3339 UTC without fractional seconds, as the views and warnings print times. */
export const iso = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** The window and step a project's world was built over, or why it was not loaded. */
export function describeWindow(r: ProjectSourceReport): string {
  if (r.notLoaded !== undefined) return `not loaded (${r.notLoaded})`;
  const w = r.window!;
  const range = `window ${iso(w.from)}..${iso(w.to)}`;
  return w.step === 0 ? `${range}, step 0 (no chunk: an empty world, no query runs)` : `${range}, step ${w.step}s`;
}

/** One line per project for the note on infra.projects. */
export function describeReport(r: ProjectSourceReport): string {
  return `${r.project}: ${r.source}, ${describeWindow(r)}`;
}
