/**
 * model.NewApplicationId: how the constructor names applications from Kubernetes owners and container
 * ids. A ReplicaSet whose last dash-separated part is lower-case hex is its Deployment; a Job whose last
 * part is an unsigned integer is its CronJob; an empty or "<none>" kind is Pod; empty cluster and
 * namespace become "_".
 */
import type { ApplicationId } from '../model/application-id.js';

export const ApplicationKind = {
  Deployment: 'Deployment',
  StatefulSet: 'StatefulSet',
  DaemonSet: 'DaemonSet',
  CronJob: 'CronJob',
  Job: 'Job',
  ReplicaSet: 'ReplicaSet',
  Pod: 'Pod',
  StaticPods: 'StaticPods',
  Unknown: 'Unknown',
  DockerSwarmService: 'DockerSwarmService',
  ExternalService: 'ExternalService',
  DatabaseCluster: 'DatabaseCluster',
  Rds: 'RDS',
  ElasticacheCluster: 'ElasticacheCluster',
  NomadJobGroup: 'NomadJobGroup',
  ArgoWorkflow: 'Workflow',
  SparkApplication: 'SparkApplication',
  CustomApplication: 'CustomApplication',
} as const;

const HEX = /^[\da-f]+$/;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseUint(s, 10, 64) succeeds */
function parsesAsUint64(s: string): boolean {
  return /^\d+$/.test(s) && BigInt(s) <= UINT64_MAX;
}

export function newApplicationId(clusterId: string, namespace: string, kind: string, name: string): ApplicationId {
  let k = kind;
  let n = name;
  const parts = name.split('-');
  const lastPart = parts[parts.length - 1]!;
  if (kind === ApplicationKind.ReplicaSet && HEX.test(lastPart)) {
    k = ApplicationKind.Deployment;
    n = parts.slice(0, -1).join('-');
  } else if (kind === ApplicationKind.Job && parsesAsUint64(lastPart)) {
    k = ApplicationKind.CronJob;
    n = parts.slice(0, -1).join('-');
  } else if (kind === '' || kind === '<none>') {
    k = ApplicationKind.Pod;
  }
  return { clusterId: clusterId === '' ? '_' : clusterId, namespace: namespace === '' ? '_' : namespace, kind: k, name: n };
}
