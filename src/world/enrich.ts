/**
 * Database instrumentation and JVM profiling (constructor.go enrichInstances, findInstance; jvm.go):
 * exporter series find their instance by RDS / ElastiCache id, by listen address, or by namespace and pod
 * labels, and mark it as a monitored Postgres, MySQL, Redis, MongoDB or Memcached; a JVM reporting
 * profiling marks its instance.
 */
import type { MetricValues } from '../sources/metrics.js';
import { ApplicationKind } from './application-id.js';
import { listenKey, own, type Applications, type Instance } from './applications.js';
import type { ContainerCache } from './containers.js';
import { isIP } from './netaddr.js';
import type { ManagedInstances, Metrics } from './nodes.js';
import { last } from './timeseries.js';

const NAMESPACE_LABELS = ['namespace', 'ns', 'kubernetes_namespace', 'kubernetes_ns', 'k8s_namespace', 'k8s_ns'];
const POD_LABELS = ['pod', 'pod_name', 'kubernetes_pod', 'k8s_pod'];
const FAMILIES: Array<[string, string]> = [['pg_', 'postgres'], ['redis_', 'redis'], ['mongo_', 'mongodb'], ['memcached_', 'memcached'], ['mysql_', 'mysql']];

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** instances by "ip:port" of their listens, an application's own listen winning over an ExternalService's */
function instancesByAddress(apps: Applications): Map<string, Instance> {
  const instancesByListen = new Map<string, { instance: Instance; ip: string; port: string; proxied: boolean }>();
  for (const app of apps.values()) {
    for (const i of app.instances) {
      // tcpListens is keyed by listenKey
      for (const [key, { listen }] of i.tcpListens) {
        const e = instancesByListen.get(key);
        if (!e || (e.instance.owner.id.kind === ApplicationKind.ExternalService && app.id.kind !== ApplicationKind.ExternalService)) {
          instancesByListen.set(key, { instance: i, ip: listen.ip, port: listen.port, proxied: listen.proxied });
        }
      }
    }
  }
  const byAddr = new Map<string, Instance>();
  for (const { instance, ip, port, proxied } of instancesByListen.values()) {
    if (!isIP(ip)) continue;
    const addr = joinHostPort(ip, port);
    if (byAddr.has(addr)) continue;
    // the proxied listen of the address, else the plain one; an entry is stored under its own listen, so
    // a proxied entry is its own answer and a plain one is the fallback
    const preferred = proxied ? undefined : instancesByListen.get(listenKey({ ip, port, proxied: true }));
    byAddr.set(addr, preferred?.instance ?? instance);
  }
  return byAddr;
}

function instancesByPod(apps: Applications): Map<string, Instance> {
  const byPod = new Map<string, Instance>();
  for (const app of apps.values()) for (const i of app.instances) if (i.pod) byPod.set(`${app.id.namespace}\u0000${i.name}`, i);
  return byPod;
}

export function enrichInstances(apps: Applications, metrics: Metrics, managed: ManagedInstances): void {
  // built on first use: enrichment only marks instances, so the indexes are the same whenever they are
  // built, and a cluster without database exporters needs neither
  let byAddrIndex: Map<string, Instance> | null = null;
  const byAddr = () => (byAddrIndex ??= instancesByAddress(apps));
  let byPodIndex: Map<string, Instance> | null = null;
  const byPod = () => (byPodIndex ??= instancesByPod(apps));

  for (const [queryName, type] of [['pg_up', 'postgres'], ['redis_up', 'redis'], ['mongo_up', 'mongodb'], ['memcached_up', 'memcached']] as const) {
    for (const m of metrics.get(queryName) ?? []) {
      const address = m.labels.address ?? '';
      if (address === '') continue;
      const instance = byAddr().get(address);
      if (instance) own(instance, 'instrumented').add(type);
    }
  }

  const findInstance = (m: MetricValues): Instance | undefined => {
    const rdsId = m.labels.rds_instance_id ?? '';
    if (rdsId !== '') return managed.rdsById.get(rdsId);
    const ecId = m.labels.ec_instance_id ?? '';
    if (ecId !== '') return managed.ecById.get(ecId);
    const address = (m.labels.address ?? '') !== '' ? m.labels.address! : (m.labels.instance ?? '');
    if (address !== '') return byAddr().get(address);
    const ns = NAMESPACE_LABELS.map((l) => m.labels[l] ?? '').find((v) => v !== '') ?? '';
    const pod = POD_LABELS.map((l) => m.labels[l] ?? '').find((v) => v !== '') ?? '';
    return ns !== '' && pod !== '' ? byPod().get(`${ns}\u0000${pod}`) : undefined;
  };
  for (const [queryName, list] of metrics) {
    const family = FAMILIES.find(([prefix]) => queryName.startsWith(prefix));
    if (!family) continue;
    for (const m of list) {
      const instance = findInstance(m);
      if (instance) own(instance, 'instrumented').add(family[1]);
    }
  }
}

/** loadJVM's profiling flag: the JVM series must belong to a container already resolved from container metrics */
export function loadJvmProfiling(metrics: Metrics, containers: ContainerCache): void {
  for (const m of metrics.get('container_jvm_profiling_status') ?? []) {
    const v = containers.get(m);
    const name = m.labels.jvm ?? '';
    if (!v?.instance || name === '') continue;
    const instance = v.instance;
    if (last(m.values) > 0) own(instance, 'jvmProfiling').set(name, true);
    else if (!instance.jvmProfiling.has(name)) own(instance, 'jvmProfiling').set(name, false);
  }
}
