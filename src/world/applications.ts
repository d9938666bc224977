/**
 * Applications and instances of the world (model/application.go, model/instance.go), reduced to what the
 * payload needs: ids, instances with their node, pod, containers and TCP listens, annotations, category,
 * and the connections that decide whether an application is standalone.
 */
import type { ApplicationDeployment } from './deployments.js';
import { applicationIdString, type ApplicationId } from '../model/application-id.js';
import type { Window } from '../sources/metrics.js';
import { ApplicationKind } from './application-id.js';
import { nodeName, type Node, type NodeId } from './model.js';
import { LabelLastValue, type Series } from './timeseries.js';

export const ANNOTATION = {
  category: 'application_category',
  customName: 'custom_application_name',
} as const;

/** model.ApplicationAnnotationLabels: kube-state-metrics label → annotation */
export const ANNOTATION_BY_LABEL: Readonly<Record<string, string>> = {
  annotation_coroot_com_application_category: 'application_category',
  annotation_coroot_com_custom_application_name: 'custom_application_name',
  annotation_coroot_com_slo_availability_objective: 'slo_availability_objective',
  annotation_coroot_com_slo_latency_objective: 'slo_latency_objective',
  annotation_coroot_com_slo_latency_threshold: 'slo_latency_threshold',
};

export type Annotations = Map<string, LabelLastValue>;

/** ApplicationAnnotations.UpdateFromLabels; `annotations` gives the map to write to, asked for on the first annotation */
export function updateAnnotations(annotations: () => Annotations, labels: Record<string, string>, values: Series, window: Window): void {
  for (const [label, value] of Object.entries(labels)) {
    const annotation = ANNOTATION_BY_LABEL[label];
    if (!annotation || value === '') continue;
    let lv = annotations().get(annotation);
    if (!lv) {
      lv = new LabelLastValue();
      annotations().set(annotation, lv);
    }
    lv.update(values, value, window);
  }
}

/** model.Listen; `proxied` listens come from proxies such as kube-proxy's ipvs or docker-proxy. */
export interface Listen {
  ip: string;
  port: string;
  proxied: boolean;
}
export const listenKey = (l: Listen): string => `${l.ip}\u0000${l.port}\u0000${l.proxied ? 1 : 0}`;

export interface Container {
  id: string;
  name: string;
  /** written through own(container, 'applicationTypes') */
  applicationTypes: ReadonlySet<string>;
  initContainer: boolean;
  cpuLimit: Series;
  cpuUsage: Series;
  cpuDelay: Series;
  throttledTime: Series;
  memoryLimit: Series;
  memoryRss: Series;
  oomKills: Series;
  restarts: Series;
}

/** model.Volume, as far as the components' volumes read it */
export interface Volume {
  mountPoint: string;
  name: LabelLastValue;
  device: LabelLastValue;
  capacityBytes: Series;
  usedBytes: Series;
}

export interface Pod {
  phase: string;
  ip: string;
}

/** model.Connection: one (destination, actual destination) of an instance, with the series Coroot's rules aggregate */
export interface Connection {
  instance: Instance;
  remoteInstance: Instance | null;
  actualRemoteIP: string;
  actualRemotePort: string;
  serviceRemoteIP: string;
  serviceRemotePort: string;
  successfulConnections: Series;
  active: Series;
  failedConnections: Series;
  connectionTime: Series;
  bytesSent: Series;
  bytesReceived: Series;
  retransmissions: Series;
  rtt: Series;
  /** by protocol, then status */
  requestsCount: Map<string, Map<string, Series>>;
  requestsLatency: Map<string, Series>;
}

export interface Instance {
  name: string;
  owner: Application;
  node: Node | null;
  pod: Pod | null;
  /** the RDS / ElastiCache engine (Rds.Engine, Elasticache.Engine) */
  rdsEngine: LabelLastValue | null;
  elasticacheEngine: LabelLastValue | null;
  containers: Map<string, Container>;
  /** listen key → active */
  tcpListens: Map<string, { listen: Listen; active: boolean }>;
  /** by ConnectionKey (destination, actual destination); written through own(instance, 'upstreams') */
  upstreams: ReadonlyMap<string, Connection>;
  /** written through own(instance, 'annotations') */
  annotations: ReadonlyMap<string, LabelLastValue>;
  /** the database cluster the pod's labels name; null until one does */
  clusterName: LabelLastValue | null;
  /** the instrumented database type (Postgres/Mysql/Redis/Mongodb/Memcached set by enrichInstances); written through own() */
  instrumented: ReadonlySet<string>;
  /** JVM name → profiling enabled; written through own() */
  jvmProfiling: ReadonlyMap<string, boolean>;
  volumes: Volume[];
}

export interface Application {
  id: ApplicationId;
  custom: boolean;
  category: string;
  annotations: Annotations;
  instances: Instance[];
  instancesByName: Map<string, Instance[]>;
  /** app ids (keys) of the applications this one connects to, and that connect to it (AppToAppConnection) */
  upstreams: Map<string, Application>;
  downstreams: Map<string, Application>;
  clusterManager: string;
  /** the DB's last 100 rollouts of this app, attached by load_app_deployments */
  deployments: ApplicationDeployment[];
}

export const appKey = (id: ApplicationId): string => `${id.clusterId}\u0000${id.namespace}\u0000${id.kind}\u0000${id.name}`;
export { applicationIdString };

export function newApplication(id: ApplicationId, custom: boolean): Application {
  return {
    id, custom, category: '', annotations: new Map(), instances: [], instancesByName: new Map(),
    upstreams: new Map(), downstreams: new Map(), clusterManager: '', deployments: [],
  };
}

/** `collection` with its writing methods made to throw: a bug that writes to a shared one fails loudly */
function refusingWrites<T extends object>(collection: T, writers: readonly string[]): T {
  const refuse = () => {
    throw new Error('internal error: a write to the shared empty collection (use own())');
  };
  for (const name of writers) Object.defineProperty(collection, name, { value: refuse });
  return collection;
}

/**
 * Shared by every instance and container until its first entry: a large cluster has tens of thousands of
 * them, most without connections, annotations, instrumented types, JVMs or application types, and an
 * empty collection each was a third of what a world build keeps alive (and the collector copies).
 */
const NO_ENTRIES: ReadonlyMap<never, never> = refusingWrites(new Map<never, never>(), ['set', 'delete', 'clear']);
const NO_MEMBERS: ReadonlySet<never> = refusingWrites(new Set<never>(), ['add', 'delete', 'clear']);

type LazyCollection = 'upstreams' | 'annotations' | 'instrumented' | 'jvmProfiling' | 'applicationTypes';
type Writable<T> = T extends ReadonlyMap<infer K, infer V> ? Map<K, V> : T extends ReadonlySet<infer E> ? Set<E> : never;

/** the object's own collection `field`, made on the first write */
export function own<T extends { [F in LazyCollection]?: ReadonlyMap<string, unknown> | ReadonlySet<string> }, F extends LazyCollection & keyof T>(
  owner: T, field: F,
): Writable<T[F]> {
  const current = owner[field];
  if (current === NO_ENTRIES) owner[field] = new Map() as T[F];
  else if (current === NO_MEMBERS) owner[field] = new Set() as T[F];
  return owner[field] as Writable<T[F]>;
}

export function newInstance(name: string, owner: Application): Instance {
  return {
    name, owner, node: null, pod: null, rdsEngine: null, elasticacheEngine: null, containers: new Map(), tcpListens: new Map(),
    upstreams: NO_ENTRIES, annotations: NO_ENTRIES, clusterName: null, instrumented: NO_MEMBERS, jvmProfiling: NO_ENTRIES,
    volumes: [],
  };
}

export function instanceNodeName(i: Instance): string {
  return i.node ? nodeName(i.node) : '';
}

export function instanceNodeId(i: Instance): NodeId {
  return i.node ? i.node.id : { machineId: '', systemUuid: '' };
}

/** Instance.IsObsolete: a pod whose phase is unknown */
export function isObsolete(i: Instance): boolean {
  return i.pod !== null && i.pod.phase === '';
}

/** Application.GetInstance: the first of that name; a StatefulSet's pods must also agree on the node */
export function getInstance(app: Application, name: string, node: string): Instance | undefined {
  for (const i of app.instancesByName.get(name) ?? []) {
    if (app.id.kind !== ApplicationKind.StatefulSet) return i;
    if (node === '' || instanceNodeName(i) === '' || instanceNodeName(i) === node) return i;
  }
  return undefined;
}

export function getOrCreateInstance(app: Application, name: string, node: Node | null): Instance {
  let instance = getInstance(app, name, node ? nodeName(node) : '');
  if (!instance) {
    instance = newInstance(name, app);
    app.instances.push(instance);
    const named = app.instancesByName.get(name);
    if (named) named.push(instance);
    else app.instancesByName.set(name, [instance]);
    if (node) instance.node = node;
  }
  return instance;
}

export function getOrCreateContainer(instance: Instance, id: string, name: string): Container {
  let c = instance.containers.get(name);
  if (!c) {
    c = {
      id, name, applicationTypes: NO_MEMBERS, initContainer: false, cpuLimit: null, cpuUsage: null, cpuDelay: null, throttledTime: null,
      memoryLimit: null, memoryRss: null, oomKills: null, restarts: null,
    };
    instance.containers.set(name, c);
  }
  return c;
}

/** Instance.ApplicationTypes: the containers' types plus the RDS / ElastiCache engine's */
export function instanceApplicationTypes(i: Instance): Set<string> {
  const res = new Set<string>();
  for (const c of i.containers.values()) for (const t of c.applicationTypes) res.add(t);
  switch (i.rdsEngine?.value()) {
    case 'postgres': case 'aurora-postgresql': res.add('postgres'); break;
    case 'mysql': case 'aurora-mysql': res.add('mysql'); break;
  }
  switch (i.elasticacheEngine?.value()) {
    case 'redis': res.add('redis'); break;
    case 'memcached': res.add('memcached'); break;
  }
  return res;
}

/** Instance.InstrumentedType: the first of Postgres, Mysql, Redis, Mongodb, Memcached */
export function instrumentedType(i: Instance): string {
  for (const t of ['postgres', 'mysql', 'redis', 'mongodb', 'memcached']) if (i.instrumented.has(t)) return t;
  return '';
}

/** Application.ApplicationTypes, instances' part (an ExternalService's port-based types never start with "coroot") */
export function applicationTypes(app: Application): Set<string> {
  const res = new Set<string>();
  for (const i of app.instances) for (const t of instanceApplicationTypes(i)) res.add(t);
  return res;
}

/** Application.IsStandalone: no connection to or from another application */
export function isStandalone(app: Application): boolean {
  for (const d of app.downstreams.values()) if (d !== app) return false;
  for (const u of app.upstreams.values()) if (u !== app) return false;
  return true;
}

/** Application.GetAnnotation: the app's own, else the first (sorted) of its live instances' values */
export function getAnnotation(app: Application, annotation: string): string {
  const own = app.annotations.get(annotation);
  if (own) return own.value();
  const values: string[] = [];
  let seen = false;
  for (const i of app.instances) {
    if (isObsolete(i)) continue;
    const lv = i.annotations.get(annotation);
    if (lv) {
      seen = true;
      if (lv.value() !== '') values.push(lv.value());
    }
  }
  if (!seen || values.length === 0) return '';
  return values.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))[0]!;
}

/** The applications of a world: Go's map, kept in creation order so that runs are reproducible. */
export class Applications {
  private readonly byKey = new Map<string, Application>();

  get(id: ApplicationId): Application | undefined {
    return this.byKey.get(appKey(id));
  }

  getOrCreate(id: ApplicationId, custom: boolean): Application {
    const key = appKey(id);
    let app = this.byKey.get(key);
    if (!app) {
      app = newApplication(id, custom);
      this.byKey.set(key, app);
    }
    return app;
  }

  delete(id: ApplicationId): void {
    this.byKey.delete(appKey(id));
  }

  values(): Application[] {
    return [...this.byKey.values()];
  }

  get size(): number {
    return this.byKey.size;
  }
}
