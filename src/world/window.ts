/**
 * The window and step of the world Coroot would build at a given moment (world.md 1.2-1.5): the cache
 * step is the project's refresh interval, or the scrape interval detected from node_info when that is
 * larger; the window is the hour ending where Coroot's cache ends, about four steps before now.
 */
import type { MetricsSource, Window } from '../sources/metrics.js';

export const WORLD_WINDOW = 3600;
/** cache.MinRefreshInterval: used when the refresh interval is 0 */
export const MIN_REFRESH_INTERVAL = 60;
/** raw data lags two steps, recording rules one more, GetTo one more (cache/updater.go, cache/client.go) */
export const CACHE_LAG_STEPS = 4;

/**
 * getScrapeInterval: the smallest positive difference between consecutive `timestamp(node_info)` points
 * (all series merged into one, as Coroot drops all labels), rounded to a multiple of the refresh interval.
 * Resolves to the refresh interval when the query fails, as the cache would keep its old step.
 */
export async function detectStep(source: MetricsSource, refreshInterval: number, now: number, signal?: AbortSignal): Promise<{ step: number; error: string | null }> {
  const step = refreshInterval > 0 ? refreshInterval : MIN_REFRESH_INTERVAL;
  const to = Math.floor(now);
  const from = to - WORLD_WINDOW;
  try {
    const { metrics } = await source.queryRange({
      name: 'scrape_interval', query: `timestamp(node_info)-${from}`, labels: new Set(), recordingRule: false, fill: 'any',
      window: { from, to, step },
    }, signal);
    let minDelta = 0;
    for (const m of metrics) {
      let prev = NaN;
      for (const v of m.values) {
        const delta = Math.fround(v - prev);
        if (delta > 0 && (delta < minDelta || minDelta === 0)) minDelta = delta;
        prev = v;
      }
    }
    const scrapeInterval = Math.trunc(Math.round(minDelta / step) * step);
    return { step: scrapeInterval > step ? scrapeInterval : step, error: null };
  } catch (err) {
    return { step, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The world window at `now` for a cache with step `step`, in its steady state. */
export function worldWindow(now: number, step: number): Window {
  const to = Math.floor(now / step) * step - CACHE_LAG_STEPS * step;
  return { from: to - WORLD_WINDOW, to, step };
}
