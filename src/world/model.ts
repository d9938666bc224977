/**
 * The subset of Coroot's model.World (model/world.go, model/node.go) that coroot-usage rebuilds so far:
 * nodes with what the payload reads from them, and the integration flags.
 */
import type { Window } from '../sources/metrics.js';
import { Applications } from './applications.js';
import type { CheckConfigs } from './check-configs.js';
import type { NodePrice } from './pricing.js';
import { LabelLastValue, type Series } from './timeseries.js';

/** model.NodeId; compared by both fields, case-sensitively. */
export interface NodeId {
  machineId: string;
  systemUuid: string;
}

export function nodeKey(id: NodeId): string {
  return `${id.machineId}\u0000${id.systemUuid}`;
}

/** model.NewNodeIdFromLabels: system_uuid without dashes, each id standing in for the other when missing. */
export function nodeIdFromLabels(m: { machineId: string; systemUuid: string }): NodeId {
  let systemUuid = m.systemUuid;
  if (systemUuid === '') systemUuid = m.machineId;
  else systemUuid = systemUuid.split('-').join('');
  const machineId = m.machineId === '' ? systemUuid : m.machineId;
  return { machineId, systemUuid };
}

export interface GPU {
  uuid: string;
  name: LabelLastValue;
  driverVersion: LabelLastValue;
}

export interface DiskStats {
  readTime: Series;
  writeTime: Series;
  readOps: Series;
  writeOps: Series;
  readBytes: Series;
  writtenBytes: Series;
}

export interface Node {
  clusterId: string;
  id: NodeId;
  name: LabelLastValue;
  k8sName: LabelLastValue;
  agentVersion: LabelLastValue;
  kernelVersion: LabelLastValue;
  cpuCapacity: Series;
  memoryTotalBytes: Series;
  /** model.DiskStats by device: the rates the components' volumes read */
  disks: Map<string, DiskStats>;
  /** by gpu_uuid, "" included: any node_gpu* series creates its GPU */
  gpus: Map<string, GPU>;
  cloudProvider: LabelLastValue;
  region: LabelLastValue;
  availabilityZone: LabelLastValue;
  instanceType: LabelLastValue;
  instanceLifeCycle: LabelLastValue;
  fargate: boolean;
  /** the RDS / ElastiCache instance this node stands for (node.Instances[0].Rds / .Elasticache) */
  rds: { engine: LabelLastValue; multiAz: LabelLastValue } | null;
  elasticache: { engine: LabelLastValue } | null;
  price: NodePrice | null;
}

export function newNode(clusterId: string, id: NodeId): Node {
  return {
    clusterId,
    id,
    name: new LabelLastValue(),
    k8sName: new LabelLastValue(),
    agentVersion: new LabelLastValue(),
    kernelVersion: new LabelLastValue(),
    cpuCapacity: null,
    memoryTotalBytes: null,
    disks: new Map(),
    gpus: new Map(),
    cloudProvider: new LabelLastValue(),
    region: new LabelLastValue(),
    availabilityZone: new LabelLastValue(),
    instanceType: new LabelLastValue(),
    instanceLifeCycle: new LabelLastValue(),
    fargate: false,
    rds: null,
    elasticache: null,
    price: null,
  };
}

/** Node.GetName: the hostname, else the Kubernetes node name. */
export function nodeName(n: Node): string {
  return n.name.value() !== '' ? n.name.value() : n.k8sName.value();
}

export interface IntegrationStatus {
  nodeAgent: { installed: boolean };
  kubeStateMetrics: { required: boolean; installed: boolean };
}

export interface World {
  projectId: string;
  window: Window;
  rawStep: number;
  nodes: Node[];
  /** model.World.Applications */
  applications: Applications;
  integrationStatus: IntegrationStatus;
  /** w.Flux != nil */
  flux: boolean;
  /** w.ArgoCD != nil */
  argocd: boolean;
  /** w.CheckConfigs, read by get_check_configs */
  checkConfigs: CheckConfigs;
}

export function newWorld(projectId: string, window: Window, rawStep: number): World {
  return {
    projectId,
    window,
    rawStep,
    nodes: [],
    applications: new Applications(),
    integrationStatus: { nodeAgent: { installed: false }, kubeStateMetrics: { required: false, installed: false } },
    flux: false,
    argocd: false,
    checkConfigs: new Map(),
  };
}
