/**
 * Coroot's connection recording rules, rebuilt (constructor/queries.go aggConnections and the
 * rr_connection_* rules), and their use in the stats world (constructor/connections.go
 * loadAppToAppConnections). Prometheus never holds rr_* series: Coroot computes them from a world built
 * with per-instance connections. Here that world is built from the same Prometheus over the same window,
 * and each rule's series are derived from it; then, as in Coroot, every (app, dest) pair found links the
 * two applications, creating them (and an ExternalService's instances) when the stats world lacks them.
 */
import { applicationIdString, parseApplicationId } from '../model/application-id.js';
import { splitLabels, type MetricValues, type Window } from '../sources/metrics.js';
import { ApplicationKind } from './application-id.js';
import { appKey, getOrCreateInstance, listenKey, type Application, type Applications, type Connection } from './applications.js';
import { isIP, splitHostPort } from './netaddr.js';
import { RR } from './queries.js';
import type { Series } from './timeseries.js';

/** model.IsRequestStatusFailed */
function isRequestStatusFailed(status: string): boolean {
  return status === 'failed' || status.startsWith('5') || (status.startsWith('grpc:') && status !== 'grpc:OK');
}

type ConnectionSeries = (c: Connection) => Series;
const AGG_RULES: Array<[string, ConnectionSeries]> = [
  [RR.tcpSuccessful, (c) => c.successfulConnections],
  [RR.tcpActive, (c) => c.active],
  [RR.tcpFailed, (c) => c.failedConnections],
  [RR.tcpConnectionTime, (c) => c.connectionTime],
  [RR.tcpBytesSent, (c) => c.bytesSent],
  [RR.tcpBytesReceived, (c) => c.bytesReceived],
  [RR.tcpRetransmissions, (c) => c.retransmissions],
];

function series(labels: Record<string, string>, values: Float32Array): MetricValues {
  return { ...splitLabels(labels), values };
}

function hasValue(ts: Series): ts is Float32Array {
  return ts !== null && ts.some((v) => !Number.isNaN(v));
}

/** the first connection's series that has a value */
function firstWithValue(conns: readonly Connection[], f: ConnectionSeries): Float32Array | undefined {
  for (const c of conns) {
    const ts = f(c);
    if (hasValue(ts)) return ts;
  }
  return undefined;
}

/** the (destination application, connections) of each application's instances, in a stable order */
function upstreamsByDest(app: Application): Map<Application, Connection[]> {
  const byDest = new Map<Application, Connection[]>();
  for (const instance of app.instances) {
    for (const u of instance.upstreams.values()) {
      const dest = u.remoteInstance?.owner;
      if (!dest) continue;
      const conns = byDest.get(dest);
      if (conns) conns.push(u);
      else byDest.set(dest, [u]);
    }
  }
  return byDest;
}

/**
 * The rr_connection_* series of a recording-rule world, by rule name. Values only tell whether a series
 * exists (the cache keeps a series with at least one value), so they are kept as the first input that
 * has one.
 */
export function connectionRecordingRules(apps: Applications, window: Window): Map<string, MetricValues[]> {
  const out = new Map<string, MetricValues[]>();
  const emit = (rule: string, labels: Record<string, string>, values: Float32Array) => {
    const list = out.get(rule);
    if (list) list.push(series(labels, values));
    else out.set(rule, [series(labels, values)]);
  };
  const points = Math.floor((window.to - window.from) / window.step);
  const ones = new Float32Array(Math.max(points, 0)).fill(1);
  // an application's id string is asked for once per rule and connection: ids do not change here
  const idStrings = new Map<Application, string>();
  const idString = (app: Application): string => {
    let s = idStrings.get(app);
    if (s === undefined) {
      s = applicationIdString(app.id);
      idStrings.set(app, s);
    }
    return s;
  };
  for (const app of apps.values()) {
    const appId = idString(app);
    const byDest = upstreamsByDest(app);
    for (const [rule, tsF] of AGG_RULES) {
      for (const [dest, conns] of byDest) {
        const ts = firstWithValue(conns, tsF);
        if (ts) emit(rule, { app: appId, dest: idString(dest) }, ts);
      }
    }
    for (const [dest, conns] of byDest) {
      const rtt = firstWithValue(conns, (c) => c.rtt);
      if (rtt) emit(RR.netLatency, { app: appId, dest: idString(dest), agg: 'avg' }, rtt);
    }
    for (const [dest, conns] of byDest) {
      const byKey = new Map<string, { proto: string; status: string; ts: Float32Array }>();
      for (const c of conns) {
        for (const [proto, byStatus] of c.requestsCount) {
          for (const [status, ts] of byStatus) {
            const bucket = isRequestStatusFailed(status) ? 'failed' : 'ok';
            const key = `${proto}\u0000${bucket}`;
            if (ts && !byKey.has(key)) byKey.set(key, { proto, status: bucket, ts });
          }
        }
      }
      for (const { proto, status, ts } of byKey.values()) emit(RR.l7Requests, { app: appId, dest: idString(dest), proto, status }, ts);
      const byProto = new Map<string, Float32Array>();
      for (const c of conns) for (const [proto, ts] of c.requestsLatency) if (ts && !byProto.has(proto)) byProto.set(proto, ts);
      for (const [proto, ts] of byProto) emit(RR.l7Latency, { app: appId, dest: idString(dest), proto }, ts);
    }
    // rr_connection_external_endpoints: a constant 1 per endpoint of every ExternalService destination, whatever the traffic
    if (ones.length === 0) continue;
    const endpointsByDest = new Map<Application, Set<string>>();
    for (const [dest, conns] of byDest) {
      if (dest.id.kind !== ApplicationKind.ExternalService) continue;
      const endpoints = endpointsByDest.get(dest) ?? new Set<string>();
      endpointsByDest.set(dest, endpoints);
      for (const u of conns) {
        if (u.actualRemoteIP !== '') endpoints.add(joinHostPort(u.actualRemoteIP, u.actualRemotePort));
        else if (u.serviceRemoteIP !== '') endpoints.add(joinHostPort(u.serviceRemoteIP, u.serviceRemotePort));
      }
    }
    for (const [dest, endpoints] of endpointsByDest) {
      for (const ep of [...endpoints].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
        emit(RR.externalEndpoints, { app: appId, dest: idString(dest), actual_destination: ep }, ones);
      }
    }
  }
  return out;
}

/** net.JoinHostPort */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** loadAppToAppConnections: links from every rr_connection_* series (not the _raw ones) */
export function loadAppToAppConnections(apps: Applications, metrics: ReadonlyMap<string, readonly MetricValues[]>, fqdn2ip: Map<string, Set<string>>, clusterId: string): void {
  for (const [queryName, list] of metrics) {
    if (!queryName.startsWith('rr_connection') || queryName.endsWith('_raw')) continue;
    for (const mv of list) {
      const appId = parseApplicationId(mv.labels.app ?? '', clusterId);
      const destId = parseApplicationId(mv.labels.dest ?? '', clusterId);
      if (!appId || !destId) continue;
      const app = apps.getOrCreate(appId, false);
      let dest = app.upstreams.get(appKey(destId));
      if (!dest) {
        dest = apps.getOrCreate(destId, false);
        if (destId.kind === ApplicationKind.ExternalService) {
          const hp = splitHostPort(destId.name);
          if (hp && hp[0] !== '' && hp[1] !== '') {
            const ips = fqdn2ip.get(hp[0]);
            for (const ip of [...(ips ?? [])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
              const instance = getOrCreateInstance(dest, ip, null);
              const listen = { ip, port: hp[1], proxied: false };
              instance.tcpListens.set(listenKey(listen), { listen, active: true });
            }
          }
          if (dest.instances.length === 0) getOrCreateInstance(dest, destId.name, null);
        }
        app.upstreams.set(appKey(destId), dest);
        dest.downstreams.set(appKey(appId), app);
      }
      if (queryName === RR.externalEndpoints && mv.actualDestination !== '' && mv.actualDestination !== ':') {
        getOrCreateInstance(dest, mv.actualDestination, null);
        const hp = splitHostPort(mv.actualDestination);
        if (hp && hp[0] !== '' && hp[1] !== '' && isIP(hp[0])) {
          const instance = getOrCreateInstance(dest, mv.actualDestination, null);
          const listen = { ip: hp[0], port: hp[1], proxied: false };
          instance.tcpListens.set(listenKey(listen), { listen, active: true });
        }
      }
    }
  }
}
