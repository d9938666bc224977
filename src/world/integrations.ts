/**
 * The world's integration flags that do not need applications: kube-state-metrics installed / required,
 * Flux CD and Argo CD present.
 */
import type { Metrics } from './nodes.js';
import type { World } from './model.js';

/**
 * The container queries loadContainers resolves to instances in the stats world; resolving a container
 * id `/k8s/<ns>/<pod>/<container>` or `/k8s-cronjob/...` marks kube-state-metrics as required.
 */
const CONTAINER_QUERIES = [
  'container_info', 'container_application_type', 'container_cpu_limit', 'container_cpu_usage', 'container_cpu_delay',
  'container_throttled_time', 'container_memory_rss', 'container_memory_cache', 'container_memory_pressure',
  'container_memory_limit', 'container_oom_kills_total', 'container_restarts', 'container_net_tcp_listen_info',
  'container_volume_size', 'container_volume_used', 'container_gpu_usage_percent', 'container_gpu_memory_usage_percent',
];

/** podInfo: every kube_pod_info series sets Installed, before any check of its labels. */
export function loadKubeStateMetricsInstalled(w: World, metrics: Metrics): void {
  if ((metrics.get('kube_pod_info') ?? []).length > 0) w.integrationStatus.kubeStateMetrics.installed = true;
}

/** getInstanceAndContainer's side effect: KubeStateMetrics.Required for Kubernetes container ids. */
export function loadKubeStateMetricsRequired(w: World, metrics: Metrics): void {
  for (const name of CONTAINER_QUERIES) {
    for (const m of metrics.get(name) ?? []) {
      // series with an app_id go through getInstanceByAppId instead; no stats-path query keeps app_id
      if ((m.labels.app_id ?? '') !== '' || !m.containerId.startsWith('/')) continue;
      const parts = m.containerId.split('/');
      if (parts.length === 5 && (parts[1] === 'k8s' || parts[1] === 'k8s-cronjob')) {
        w.integrationStatus.kubeStateMetrics.required = true;
        return;
      }
    }
  }
}

const FLUX_OBJECT_QUERIES = [
  'fluxcd_git_repository_info', 'fluxcd_oci_repository_info', 'fluxcd_helm_repository_info', 'fluxcd_helm_chart_info',
  'fluxcd_helm_release_info', 'fluxcd_kustomization_info', 'fluxcd_resourceset_info',
];

/** loadFluxResources: w.Flux is set once any Flux object exists, and only *_info series create them. */
export function loadFluxResources(w: World, metrics: Metrics): void {
  w.flux = FLUX_OBJECT_QUERIES.some((name) => (metrics.get(name) ?? []).length > 0);
}

/** loadArgoCDResources: w.ArgoCD is set once an application exists, created only by argocd_application_info. */
export function loadArgoCDResources(w: World, metrics: Metrics): void {
  w.argocd = (metrics.get('argocd_application_info') ?? []).length > 0;
}
