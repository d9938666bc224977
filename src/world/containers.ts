/**
 * Containers, their instances and, in a recording-rule world, their connections (constructor/
 * containers.go). Every container series is resolved to an instance once per (machine_id, system_uuid,
 * container_id): Kubernetes containers join their pod's instance, other runtimes create applications by
 * the container id's shape. Connections are matched to remote instances by listen address, service IP or
 * endpoints, and unknown destinations become ExternalService applications.
 */
import type { ApplicationId } from '../model/application-id.js';
import type { MetricValues, Window } from '../sources/metrics.js';
import { ApplicationKind, newApplicationId } from './application-id.js';
import {
  getOrCreateContainer, getOrCreateInstance, instanceNodeId, instanceNodeName, listenKey, own,
  type Application, type Applications, type Connection, type Container, type Instance, type Listen,
} from './applications.js';
import { globMatch } from './glob.js';
import type { Service } from './k8s.js';
import { nodeIdFromLabels, nodeKey, nodeName, type Node, type NodeId } from './model.js';
import { isIP, isLoopbackIP, splitHostPort } from './netaddr.js';
import type { Metrics, NodeCache } from './nodes.js';
import { LabelLastValue, last, type Series } from './timeseries.js';

/** the NanSum merge of two series (constructor.merge with timeseries.NanSum) */
export function mergeNanSum(dest: Series, ts: Series): Series {
  if (!dest) return ts;
  if (!ts) return dest;
  const out = new Float32Array(dest.length);
  for (let i = 0; i < out.length; i++) {
    const a = dest[i]!;
    const b = ts[i]!;
    let sum = 0;
    if (!Number.isNaN(a)) sum = Math.fround(sum + a);
    if (!Number.isNaN(b)) sum = Math.fround(sum + b);
    out[i] = sum;
  }
  return out;
}

/** Reduce(NanSum) == 0 or nil: "no connections" for the ExternalService decision */
function isEmptySeries(ts: Series): boolean {
  if (!ts) return true;
  let sum = NaN;
  for (const v of ts) {
    if (Number.isNaN(sum)) sum = 0;
    if (!Number.isNaN(v)) sum = Math.fround(sum + v);
  }
  return sum === 0;
}

export interface ContainersContext {
  window: Window;
  clusterId: string;
  /** project.Settings.CustomApplications: name → instance patterns, in stored order */
  customApplications: ReadonlyArray<[string, readonly string[]]>;
  nodes: NodeCache;
  apps: Applications;
  servicesByClusterIP: Map<string, Service>;
  ip2fqdn: Map<string, Set<string>>;
}

interface ResolvedContainer { instance: Instance | null; container: Container | null }

/**
 * containerCache: by raw (machine_id, system_uuid, container_id). Nested maps, as the decoder shares
 * label strings: a lookup per series then builds no key, where a joined key cost an allocation per series.
 */
export class ContainerCache {
  private readonly byMachine = new Map<string, Map<string, Map<string, ResolvedContainer>>>();
  // the entry last found or stored, in fields rather than an object allocated per entry: Prometheus
  // sorts series by labels, so a container's series often come in a row
  private lastMachineId = '';
  private lastSystemUuid = '';
  private lastContainerId = '';
  private last: ResolvedContainer | undefined;

  get(m: MetricValues): ResolvedContainer | undefined {
    if (this.last && this.lastContainerId === m.containerId && this.lastMachineId === m.machineId && this.lastSystemUuid === m.systemUuid) return this.last;
    const v = this.byMachine.get(m.machineId)?.get(m.systemUuid)?.get(m.containerId);
    if (v) this.remember(m, v);
    return v;
  }

  private remember(m: MetricValues, v: ResolvedContainer): void {
    this.lastMachineId = m.machineId;
    this.lastSystemUuid = m.systemUuid;
    this.lastContainerId = m.containerId;
    this.last = v;
  }

  set(m: MetricValues, v: ResolvedContainer): void {
    let bySystem = this.byMachine.get(m.machineId);
    if (!bySystem) {
      bySystem = new Map();
      this.byMachine.set(m.machineId, bySystem);
    }
    let byContainer = bySystem.get(m.systemUuid);
    if (!byContainer) {
      byContainer = new Map();
      bySystem.set(m.systemUuid, byContainer);
    }
    byContainer.set(m.containerId, v);
    this.remember(m, v);
  }
}

const instanceKey = (ns: string, name: string, node: NodeId) => `${ns}\u0000${name}\u0000${nodeKey(node)}`;
const nsNameKey = (ns: string, name: string) => `${ns}\u0000${name}`;
const NO_NODE: NodeId = { machineId: '', systemUuid: '' };

/** Project.GetCustomApplicationName */
function customApplicationName(ctx: ContainersContext, instance: string): string {
  for (const [name, patterns] of ctx.customApplications) if (globMatch(instance, ...patterns)) return name;
  return '';
}

const L7_COUNT: Array<[string, string]> = [
  ['container_http_requests_count', 'http'], ['container_postgres_queries_count', 'postgres'], ['container_mysql_queries_count', 'mysql'],
  ['container_mongo_queries_count', 'mongo'], ['container_redis_queries_count', 'redis'], ['container_memcached_queries_count', 'memcached'],
  ['container_kafka_requests_count', 'kafka'], ['container_cassandra_queries_count', 'cassandra'], ['container_rabbitmq_messages', 'rabbitmq'],
  ['container_nats_messages', 'nats'], ['container_clickhouse_queries_count', 'clickhouse'], ['container_zookeeper_requests_count', 'zookeeper'],
  ['container_foundationdb_requests_count', 'foundationdb'],
];
const L7_LATENCY: Array<[string, string]> = [
  ['container_http_requests_latency_total', 'http'], ['container_postgres_queries_latency_total', 'postgres'],
  ['container_mysql_queries_latency_total', 'mysql'], ['container_mongo_queries_latency_total', 'mongo'],
  ['container_redis_queries_latency_total', 'redis'], ['container_memcached_queries_latency_total', 'memcached'],
  ['container_kafka_requests_latency_total', 'kafka'], ['container_cassandra_queries_latency_total', 'cassandra'],
  ['container_clickhouse_queries_latency_total', 'clickhouse'], ['container_zookeeper_requests_latency_total', 'zookeeper'],
  ['container_foundationdb_requests_latency_total', 'foundationdb'],
];
const L7_HISTOGRAM = L7_LATENCY.map(([q]) => q.replace('_latency_total', '_histogram'));
const INBOUND = ['http', 'postgres', 'mysql', 'mongo', 'redis', 'memcached', 'kafka', 'cassandra', 'clickhouse', 'zookeeper', 'foundationdb']
  .map((p) => (['kafka', 'zookeeper', 'foundationdb', 'http'].includes(p) ? `container_${p}_inbound_requests` : `container_${p}_inbound_queries`));

/** externalServiceName: a well-known port names the service */
export function externalServiceName(port: string): string {
  const byPort: Record<string, string> = {
    5432: 'postgres', 3306: 'mysql', 11211: 'memcached', 2181: 'zookeeper', 9092: 'kafka', 9093: 'kafka', 9094: 'kafka', 6379: 'redis',
    9042: 'cassandra', 9160: 'cassandra', 9142: 'cassandra', 7000: 'cassandra', 7001: 'cassandra', 7199: 'cassandra', 27017: 'mongodb',
    27018: 'mongodb', 9200: 'elasticsearch', 9300: 'elasticsearch', 80: 'http', 443: 'http', 8080: 'http',
  };
  const service = Object.prototype.hasOwnProperty.call(byPort, port) ? byPort[port] : undefined;
  return service ? `external-${service}` : `external:${port}`;
}

/** Coroot's loadContainers in two parts; see beginLoadingContainers */
export interface ContainersLoad {
  /** the rest of loadContainers, from container_net_latency on, with every query answered */
  finish(metrics: Metrics): ContainerCache;
}

/**
 * The first part of loadContainers: the containers' own queries (info, CPU, memory, restarts), which are
 * most of its work on a large cluster. It reads no per-instance connection query, so the recording world
 * runs it while those are still being answered; the order of the reads, and with it the order in which
 * instances and containers are created, is loadContainers' own.
 */
export function beginLoadingContainers(ctx: ContainersContext, answered: Metrics): ContainersLoad {
  let metrics = answered;
  const { apps } = ctx;
  const containers = new ContainerCache();
  const instances = new Map<string, Instance>();
  const appsByNsName = new Map<string, Application>();
  const instancesByListen = new Map<string, Instance>();
  const rttByInstance = new Map<string, Map<string, Series>>();

  for (const a of apps.values()) {
    if (a.id.namespace !== '') appsByNsName.set(nsNameKey(a.id.namespace, a.id.name), a);
    for (const i of a.instances) {
      instances.set(instanceKey(a.id.namespace, i.name, instanceNodeId(i)), i);
      // tcpListens is keyed by listenKey
      for (const key of i.tcpListens.keys()) instancesByListen.set(key, i);
    }
  }

  /** getInstanceByAppId: aggregated series name an app ("/k8s/<ns>/<name>"); its first instance stands for it */
  const instanceByAppId = (appId: string): Instance | null => {
    if (!appId.startsWith('/')) return null;
    const parts = appId.split('/');
    if (parts.length !== 4 || (parts[1] !== 'k8s' && parts[1] !== 'k8s-cronjob')) return null;
    const app = appsByNsName.get(nsNameKey(parts[2]!, parts[3]!));
    return app && app.instances.length > 0 ? app.instances[0]! : null;
  };

  /** getInstanceAndContainer */
  const resolve = (node: Node | null, containerId: string): ResolvedContainer => {
    const nodeId = node ? node.id : NO_NODE;
    const nodeNameValue = node ? nodeName(node) : '';
    if (!containerId.startsWith('/')) return { instance: null, container: null };
    const parts = containerId.split('/');
    if (parts.length === 5 && parts[1] === 'k8s') {
      const instance = instances.get(instanceKey(parts[2]!, parts[3]!, nodeId));
      if (!instance) return { instance: null, container: null };
      return { instance, container: getOrCreateContainer(instance, containerId, parts[4]!) };
    }
    let appId: ApplicationId;
    let ns = '';
    let name: string;
    let containerName: string;
    if (parts.length === 5 && parts[1] === 'k8s-cronjob') {
      ns = parts[2]!;
      containerName = parts[4]!;
      appId = newApplicationId(ctx.clusterId, ns, ApplicationKind.CronJob, parts[3]!);
      name = `${parts[3]}@${nodeNameValue}`;
    } else if (parts.length === 7 && parts[1] === 'nomad') {
      ns = parts[2]!;
      containerName = parts[6]!;
      appId = newApplicationId(ctx.clusterId, ns, ApplicationKind.NomadJobGroup, `${parts[3]}.${parts[4]}`);
      name = `${parts[4]}-${parts[5]}`;
    } else if (parts.length === 5 && parts[1] === 'swarm') {
      ns = parts[2]!;
      appId = newApplicationId(ctx.clusterId, ns, ApplicationKind.DockerSwarmService, parts[3]!);
      containerName = parts[3]!;
      name = `${parts[3]}.${parts[4]}`;
    } else {
      let lastPart = parts[parts.length - 1]!;
      if (lastPart.endsWith('.service')) lastPart = lastPart.slice(0, -'.service'.length);
      if (lastPart.endsWith('.slice')) lastPart = lastPart.slice(0, -'.slice'.length);
      containerName = lastPart;
      name = `${containerName}@${nodeNameValue}`;
      appId = newApplicationId(ctx.clusterId, '', ApplicationKind.Unknown, containerName);
    }
    if (name === '') return { instance: null, container: null };
    const key = instanceKey(ns === '' ? '_' : ns, name, nodeId);
    let instance = instances.get(key);
    if (!instance) {
      const custom = customApplicationName(ctx, name);
      if (custom !== '') appId = { ...appId, name: custom };
      instance = getOrCreateInstance(apps.getOrCreate(appId, custom !== ''), name, node);
      instances.set(key, instance);
    }
    return { instance, container: getOrCreateContainer(instance, containerId, containerName) };
  };

  // a node's many containers name it by the same raw labels: its id is worked out once per pair, not
  // once per container (the node cache does not change while containers load)
  const nodesByLabels = new Map<string, Map<string, Node | null>>();
  const nodeOf = (m: MetricValues): Node | null => {
    let bySystem = nodesByLabels.get(m.machineId);
    if (!bySystem) {
      bySystem = new Map();
      nodesByLabels.set(m.machineId, bySystem);
    }
    let node = bySystem.get(m.systemUuid);
    if (node === undefined) {
      node = ctx.nodes.get(nodeKey(nodeIdFromLabels(m))) ?? null;
      bySystem.set(m.systemUuid, node);
    }
    return node;
  };

  const loadContainer = (queryName: string, f?: (instance: Instance, container: Container | null, m: MetricValues) => void) => {
    for (const m of metrics.get(queryName) ?? []) {
      const appIdLabel = m.labels.app_id ?? '';
      if (appIdLabel !== '') {
        const instance = instanceByAppId(appIdLabel);
        if (instance) f?.(instance, null, m);
        continue;
      }
      let v = containers.get(m);
      if (!v) {
        v = resolve(nodeOf(m), m.containerId);
        containers.set(m, v);
      }
      if (!v.instance || !v.container) continue;
      f?.(v.instance, v.container, m);
    }
  };

  /** getOrCreateConnection */
  const connection = (instance: Instance, m: MetricValues): Connection | null => {
    if (instance.owner.id.name === 'docker') return null; // docker-proxy's connections
    const key = `${m.destination}\u0000${m.actualDestination}`;
    let c = instance.upstreams.get(key);
    if (!c) {
      const service = splitHostPort(m.destination);
      if (!service) return null;
      let actual: [string, string] = ['', ''];
      if (m.actualDestination !== '') {
        const parsed = splitHostPort(m.actualDestination);
        if (!parsed) return null;
        actual = parsed;
      }
      c = {
        instance, remoteInstance: null, actualRemoteIP: actual[0], actualRemotePort: actual[1], serviceRemoteIP: service[0], serviceRemotePort: service[1],
        successfulConnections: null, active: null, failedConnections: null, connectionTime: null, bytesSent: null, bytesReceived: null,
        retransmissions: null, rtt: null, requestsCount: new Map(), requestsLatency: new Map(),
      };
      own(instance, 'upstreams').set(key, c);
    }
    return c;
  };
  const loadConnection = (queryName: string, f: (c: Connection, m: MetricValues) => void) =>
    loadContainer(queryName, (instance, _container, m) => {
      const c = connection(instance, m);
      if (c) f(c, m);
    });

  const jobStatus = promJobStatuses(metrics);
  type SeriesField = 'cpuLimit' | 'cpuUsage' | 'cpuDelay' | 'throttledTime' | 'memoryRss' | 'memoryLimit';
  const resource = (field: SeriesField) => (_i: Instance, c: Container | null, m: MetricValues) => {
    if (c) c[field] = mergeAnySeries(c[field], m.values);
  };
  const counterIncrease = (field: 'oomKills' | 'restarts') => (_i: Instance, c: Container | null, m: MetricValues) => {
    const status = jobStatus.get(`${m.labels.job ?? ''}\u0000${m.labels.instance ?? ''}`) ?? null;
    if (c) c[field] = mergeAnySeries(c[field], increase(m.values, status));
  };
  loadContainer('container_info');
  loadContainer('container_application_type', (_i, container, m) => container && own(container, 'applicationTypes').add(m.labels.application_type ?? ''));
  loadContainer('container_cpu_limit', resource('cpuLimit'));
  loadContainer('container_cpu_usage', resource('cpuUsage'));
  loadContainer('container_cpu_delay', resource('cpuDelay'));
  loadContainer('container_throttled_time', resource('throttledTime'));
  loadContainer('container_memory_rss', resource('memoryRss'));
  loadContainer('container_memory_cache');
  loadContainer('container_memory_pressure');
  loadContainer('container_memory_limit', resource('memoryLimit'));
  loadContainer('container_oom_kills_total', counterIncrease('oomKills'));
  loadContainer('container_restarts', counterIncrease('restarts'));
  return {
    finish(all: Metrics): ContainerCache {
      metrics = all;
      // the key of an instance cannot change while containers load, so each instance's map is looked up by
      // key once and then by the instance itself, sparing a joined key per series
      const rttsOfInstance = new Map<Instance, Map<string, Series>>();
      loadContainer('container_net_latency', (instance, _c, m) => {
        let rtts = rttsOfInstance.get(instance);
        if (!rtts) {
          const key = instanceKey(instance.owner.id.namespace, instance.name, instanceNodeId(instance));
          rtts = rttByInstance.get(key);
          if (!rtts) {
            rtts = new Map();
            rttByInstance.set(key, rtts);
          }
          rttsOfInstance.set(instance, rtts);
        }
        rtts.set(m.destination, mergeAnySeries(rtts.get(m.destination) ?? null, m.values));
      });
      loadContainer('container_net_tcp_listen_info', (instance, _c, m) => {
        const parsed = splitHostPort(m.labels.listen_addr ?? '');
        if (!parsed) return;
        const listen: Listen = { ip: parsed[0], port: parsed[1], proxied: (m.labels.proxy ?? '') !== '' };
        const key = listenKey(listen);
        const existing = instance.tcpListens.get(key);
        if (!existing?.active) instance.tcpListens.set(key, { listen, active: last(m.values) === 1 });
        if (isLoopbackIP(listen.ip)) {
          if (instance.node) instancesByListen.set(listenKey({ ...listen, ip: instanceNodeName(instance) }), instance);
        } else {
          instancesByListen.set(key, instance);
        }
      });

      loadConnection('container_net_tcp_successful_connects', (c, m) => (c.successfulConnections = mergeNanSum(c.successfulConnections, m.values)));
      loadConnection('container_net_tcp_connection_time_seconds', (c, m) => (c.connectionTime = mergeNanSum(c.connectionTime, m.values)));
      loadConnection('container_net_tcp_bytes_sent', (c, m) => (c.bytesSent = mergeNanSum(c.bytesSent, m.values)));
      loadConnection('container_net_tcp_bytes_received', (c, m) => (c.bytesReceived = mergeNanSum(c.bytesReceived, m.values)));
      loadConnection('container_net_tcp_failed_connects', (c, m) => (c.failedConnections = mergeNanSum(c.failedConnections, m.values)));
      loadConnection('container_net_tcp_active_connections', (c, m) => (c.active = mergeNanSum(c.active, m.values)));
      loadConnection('container_net_tcp_retransmits', (c, m) => (c.retransmissions = mergeNanSum(c.retransmissions, m.values)));
      for (const [q, protocol] of L7_COUNT) {
        loadConnection(q, (c, m) => {
          const proto = protocol === 'rabbitmq' || protocol === 'nats' ? `${protocol}-${m.labels.method ?? ''}` : protocol;
          let byStatus = c.requestsCount.get(proto);
          if (!byStatus) {
            byStatus = new Map();
            c.requestsCount.set(proto, byStatus);
          }
          const status = m.labels.status ?? '';
          byStatus.set(status, mergeNanSum(byStatus.get(status) ?? null, m.values));
        });
      }
      for (const [q, protocol] of L7_LATENCY) {
        loadConnection(q, (c, m) => c.requestsLatency.set(protocol, mergeNanSum(c.requestsLatency.get(protocol) ?? null, m.values)));
      }
      // histograms only create connections here; their values feed no connection rule
      for (const q of L7_HISTOGRAM) loadConnection(q, () => undefined);
      for (const q of INBOUND) loadContainer(`${q}_count`);
      for (const q of INBOUND) loadContainer(`${q}_histogram`);
      loadContainer('container_dns_requests_total');
      loadContainer('container_dns_requests_latency');
      const volume = (field: 'capacityBytes' | 'usedBytes') => (instance: Instance, _c: Container | null, m: MetricValues) => {
        const mountPoint = m.labels.mount_point ?? '';
        let v = instance.volumes.find((x) => x.mountPoint === mountPoint);
        if (!v) {
          v = { mountPoint, name: new LabelLastValue(), device: new LabelLastValue(), capacityBytes: null, usedBytes: null };
          instance.volumes.push(v);
        }
        v.name.update(m.values, m.labels.volume ?? '', ctx.window);
        v.device.update(m.values, m.labels.device ?? '', ctx.window);
        v[field] = mergeAnySeries(v[field], m.values);
      };
      loadContainer('container_volume_size', volume('capacityBytes'));
      loadContainer('container_volume_used', volume('usedBytes'));
      loadContainer('container_gpu_usage_percent');
      loadContainer('container_gpu_memory_usage_percent');

      resolveRemoteInstances(ctx, appsByNsName, instancesByListen, rttByInstance);
      createExternalServices(ctx, instancesByListen);
      return containers;
    },
  };
}

/** loadPromJobStatuses: the `up` series by (job, instance), the later one winning */
function promJobStatuses(metrics: Metrics): Map<string, Series> {
  const res = new Map<string, Series>();
  for (const m of metrics.get('up') ?? []) res.set(`${m.labels.job ?? ''}\u0000${m.labels.instance ?? ''}`, m.values);
  return res;
}

/**
 * timeseries.Increase: per-point increase of a counter, a drop taken as a reset; the first point after a
 * gap counts whole only if the scrape target was up just before.
 */
export function increase(x: Series, status: Series): Series {
  if (!x || !status) return null;
  const n = Math.min(x.length, status.length);
  const data = new Float32Array(n);
  let prev = NaN;
  let prevStatus = NaN;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    let d = NaN;
    if (!Number.isNaN(v) && !Number.isNaN(prev)) {
      const diff = Math.fround(v - prev);
      d = diff >= 0 ? diff : v;
    } else if (Number.isNaN(prev) && prevStatus === 1) {
      d = v;
    }
    prev = v;
    prevStatus = status[i]!;
    data[i] = d;
  }
  return data;
}

function mergeAnySeries(dest: Series, ts: Series): Series {
  if (!dest) return ts;
  if (!ts) return dest;
  const out = new Float32Array(dest.length);
  for (let i = 0; i < out.length; i++) out[i] = Number.isNaN(dest[i]!) ? ts[i]! : dest[i]!;
  return out;
}

/** the first loop after the loaders: remote instance by listen address, RTT, services */
function resolveRemoteInstances(
  ctx: ContainersContext, appsByNsName: Map<string, Application>, instancesByListen: Map<string, Instance>, rttByInstance: Map<string, Map<string, Series>>,
): void {
  for (const app of ctx.apps.values()) {
    for (const instance of app.instances) {
      if (instance.upstreams.size === 0) continue;
      const rtts = rttByInstance.get(instanceKey(instance.owner.id.namespace, instance.name, instanceNodeId(instance)));
      for (const u of instance.upstreams.values()) {
        let remoteIP = u.actualRemoteIP;
        let remotePort = u.actualRemotePort;
        if (remoteIP === '') {
          remoteIP = u.serviceRemoteIP;
          remotePort = u.serviceRemotePort;
        }
        const l: Listen = { ip: remoteIP, port: remotePort, proxied: true };
        if (isLoopbackIP(remoteIP) && instance.node) l.ip = instanceNodeName(instance);
        u.remoteInstance = instancesByListen.get(listenKey(l))
          ?? instancesByListen.get(listenKey({ ...l, proxied: false }))
          ?? instancesByListen.get(listenKey({ ...l, proxied: false, port: '0' }))
          ?? null;
        if (rtts) u.rtt = mergeAnySeries(u.rtt, rtts.get(u.actualRemoteIP) ?? null);
        const svc = ctx.servicesByClusterIP.get(u.serviceRemoteIP);
        if (svc && !u.remoteInstance) {
          const a = appsByNsName.get(nsNameKey(svc.namespace, svc.name));
          if (a && a.instances.length > 0) u.remoteInstance = a.instances[0]!;
        }
      }
    }
  }
}

/** the second loop: ExternalService applications for destinations still unknown */
function createExternalServices(ctx: ContainersContext, instancesByListen: Map<string, Instance>): void {
  const serviceEndpointInstances = new Map<Service, Instance | null>();
  for (const app of ctx.apps.values()) {
    for (const instance of app.instances) {
      for (const u of instance.upstreams.values()) {
        if (u.remoteInstance) continue;
        let appId = newApplicationId('external', 'external', ApplicationKind.ExternalService, '');
        const svc = ctx.servicesByClusterIP.get(u.serviceRemoteIP);
        const instanceName = `${u.serviceRemoteIP}:${u.serviceRemotePort}`;
        if (svc) {
          const destination = svc.destinationApps.size === 1 ? [...svc.destinationApps.values()][0]! : undefined;
          if (destination && destination.instances.length > 0) {
            u.remoteInstance = destination.instances[0]!;
            continue;
          }
          if (!serviceEndpointInstances.has(svc)) serviceEndpointInstances.set(svc, serviceEndpointInstance(svc, instancesByListen));
          const ri = serviceEndpointInstances.get(svc) ?? null;
          if (ri) {
            u.remoteInstance = ri;
            continue;
          }
          appId = { ...appId, name: svc.name };
        } else {
          if (isEmptySeries(u.successfulConnections) && isEmptySeries(u.active) && isEmptySeries(u.failedConnections)) continue;
          const fqdns = ctx.ip2fqdn.get(u.serviceRemoteIP);
          if (u.actualRemoteIP === '' && !isIP(u.serviceRemoteIP)) appId = { ...appId, name: u.serviceRemoteIP };
          else if (fqdns && fqdns.size > 0) appId = { ...appId, name: `${[...fqdns].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))[0]}:${u.serviceRemotePort}` };
          else appId = { ...appId, name: externalServiceName(u.serviceRemotePort) };
        }
        const custom = customApplicationName(ctx, instanceName);
        if (custom !== '') appId = { ...appId, name: custom };
        const ri = getOrCreateInstance(ctx.apps.getOrCreate(appId, custom !== ''), instanceName, null);
        const listen: Listen = { ip: u.actualRemoteIP, port: u.actualRemotePort, proxied: false };
        ri.tcpListens.set(listenKey(listen), { listen, active: true });
        u.remoteInstance = ri;
      }
    }
  }
}

/** serviceEndpointInstance: the endpoints' instances, when they all belong to one application */
function serviceEndpointInstance(svc: Service, instancesByListen: Map<string, Instance>): Instance | null {
  let res: Instance | null = null;
  for (const ep of svc.endpoints) {
    const i = instancesByListen.get(listenKey({ ip: ep.ip, port: ep.port, proxied: false }));
    if (!i) continue;
    if (res && res.owner !== i.owner) return null;
    res = i;
  }
  return res;
}
