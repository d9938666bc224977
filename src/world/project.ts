/**
 * One project's world the way collect() reaches it: find the step Coroot's cache would use, take the
 * hour the cache would end with, load. A Prometheus that cannot even answer the step probe stands for a
 * cache that stopped updating, which Coroot skips before loading anything (stats/stats.go:429-437).
 */
import type { MetricsSource, Window } from '../sources/metrics.js';
import { loadProjectWorld, type ConstructorProfile, type LoadedWorld, type LoadOptions, type ProjectRef } from './load.js';
import { detectStep, worldWindow } from './window.js';

export type ProjectWorld =
  /** skip the project: no query statistics, no stages, no load time */
  | { status: 'stale'; reason: string }
  /** LoadWorld ran; `world.error` set means it failed (statistics recorded, nothing else) */
  | { status: 'loaded'; window: Window; world: LoadedWorld };

export async function loadCurrentProjectWorld(
  project: ProjectRef, source: MetricsSource, refreshInterval: number, now: number, profile: ConstructorProfile, options: LoadOptions = {},
): Promise<ProjectWorld> {
  const { step, error } = await detectStep(source, refreshInterval, now, options.signal);
  if (error !== null) return { status: 'stale', reason: error };
  const window = worldWindow(now, step);
  return { status: 'loaded', window, world: await loadProjectWorld(project, source, window, profile, options) };
}
