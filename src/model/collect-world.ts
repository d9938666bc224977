/**
 * The world-derived part of collect() for one loaded project (stats/stats.go:458-531), the fields rebuilt
 * so far: node_agent, kube_state_metrics, fluxcd, argocd, nodes, cpu_cores, gpus, node_agent_versions,
 * kernel_versions, clouds, cloud_costs, applications_by_kind, applications, instances, services,
 * instrumented_services, java_async_profiler, components, deployments, deployment_summaries. Projects add up as in Coroot: sums, set unions, ORs, and the
 * tri-state kube_state_metrics.
 */
import type { Payload } from './payload-schema.js';
import { instanceApplicationTypes, instrumentedType, isStandalone } from '../world/applications.js';
import { isAuxiliaryCategory } from '../world/categories.js';
import { corootComponents } from '../world/components.js';
import { countRecentDeployments } from '../world/deployments.js';
import { goToLower } from '../world/gostrings.js';
import type { LoadedWorld } from '../world/load.js';
import { last } from '../world/timeseries.js';
import { goInt } from '../world/gonum.js';

export { goInt, MIN_INT64 } from '../world/gonum.js';

/** Go's byte-wise string order, which sort.Strings and StringSet.Items use. */
function compareGo(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** utils.StringSet.Add: empty strings are ignored; the JSON form is sorted and distinct. */
function addToSet(set: string[] | null, value: string): string[] {
  const items = set ?? [];
  if (value === '' || items.includes(value)) return items;
  items.push(value);
  items.sort(compareGo);
  return items;
}

/** The stages auditor.Audit times for every application (auditor/auditor.go), in the order it runs them. */
const AUDIT_STAGES = [
  'slo', 'instances', 'cpu', 'memory', 'storage', 'gpu', 'network', 'dns', 'postgres', 'mysql', 'redis', 'mongodb', 'memcached',
  'jvm', 'dotnet', 'python', 'nodejs', 'logs', 'deployments',
] as const;

/**
 * auditor.Audit replaces the stages map with each project it audits, so the last loaded world decides
 * the keys: every stage when it has applications, none when it has none. The audit itself is not
 * rebuilt, so each time is 0 where Coroot reports its own.
 */
function auditorStages(world: LoadedWorld): Record<string, number> {
  return world.applications.size > 0 ? Object.fromEntries(AUDIT_STAGES.map((stage) => [stage, 0])) : {};
}

export function applyWorldToPayload(payload: Payload, world: LoadedWorld, now: number): void {
  // a world that failed to load is skipped by Coroot after its query statistics were recorded
  if (world.error !== null) return;

  payload.performance.auditor.stages = auditorStages(world);
  const { integration, infra, stack } = payload;
  integration.node_agent = integration.node_agent || world.integrationStatus.nodeAgent.installed;
  if (world.integrationStatus.kubeStateMetrics.required) {
    integration.kube_state_metrics = (integration.kube_state_metrics ?? false) || world.integrationStatus.kubeStateMetrics.installed;
  }
  if (world.flux) integration.fluxcd = true;
  if (world.argocd) integration.argocd = true;

  infra.nodes += world.nodes.length;
  for (const n of world.nodes) {
    const cores = last(n.cpuCapacity);
    if (cores > 0) infra.cpu_cores += goInt(cores);
    infra.gpus += n.gpus.size;
    integration.node_agent_versions = addToSet(integration.node_agent_versions, n.agentVersion.value());
    infra.kernel_versions = addToSet(infra.kernel_versions, n.kernelVersion.value());
    stack.clouds = addToSet(stack.clouds, goToLower(n.cloudProvider.value()));
    if (n.price !== null) integration.cloud_costs = true;
  }

  const recent = { deployments: 0, summaries: { ...infra.deployment_summaries } };
  for (const a of world.applications.values()) {
    infra.applications_by_kind ??= {};
    const byKind = infra.applications_by_kind[a.id.kind] ?? { applications: 0, instances: 0 };
    byKind.applications++;
    byKind.instances += a.instances.length;
    infra.applications_by_kind[a.id.kind] = byKind;
    if (isStandalone(a) || isAuxiliaryCategory(a.category)) continue;
    infra.applications++;
    infra.instances += a.instances.length;
    for (const i of a.instances) {
      for (const t of instanceApplicationTypes(i)) stack.services = addToSet(stack.services, t);
      stack.instrumented_services = addToSet(stack.instrumented_services, instrumentedType(i));
      if ([...i.jvmProfiling.values()].some(Boolean)) integration.java_async_profiler = true;
    }
    countRecentDeployments(a, world.checkConfigs, now, recent);
  }
  infra.deployments += recent.deployments;
  if (Object.keys(recent.summaries).length > 0) infra.deployment_summaries = recent.summaries;

  // appending nothing to a nil slice keeps it nil (null in the JSON)
  const components = corootComponents(world.applications);
  if (components.length > 0) payload.performance.components = [...(payload.performance.components ?? []), ...components];
}
