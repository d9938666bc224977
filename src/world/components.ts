/**
 * performance.components (stats/stats.go corootComponents, model/world.go GetCorootComponents): Coroot's
 * own applications (any container type starting with "coroot"), plus, for Coroot itself, the applications
 * it connects to (its Prometheus and ClickHouse), with the last values of their live containers and
 * volumes. Coroot lists them in Go map order, i.e. in no particular order; here in the world's order.
 */
import type { Component } from '../model/payload-schema.js';
import { applicationIdString, applicationTypes, isObsolete, type Application, type Applications } from './applications.js';
import { ApplicationKind } from './application-id.js';
import { last, type Series } from './timeseries.js';

type ComponentInstance = NonNullable<NonNullable<Component['instances']>[number]>;
type ComponentContainer = NonNullable<NonNullable<ComponentInstance['containers']>[string]>;
type ComponentVolume = NonNullable<NonNullable<ComponentInstance['volumes']>[number]>;

/** timeseries.Value: NaN and ±Inf encode as null */
function value(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Reduce(NanSum): NaN for a nil or empty series, 0 for an all-NaN one */
function nanSum(ts: Series): number {
  if (!ts || ts.length === 0) return NaN;
  let sum = 0;
  for (const v of ts) if (!Number.isNaN(v)) sum = Math.fround(sum + v);
  return sum;
}

export function getCorootComponents(apps: Applications): Application[] {
  const components = new Map<Application, true>();
  for (const app of apps.values()) {
    const types = applicationTypes(app);
    if (![...types].some((t) => t.startsWith('coroot'))) continue;
    components.set(app, true);
    if (types.has('coroot-community-edition') || types.has('coroot-enterprise-edition')) {
      for (const u of app.upstreams.values()) if (u.id.kind !== ApplicationKind.ExternalService) components.set(u, true);
    }
  }
  return [...components.keys()];
}

export function corootComponents(apps: Applications): Component[] {
  return getCorootComponents(apps).map((a) => {
    let instances: ComponentInstance[] | null = null;
    for (const i of a.instances) {
      if (isObsolete(i)) continue;
      const containers: Record<string, ComponentContainer> = {};
      for (const c of i.containers.values()) {
        if (c.initContainer) continue;
        containers[c.name] = {
          cpu_total: i.node ? value(last(i.node.cpuCapacity)) : 0,
          cpu_usage: value(last(c.cpuUsage)),
          cpu_limit: value(last(c.cpuLimit)),
          cpu_delay: value(last(c.cpuDelay)),
          cpu_throttling: value(last(c.throttledTime)),
          memory_total: i.node ? value(last(i.node.memoryTotalBytes)) : 0,
          memory_usage: value(last(c.memoryRss)),
          memory_limit: value(last(c.memoryLimit)),
          memory_ooms: value(nanSum(c.oomKills)),
          restarts: value(nanSum(c.restarts)),
        };
      }
      let volumes: ComponentVolume[] | null = null;
      for (const v of i.volumes) {
        const disk = i.node?.disks.get(v.device.value());
        (volumes ??= []).push({
          size: value(last(v.capacityBytes)),
          usage: value(last(v.usedBytes)),
          read_latency: disk ? value(last(disk.readTime)) : 0,
          write_latency: disk ? value(last(disk.writeTime)) : 0,
          reads: disk ? value(last(disk.readOps)) : 0,
          writes: disk ? value(last(disk.writeOps)) : 0,
          read_bandwidth: disk ? value(last(disk.readBytes)) : 0,
          write_bandwidth: disk ? value(last(disk.writtenBytes)) : 0,
        });
      }
      (instances ??= []).push({ containers, volumes });
    }
    return { id: applicationIdString(a.id), instances };
  });
}
