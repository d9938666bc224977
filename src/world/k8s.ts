/**
 * Kubernetes metadata (constructor/k8s.go): applications and pod instances from kube-state-metrics, job
 * owners, pod labels (database clusters), pod annotations, pod phases, services with their endpoints,
 * and workload annotations. Only what the payload's application fields depend on is kept.
 */
import type { ApplicationId } from '../model/application-id.js';
import type { MetricValues, Window } from '../sources/metrics.js';
import { ApplicationKind, newApplicationId } from './application-id.js';
import {
  getOrCreateContainer, getOrCreateInstance, listenKey, own, updateAnnotations, type Application, type Applications, type Instance,
} from './applications.js';
import { isIP } from './netaddr.js';
import type { Node } from './model.js';
import type { Metrics } from './nodes.js';
import { LabelLastValue, last } from './timeseries.js';

const JOB_SUFFIX = /-([a-z0-9]{5}|\d{10,})$/;
/** the kube_pod_init_container_* and kube_pod_container_* queries, in QUERIES order */
const POD_CONTAINER_QUERIES = [
  'kube_pod_init_container_info', 'kube_pod_container_resource_requests', 'kube_pod_container_status_ready',
  'kube_pod_container_status_running', 'kube_pod_container_status_waiting', 'kube_pod_container_status_waiting_reason',
  'kube_pod_container_status_terminated', 'kube_pod_container_status_terminated_reason',
  'kube_pod_container_status_last_terminated_reason',
];

/** model.Service, as far as connections need it */
export interface Service {
  name: string;
  namespace: string;
  clusterIP: string;
  /** "ip:port" of endpoint addresses (port 0 when unknown) */
  endpoints: Array<{ ip: string; port: string }>;
  destinationApps: Map<string, Application>;
}

export interface K8sContext {
  window: Window;
  clusterId: string;
  nodes: Node[];
  apps: Applications;
}

const podKey = (ns: string, name: string) => `${ns}\u0000${name}`;

/** getJobOwners: a Job's controlling owner, when kube_job_owner names one */
function getJobOwners(metrics: readonly MetricValues[], clusterId: string): Map<string, ApplicationId> {
  const owners = new Map<string, ApplicationId>();
  for (const m of metrics) {
    if (m.labels.owner_is_controller === 'false') continue;
    const kind = m.labels.owner_kind ?? '';
    const name = m.labels.owner_name ?? '';
    const jobName = m.labels.job_name ?? '';
    const ns = m.labels.namespace ?? '';
    if (jobName === '' || name === '' || kind === '' || kind === '<none>') continue;
    owners.set(podKey(ns, jobName), newApplicationId(clusterId, ns, kind, name));
  }
  return owners;
}

/** the application a kube_pod_info series' pod belongs to, from its owner labels; null when it has none */
function podOwner(ctx: K8sContext, m: MetricValues, jobOwners: Map<string, ApplicationId>): ApplicationId | null {
  const pod = m.labels.pod ?? '';
  const ns = m.labels.namespace ?? '';
  const ownerName = m.labels.created_by_name ?? '';
  const ownerKind = m.labels.created_by_kind ?? '';
  const nodeName = m.labels.node ?? '';
  if (ownerKind === '' || ownerKind === '<none>' || ownerKind === 'Node') {
    return newApplicationId(ctx.clusterId, ns, ApplicationKind.StaticPods, pod.endsWith(`-${nodeName}`) ? pod.slice(0, pod.length - nodeName.length - 1) : pod);
  }
  if (ownerKind === ApplicationKind.SparkApplication || ownerKind === ApplicationKind.ArgoWorkflow) {
    return newApplicationId(ctx.clusterId, ns, ownerKind, ownerName.replace(JOB_SUFFIX, ''));
  }
  if (ownerKind === ApplicationKind.Job) return jobOwners.get(podKey(ns, ownerName)) ?? newApplicationId(ctx.clusterId, ns, ownerKind, ownerName);
  if (ownerName !== '') return newApplicationId(ctx.clusterId, ns, ownerKind, ownerName);
  return null;
}

/** podInfo: pod instances by uid; sets KubeStateMetrics.Installed through the caller */
function podInfo(ctx: K8sContext, metrics: readonly MetricValues[], jobOwners: Map<string, ApplicationId>): Map<string, Instance> {
  const pods = new Map<string, Instance>();
  const podsOwnedByPods: Instance[] = [];
  const k8sNodes = new Map<string, Node>();
  for (const n of ctx.nodes) k8sNodes.set(n.k8sName.value(), n);

  for (const m of metrics) {
    const uid = m.labels.uid ?? '';
    if (uid === '') continue;
    const node = k8sNodes.get(m.labels.node ?? '') ?? null;
    const appId = podOwner(ctx, m, jobOwners);
    if (!appId) continue;
    let instance = pods.get(uid);
    if (!instance) {
      const app = ctx.apps.getOrCreate(appId, false);
      // a CronJob's pods are its jobs' instances; the CronJob itself gets none from kube_pod_info
      if (appId.kind === ApplicationKind.CronJob) continue;
      instance = getOrCreateInstance(app, m.labels.pod ?? '', node);
      instance.pod ??= { phase: '', ip: '' };
      pods.set(uid, instance);
    }
    if (node && !instance.node) instance.node = node;
    const podIp = m.labels.pod_ip ?? '';
    const hostIp = m.labels.host_ip ?? '';
    if (podIp !== '' && (podIp !== hostIp || (node !== null && node.fargate)) && isIP(podIp)) {
      const listen = { ip: podIp, port: '0', proxied: false };
      instance.tcpListens.set(listenKey(listen), { listen, active: last(m.values) === 1 });
      instance.pod!.ip = podIp;
    }
    if (appId.kind === ApplicationKind.Pod) podsOwnedByPods.push(instance);
  }
  if (podsOwnedByPods.length === 0) return pods;
  // pods created by a bare pod belong to that pod's owner: every pod's owner, the last series' winning,
  // is only needed then (a map of them all cost a key per series on every cluster)
  const podOwners = new Map<string, ApplicationId>();
  for (const m of metrics) {
    if ((m.labels.uid ?? '') === '') continue;
    const appId = podOwner(ctx, m, jobOwners);
    if (appId) podOwners.set(podKey(m.labels.namespace ?? '', m.labels.pod ?? ''), appId);
  }
  for (const instance of podsOwnedByPods) {
    const ownerOfOwner = podOwners.get(podKey(instance.owner.id.namespace, instance.owner.id.name));
    if (!ownerOfOwner) continue;
    const app = ctx.apps.get(ownerOfOwner);
    if (!app) continue;
    ctx.apps.delete(instance.owner.id);
    instance.owner = app;
    app.instances.push(instance);
  }
  return pods;
}

/** podLabels: the database cluster an operator or a Helm chart put the pod in */
function podLabels(metrics: readonly MetricValues[], pods: Map<string, Instance>, window: Window): void {
  for (const m of metrics) {
    const instance = pods.get(m.labels.uid ?? '');
    if (!instance) continue;
    const l = (name: string) => m.labels[name] ?? '';
    const helmName = () => (l('label_app_kubernetes_io_name') !== '' && l('label_app_kubernetes_io_instance') !== ''
      ? `${l('label_app_kubernetes_io_instance')}-${l('label_app_kubernetes_io_name')}` : '');
    const chart = l('label_helm_sh_chart');
    let cluster = '';
    let manager = '';
    if (l('label_postgres_operator_crunchydata_com_cluster') !== '') {
      cluster = l('label_postgres_operator_crunchydata_com_cluster');
      manager = 'crunchy';
    } else if (l('label_cluster_name') !== '' && l('label_team') !== '') {
      cluster = l('label_cluster_name');
      manager = 'zalando';
    } else if (l('label_cnpg_io_cluster') !== '') {
      cluster = l('label_cnpg_io_cluster');
      manager = 'cnpg';
    } else if (l('label_stackgres_io_cluster_name') !== '') {
      cluster = l('label_stackgres_io_cluster_name');
      manager = 'stackgres';
    } else if (l('label_app_kubernetes_io_managed_by') === 'percona-server-mongodb-operator') {
      cluster = l('label_app_kubernetes_io_instance');
      manager = 'percona-mongodb';
    } else if (l('label_app_kubernetes_io_managed_by') === 'percona-xtradb-cluster-operator') {
      cluster = l('label_app_kubernetes_io_instance');
      manager = 'percona-xtradb';
    } else if (l('label_app_kubernetes_io_managed_by') === 'valkey-operator') {
      cluster = l('label_valkey_io_cluster');
    } else if (['mongodb', 'redis', 'valkey', 'mysql', 'mariadb', 'clickhouse'].some((p) => chart.startsWith(p))) {
      cluster = helmName();
    } else if (l('label_app_kubernetes_io_managed_by') === 'coroot-operator' && l('label_app_kubernetes_io_component') === 'clickhouse') {
      cluster = `${l('label_app_kubernetes_io_part_of')}-${l('label_app_kubernetes_io_component')}`;
    } else {
      continue;
    }
    if (cluster !== '') {
      (instance.clusterName ??= new LabelLastValue()).update(m.values, cluster, window);
      if (manager !== '') instance.owner.clusterManager = manager;
    }
  }
}

/**
 * An endpoint's port as loadServices reads it, `strconv.ParseUint(port_number, 10, 16)` with the error
 * ignored: 0 for text that is not a number, and the 16-bit maximum for a number beyond it (ParseUint
 * returns the maximum value along with its range error).
 */
export function endpointPort(text: string): string {
  if (!/^\d+$/.test(text)) return '0';
  return BigInt(text) > 65535n ? '65535' : String(Number(text));
}

function loadServices(metrics: Metrics): Map<string, Service> {
  const services = new Map<string, Service>();
  const key = (ns: string, name: string) => `${ns}\u0000${name}`;
  for (const m of metrics.get('kube_service_info') ?? []) {
    const s: Service = { name: m.labels.service ?? '', namespace: m.labels.namespace ?? '', clusterIP: m.labels.cluster_ip ?? '', endpoints: [], destinationApps: new Map() };
    services.set(key(s.namespace, s.name), s);
  }
  for (const m of metrics.get('kube_endpoint_address') ?? []) {
    const s = services.get(key(m.labels.namespace ?? '', m.labels.endpoint ?? ''));
    const ip = m.labels.ip ?? '';
    if (!s || !isIP(ip)) continue;
    const port = endpointPort(m.labels.port_number ?? '');
    if (!s.endpoints.some((e) => e.ip === ip && e.port === port)) s.endpoints.push({ ip, port });
  }
  for (const s of services.values()) if (s.name === 'kubernetes') s.name = 'kube-apiserver';
  return services;
}

/** loadKubernetesMetadata; returns the services by cluster IP for connection resolution */
export function loadKubernetesMetadata(ctx: K8sContext, metrics: Metrics): Map<string, Service> {
  const jobOwners = getJobOwners(metrics.get('kube_job_owner') ?? [], ctx.clusterId);
  const pods = podInfo(ctx, metrics.get('kube_pod_info') ?? [], jobOwners);
  podLabels(metrics.get('kube_pod_labels') ?? [], pods, ctx.window);
  for (const m of metrics.get('kube_pod_annotations') ?? []) {
    const instance = pods.get(m.labels.uid ?? '');
    if (instance) updateAnnotations(() => own(instance, 'annotations'), m.labels, m.values, ctx.window);
  }
  const appsByPodIP = new Map<string, Application>();
  for (const pod of pods.values()) if (pod.pod && pod.pod.ip !== '') appsByPodIP.set(pod.pod.ip, pod.owner);
  const servicesByClusterIP = new Map<string, Service>();
  for (const s of loadServices(metrics).values()) {
    if (s.clusterIP !== '') servicesByClusterIP.set(s.clusterIP, s);
    for (const ep of s.endpoints) {
      const app = appsByPodIP.get(ep.ip);
      if (app) s.destinationApps.set(`${app.id.clusterId}\u0000${app.id.namespace}\u0000${app.id.kind}\u0000${app.id.name}`, app);
    }
  }
  for (const m of metrics.get('kube_pod_status_phase') ?? []) {
    const instance = pods.get(m.labels.uid ?? '');
    if (instance?.pod && last(m.values) > 0) instance.pod.phase = m.labels.phase ?? '';
  }
  // podContainer: kube-state-metrics knows the pods' containers, init containers included
  for (const query of POD_CONTAINER_QUERIES) {
    for (const m of metrics.get(query) ?? []) {
      const instance = pods.get(m.labels.uid ?? '');
      if (!instance) continue;
      const name = m.labels.container ?? '';
      // the id only matters for a new container: most series name one already known
      const container = instance.containers.get(name)
        ?? getOrCreateContainer(instance, `/k8s/${m.labels.namespace ?? ''}/${m.labels.pod ?? ''}/${name}`, name);
      if (query === 'kube_pod_init_container_info') container.initContainer = true;
    }
  }
  loadWorkloadAnnotations(ctx, metrics);
  return servicesByClusterIP;
}

/** loadApplications: workload annotations enrich existing applications only */
function loadWorkloadAnnotations(ctx: K8sContext, metrics: Metrics): void {
  const kinds: Array<[string, string, string]> = [
    ['kube_deployment_annotations', ApplicationKind.Deployment, 'deployment'],
    ['kube_statefulset_annotations', ApplicationKind.StatefulSet, 'statefulset'],
    ['kube_daemonset_annotations', ApplicationKind.DaemonSet, 'daemonset'],
    ['kube_cronjob_annotations', ApplicationKind.CronJob, 'cronjob'],
  ];
  for (const [query, kind, nameLabel] of kinds) {
    for (const m of metrics.get(query) ?? []) {
      const app = ctx.apps.get(newApplicationId(ctx.clusterId, m.labels.namespace ?? '', kind, m.labels[nameLabel] ?? ''));
      if (app) updateAnnotations(() => app.annotations, m.labels, m.values, ctx.window);
    }
  }
}
