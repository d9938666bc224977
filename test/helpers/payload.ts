/** Shared payload states for world tests. */
import type { Payload } from '../../src/model/payload-schema.js';

/** collect()'s state right before the project loop (stats/stats.go:371-382), as collect() builds it. */
export function payloadBeforeProjects(): Payload {
  return {
    instance: { uuid: '', version: '', database_type: '', edition: '' },
    integration: {
      prometheus: false, prometheus_refresh_interval: 0, node_agent: false, node_agent_versions: [], kube_state_metrics: null,
      inspection_overrides: {}, application_categories: 0, alerting_integrations: [], cloud_costs: false, clickhouse: false,
      tracing: false, logs: false, profiles: false, java_async_profiler: false, fluxcd: false, argocd: false,
    },
    stack: { clouds: [], services: [], instrumented_services: [] },
    infra: {
      projects: 0, nodes: 0, cpu_cores: 0, gpus: 0, applications: 0, applications_by_kind: {}, instances: 0, deployments: 0,
      deployment_summaries: {}, kernel_versions: [],
    },
    ux: {
      world_load_time_avg: 0, audit_time_avg: 0, users_by_screen_size: {}, users_by_theme: null, users: [], users_by_role: {},
      page_views: {}, api_calls: {}, mcp_calls: {}, sent_notifications: {},
    },
    performance: { constructor: { stages: {}, queries: {} }, auditor: { stages: null }, components: null },
    profile: { from: 0, to: 0, cpu: '', memory: '' },
  };
}
