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
  // the name's last dash-separated part and what precedes it, without splitting the name: a pod or a
  // container names an application, tens of thousands of times in a large cluster
  const dash = name.lastIndexOf('-');
  const head = () => (dash < 0 ? '' : name.slice(0, dash));
  if (kind === ApplicationKind.ReplicaSet && HEX.test(name.slice(dash + 1))) {
    k = ApplicationKind.Deployment;
    n = head();
  } else if (kind === ApplicationKind.Job && parsesAsUint64(name.slice(dash + 1))) {
    k = ApplicationKind.CronJob;
    n = head();
  } else if (kind === '' || kind === '<none>') {
    k = ApplicationKind.Pod;
  }
  return { clusterId: clusterId === '' ? '_' : clusterId, namespace: namespace === '' ? '_' : namespace, kind: k, name: n };
}
