/**
 * constructor.QueryStats and the cardinality statistics (constructor/stats.go), recorded for every query
 * of the batch as Coroot's queryCache does: counts and times add up over projects, cardinality is
 * overwritten by the last query to finish.
 */
import type { QueryStats } from '../model/payload-schema.js';
import type { MetricValues } from '../sources/metrics.js';
import { classifyHost, splitHostPortHost } from './netaddr.js';

type CardinalityStats = NonNullable<QueryStats['cardinality']>;
type DestinationStats = NonNullable<CardinalityStats['destination']>;

class DestinationCounter {
  private readonly unique = new Set<string>();
  private readonly fqdn = new Set<string>();
  private readonly ext = new Set<string>();
  private readonly priv = new Set<string>();
  private fqdnTotal = 0;
  private loopbackTotal = 0;
  private privateTotal = 0;
  private externalTotal = 0;

  metric(dest: string): void {
    this.unique.add(dest);
    const host = splitHostPortHost(dest);
    if (host === '') return;
    switch (classifyHost(host)) {
      case 'not-ip':
        this.fqdn.add(host);
        this.fqdnTotal++;
        return;
      case 'loopback':
        this.loopbackTotal++;
        return;
      case 'private':
        this.priv.add(host);
        this.privateTotal++;
        return;
      case 'external':
        this.ext.add(host);
        this.externalTotal++;
    }
  }

  flush(): DestinationStats {
    return {
      unique: this.unique.size,
      external_total: this.externalTotal,
      external_unique: this.ext.size,
      private_total: this.privateTotal,
      private_unique: this.priv.size,
      fqdn_total: this.fqdnTotal,
      fqdn_unique: this.fqdn.size,
      loopback_total: this.loopbackTotal,
    };
  }
}

/** cardinalityStats: undefined (left out of the JSON) when no series has a container id. */
export function cardinalityStats(metrics: readonly MetricValues[]): CardinalityStats | undefined {
  const containerIds = new Set<string>();
  let destination: DestinationCounter | undefined;
  let actualDestination: DestinationCounter | undefined;
  for (const m of metrics) {
    if (m.containerId !== '') containerIds.add(m.containerId);
    if (m.destination !== '') (destination ??= new DestinationCounter()).metric(m.destination);
    if (m.actualDestination !== '') (actualDestination ??= new DestinationCounter()).metric(m.actualDestination);
  }
  if (containerIds.size === 0) return undefined;
  const stats: CardinalityStats = { container_id: containerIds.size };
  if (destination) stats.destination = destination.flush();
  if (actualDestination) stats.actual_destination = actualDestination.flush();
  return stats;
}

/** The float32 sum Go does for `s.QueryTime += queryTime`. */
export function recordQuery(
  queries: Record<string, QueryStats>, statsName: string, metrics: readonly MetricValues[], seconds: number, failed: boolean,
): void {
  const s = queries[statsName] ?? { metrics_count: 0, query_time: 0, failed: false };
  const next: QueryStats = {
    metrics_count: s.metrics_count + metrics.length,
    query_time: Math.fround(s.query_time + Math.fround(seconds)),
    failed: s.failed || failed,
  };
  const cardinality = cardinalityStats(metrics);
  if (cardinality) next.cardinality = cardinality;
  queries[statsName] = next;
}
