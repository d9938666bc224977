/**
 * Nodes of the world, as constructor/nodes.go, fargate.go, rds.go and elasticache.go build them: identity
 * from node_info and kube_node_info, attributes from every node_* query, Fargate flags, and the pseudo
 * nodes Coroot makes for RDS and ElastiCache instances.
 */
import type { MetricValues } from '../sources/metrics.js';
import { ApplicationKind, newApplicationId } from './application-id.js';
import { getOrCreateInstance, listenKey, type Applications, type Instance } from './applications.js';
import { goToLower, parsesAsInt8, splitN } from './gostrings.js';
import { newNode, nodeIdFromLabels, nodeKey, type DiskStats, type Node, type World } from './model.js';
import { getNodePrice, type CloudPricingModel, type CustomCloudPricing } from './pricing.js';
import { LabelLastValue, mergeAny } from './timeseries.js';

export type Metrics = ReadonlyMap<string, readonly MetricValues[]>;
/** constructor.nodeCache */
export type NodeCache = Map<string, Node>;

const CLOUD_PROVIDER_AWS = 'aws';
const CLOUD_PROVIDER_AZURE = 'azure';

function addNode(w: World, nodes: NodeCache, node: Node): void {
  w.nodes.push(node);
  nodes.set(nodeKey(node.id), node);
}

/** initNodesList */
function initNodesList(w: World, metrics: Metrics, nodes: NodeCache): void {
  const bySystemUuid = new Map<string, Node>();
  for (const m of metrics.get('node_info') ?? []) {
    const id = nodeIdFromLabels(m);
    if (id.machineId === '' && id.systemUuid === '') continue;
    w.integrationStatus.nodeAgent.installed = true;
    let node = nodes.get(nodeKey(id));
    if (!node) {
      node = newNode(w.projectId, id);
      addNode(w, nodes, node);
      bySystemUuid.set(id.systemUuid, node);
    }
    node.name.update(m.values, m.labels.hostname ?? '', w.window);
    node.kernelVersion.update(m.values, m.labels.kernel_version ?? '', w.window);
  }
  // kube-state-metrics knows only the system uuid, so that is the only way to join its nodes
  for (const m of metrics.get('kube_node_info') ?? []) {
    const id = nodeIdFromLabels(m);
    if (id.machineId === '' && id.systemUuid === '') continue;
    let node = bySystemUuid.get(id.systemUuid);
    if (!node) {
      node = newNode(w.projectId, id);
      addNode(w, nodes, node);
      bySystemUuid.set(id.systemUuid, node);
    }
    node.k8sName.update(m.values, m.labels.node ?? '', w.window);
    if (node.kernelVersion.value() === '') node.kernelVersion.update(m.values, m.labels.kernel_version ?? '', w.window);
  }
}

/** Coroot's pricing manager as the constructor gets it: the dump (null when none loaded) and the project's custom prices. */
export interface Pricing {
  model: CloudPricingModel | null;
  custom: CustomCloudPricing;
}

/** loadNodes (the attributes the payload and pricing read; disks and interfaces are not kept yet) */
export function loadNodes(w: World, metrics: Metrics, nodes: NodeCache, pricing: Pricing): void {
  initNodesList(w, metrics, nodes);
  for (const [queryName, series] of metrics) {
    if (!queryName.startsWith('node_')) continue;
    for (const m of series) {
      const node = nodes.get(nodeKey(nodeIdFromLabels(m)));
      if (!node) continue;
      switch (queryName) {
        case 'node_agent_info':
          node.agentVersion.update(m.values, m.labels.version ?? '', w.window);
          break;
        case 'node_cpu_cores':
          node.cpuCapacity = mergeAny(node.cpuCapacity, m.values);
          break;
        case 'node_memory_total_bytes':
          node.memoryTotalBytes = mergeAny(node.memoryTotalBytes, m.values);
          break;
        case 'node_cloud_info': {
          const provider = goToLower(m.labels.provider ?? '');
          const region = m.labels.region ?? '';
          let az = m.labels.availability_zone ?? '';
          node.cloudProvider.update(m.values, provider, w.window);
          node.region.update(m.values, region, w.window);
          if (parsesAsInt8(az) && provider === CLOUD_PROVIDER_AZURE) az = `${region}-${az}`;
          node.availabilityZone.update(m.values, az, w.window);
          node.instanceType.update(m.values, m.labels.instance_type ?? '', w.window);
          node.instanceLifeCycle.update(m.values, m.labels.instance_life_cycle ?? '', w.window);
          break;
        }
        default:
          if (queryName.startsWith('node_disk_')) nodeDisk(node, queryName, m);
          else if (queryName.startsWith('node_gpu')) nodeGPU(w, node, queryName, m);
      }
    }
  }
  // priced here, before Fargate and managed-service nodes exist or change
  for (const n of w.nodes) n.price = getNodePrice(pricing.model, pricing.custom, n);
}

const DISK_FIELDS: Record<string, keyof DiskStats> = {
  node_disk_read_time: 'readTime', node_disk_write_time: 'writeTime', node_disk_reads: 'readOps', node_disk_writes: 'writeOps',
  node_disk_read_bytes: 'readBytes', node_disk_written_bytes: 'writtenBytes',
};

/** nodeDisk: any node_disk_* series creates its device's stats (io_time only feeds the UI) */
function nodeDisk(node: Node, queryName: string, m: MetricValues): void {
  const device = m.labels.device ?? '';
  let stat = node.disks.get(device);
  if (!stat) {
    stat = { readTime: null, writeTime: null, readOps: null, writeOps: null, readBytes: null, writtenBytes: null };
    node.disks.set(device, stat);
  }
  const field = DISK_FIELDS[queryName];
  if (field) stat[field] = mergeAny(stat[field], m.values);
}

function nodeGPU(w: World, node: Node, queryName: string, m: MetricValues): void {
  const uuid = m.labels.gpu_uuid ?? '';
  let gpu = node.gpus.get(uuid);
  if (!gpu) {
    gpu = { uuid, name: new LabelLastValue(), driverVersion: new LabelLastValue() };
    node.gpus.set(uuid, gpu);
  }
  if (queryName === 'node_gpu_info') {
    gpu.name.update(m.values, m.labels.name ?? '', w.window);
    gpu.driverVersion.update(m.values, m.labels.driver_version ?? '', w.window);
  }
}

/** loadFargateNodes: only nodes already known from node_info or kube_node_info are touched */
export function loadFargateNodes(w: World, metrics: Metrics, nodes: NodeCache): void {
  for (const [queryName, series] of metrics) {
    if (!queryName.startsWith('fargate_node_')) continue;
    for (const m of series) {
      const id = nodeIdFromLabels(m);
      if (id.machineId === '' && id.systemUuid === '') continue;
      const node = nodes.get(nodeKey(id));
      if (!node || m.labels.eks_amazonaws_com_compute_type !== 'fargate') continue;
      node.fargate = true;
      node.name.update(m.values, m.labels.kubernetes_io_hostname ?? '', w.window);
      node.cloudProvider.update(m.values, CLOUD_PROVIDER_AWS, w.window);
      const region = m.labels.topology_kubernetes_io_region ?? '';
      if (region !== '') node.region.update(m.values, region, w.window);
      // Coroot writes the zone into Region too (constructor/fargate.go); kept for fidelity
      const zone = m.labels.topology_kubernetes_io_zone ?? '';
      if (zone !== '') node.region.update(m.values, zone, w.window);
      if (queryName === 'fargate_node_machine_cpu_cores') node.cpuCapacity = mergeAny(node.cpuCapacity, m.values);
      else if (queryName === 'fargate_node_machine_memory_bytes') node.memoryTotalBytes = mergeAny(node.memoryTotalBytes, m.values);
    }
  }
}

/** The RDS / ElastiCache instances seen so far (rdsInstancesById, ecInstancesById). */
export interface ManagedInstances {
  rdsById: Map<string, Instance>;
  ecById: Map<string, Instance>;
}

export function newManagedInstances(): ManagedInstances {
  return { rdsById: new Map(), ecById: new Map() };
}

/**
 * The instance's node, created with the instance: Coroot appends it to the world without indexing it by
 * id, so no node_* metric can reach it; it is named "rds:<instance>" / "elasticache:<instance>".
 */
function managedNode(w: World, instance: Instance, prefix: string, m: MetricValues): Node {
  if (!instance.node) {
    const name = `${prefix}:${instance.name}`;
    const node = newNode(w.projectId, { machineId: name, systemUuid: name });
    node.name.update(m.values, name, w.window);
    w.nodes.push(node);
    instance.node = node;
  }
  return instance.node;
}

function addListen(instance: Instance, ip: string, port: string): void {
  const listen = { ip, port, proxied: false };
  instance.tcpListens.set(listenKey(listen), { listen, active: true });
}

/** loadRdsMetadata: an RDS application per cluster (or instance), its instance and the instance's node */
export function loadRdsMetadata(w: World, metrics: Metrics, managed: ManagedInstances, apps: Applications): void {
  for (const m of metrics.get('aws_rds_info') ?? []) {
    const rdsId = m.labels.rds_instance_id ?? '';
    if (rdsId === '') continue;
    let instance = managed.rdsById.get(rdsId);
    if (!instance) {
      const instanceParts = splitN(rdsId, '/', 2);
      if (instanceParts.length !== 2) continue;
      const clusterParts = splitN(m.labels.cluster_id ?? '', '/', 2);
      const appName = clusterParts.length === 2 ? clusterParts[1]! : instanceParts[1]!;
      instance = getOrCreateInstance(apps.getOrCreate(newApplicationId(w.projectId, '', ApplicationKind.Rds, appName), false), instanceParts[1]!, null);
      managed.rdsById.set(rdsId, instance);
      instance.rdsEngine = new LabelLastValue();
    }
    const node = managedNode(w, instance, 'rds', m);
    node.rds ??= { engine: instance.rdsEngine ?? new LabelLastValue(), multiAz: new LabelLastValue() };
    addListen(instance, m.labels.ipv4 ?? '', m.labels.port ?? '');
    instance.rdsEngine?.update(m.values, m.labels.engine ?? '', w.window);
    node.rds.multiAz.update(m.values, m.labels.multi_az ?? '', w.window);
    node.instanceType.update(m.values, m.labels.instance_type ?? '', w.window);
    node.cloudProvider.update(m.values, CLOUD_PROVIDER_AWS, w.window);
    node.region.update(m.values, m.labels.region ?? '', w.window);
    node.availabilityZone.update(m.values, m.labels.availability_zone ?? '', w.window);
  }
}

/** loadElasticacheMetadata: an ElastiCache application per cluster, its instances and their nodes */
export function loadElasticacheMetadata(w: World, metrics: Metrics, managed: ManagedInstances, apps: Applications): void {
  for (const m of metrics.get('aws_elasticache_info') ?? []) {
    const ecId = m.labels.ec_instance_id ?? '';
    if (ecId === '') continue;
    let instance = managed.ecById.get(ecId);
    if (!instance) {
      const parts = splitN(ecId, '/', 3);
      if (parts.length !== 3) continue;
      const appId = newApplicationId(w.projectId, '', ApplicationKind.ElasticacheCluster, m.labels.cluster_id ?? '');
      instance = getOrCreateInstance(apps.getOrCreate(appId, false), `${parts[1]}-${parts[2]}`, null);
      managed.ecById.set(ecId, instance);
      instance.elasticacheEngine = new LabelLastValue();
    }
    const node = managedNode(w, instance, 'elasticache', m);
    node.elasticache ??= { engine: instance.elasticacheEngine ?? new LabelLastValue() };
    addListen(instance, m.labels.ipv4 ?? '', m.labels.port ?? '');
    instance.elasticacheEngine?.update(m.values, m.labels.engine ?? '', w.window);
    node.instanceType.update(m.values, m.labels.instance_type ?? '', w.window);
    node.cloudProvider.update(m.values, CLOUD_PROVIDER_AWS, w.window);
    node.region.update(m.values, m.labels.region ?? '', w.window);
    node.availabilityZone.update(m.values, m.labels.availability_zone ?? '', w.window);
  }
}

/** loadRds, node part: CPU and memory capacity of each RDS instance's node, then its price (no custom pricing). */
export function loadRds(metrics: Metrics, managed: ManagedInstances, pricing: Pricing): void {
  for (const queryName of ['aws_rds_cpu_cores', 'aws_rds_memory_total_bytes']) {
    for (const m of metrics.get(queryName) ?? []) {
      const node = managed.rdsById.get(m.labels.rds_instance_id ?? '')?.node;
      if (!node) continue;
      if (queryName === 'aws_rds_cpu_cores') node.cpuCapacity = mergeAny(node.cpuCapacity, m.values);
      else node.memoryTotalBytes = mergeAny(node.memoryTotalBytes, m.values);
    }
  }
  for (const instance of managed.rdsById.values()) if (instance.node) instance.node.price = getNodePrice(pricing.model, null, instance.node);
}

/** loadElasticache, node part: the price without custom pricing (no CPU capacity is known, so none). */
export function loadElasticache(managed: ManagedInstances, pricing: Pricing): void {
  for (const instance of managed.ecById.values()) if (instance.node) instance.node.price = getNodePrice(pricing.model, null, instance.node);
}
