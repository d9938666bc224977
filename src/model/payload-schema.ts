/**
 * The Coroot v1.24.5 usage-statistics payload (type Stats in stats/stats.go), field for field in Go's
 * declaration order. The single source for the payload's TypeScript types, validation, JSON Schema,
 * the annotated view and the wire encoding.
 */
import type { z } from 'zod';
import {
  goBool, goBoolPtr, goFloat32, goInt, goMap, goPtr, goSlice, goString, goStringSet, goStruct, goValue, omitempty,
  type FieldDoc, type Fidelity,
} from './go-zod.js';

const S = 'stats/stats.go';
const doc = (fidelity: Fidelity, source: string, description: string): FieldDoc => ({ description, source, fidelity });
const exact = (source: string, description: string) => doc('exact', source, description);
const rebuilt = (source: string, description: string) => doc('rebuilt', source, description);
const runtime = (source: string, description: string) => doc('runtime', source, description);
const memoryOnly = (description: string) => doc('memory-only', `${S}:326-351 (in-memory counters of the running Coroot)`, description);

// ---------------------------------------------------------------------------------------------- instance

const instance = goStruct({
  uuid: goString(exact('DATA_DIR/instance.uuid (utils/dir.go:31-47)',
    'Random id of this Coroot installation: the trimmed text of instance.uuid when it parses as a UUID; Coroot writes a new v4 UUID there at start-up otherwise.')),
  version: goString(exact('main.version, set at build time (--coroot-version here)', 'Coroot version, e.g. "1.24.5" for the official images.')),
  database_type: goString(exact('db.Type(): PG_CONNECTION_STRING / --pg-connection-string / postgres.connection_string',
    'Configuration database engine: "sqlite" or "postgres".')),
  edition: goString(exact('main.go:32 (constant)', 'Always "Community" for the open-source build.')),
  installation_type: omitempty(goString(exact('env INSTALLATION_TYPE (stats/stats.go:184)',
    'How Coroot was installed, from INSTALLATION_TYPE (the Kubernetes operator sets "k8s-operator"); left out when empty.'))),
}, exact(`${S}:37-43`, 'Who is sending.'));

// ---------------------------------------------------------------------------------------------- integration

const inspectionOverride = goStruct({
  project_level: goInt(exact('check_configs rows with application_id ":::"', 'Overrides of this check at project level.')),
  application_level: goInt(exact('check_configs rows of an application', 'Overrides of this check for single applications.')),
});

const integration = goStruct({
  prometheus: goBool(exact('project.prometheus (url), non-multicluster projects', 'Whether any project has its own Prometheus URL (a global Prometheus does not count).')),
  prometheus_refresh_interval: goInt(exact('project.prometheus (refresh_interval, stored in ms)', 'Smallest Prometheus refresh interval over the projects, in seconds (30 when unset).')),
  node_agent: goBool(rebuilt('node_info metric (machine_id / system_uuid)', 'Whether metrics from coroot-node-agent were seen.')),
  node_agent_versions: goStringSet(rebuilt('node_agent_info metric (version label)', 'Versions of coroot-node-agent seen on the nodes.')),
  kube_state_metrics: goBoolPtr(rebuilt('kube_pod_info metric; containers with /k8s/ ids', 'Whether kube-state-metrics is installed; null unless some world has Kubernetes containers.')),
  inspection_overrides: goMap(inspectionOverride, exact('check_configs.configs keys', 'Number of overridden inspection thresholds per check id.')),
  application_categories: goInt(exact('project.settings application_category_settings (+ deprecated application_categories) keys',
    'Number of distinct application category names configured over the projects.')),
  alerting_integrations: goStringSet(exact('project.settings integrations.{slack,teams,pagerduty,opsgenie,webhook}', 'Notification integration types that are configured.')),
  cloud_costs: goBool(rebuilt('node prices from node_cloud_info and the cloud-pricing data', 'Whether a price is known for any node.')),
  clickhouse: goBool(exact('project.settings integrations.clickhouse or the global ClickHouse', 'Whether a ClickHouse integration is configured.')),
  tracing: goBool(exact('same as clickhouse', 'Whether distributed tracing is available (follows clickhouse).')),
  logs: goBool(exact('same as clickhouse', 'Whether log monitoring is available (follows clickhouse).')),
  profiles: goBool(exact('same as clickhouse', 'Whether continuous profiling is available (follows clickhouse).')),
  java_async_profiler: goBool(rebuilt('container_jvm_profiling_status metric', 'Whether a JVM runs with the async profiler enabled.')),
  fluxcd: goBool(rebuilt('fluxcd_* metrics', 'Whether Flux CD objects were seen.')),
  argocd: goBool(rebuilt('argocd_* metrics', 'Whether Argo CD applications were seen.')),
}, exact(`${S}:44-61`, 'What Coroot is connected to.'));

// ---------------------------------------------------------------------------------------------- stack

const stack = goStruct({
  clouds: goStringSet(rebuilt('node_cloud_info metric (provider label, lower-cased)', 'Cloud providers of the nodes.')),
  services: goStringSet(rebuilt('container_application_type metric; RDS/ElastiCache engines', 'Application types (postgres, redis, java, ...) of counted applications.')),
  instrumented_services: goStringSet(rebuilt('database exporter metrics (pg_*, mysql_*, redis_*, mongo_*, memcached_*)', 'Databases monitored through their exporters.')),
}, rebuilt(`${S}:62-66`, 'What runs in the monitored infrastructure.'));

// ---------------------------------------------------------------------------------------------- infra

const appStats = goStruct({
  applications: goInt(rebuilt('world applications of this kind', 'Number of applications.')),
  instances: goInt(rebuilt('their instances', 'Number of their instances.')),
});

const infra = goStruct({
  projects: goInt(exact('project table (all rows, multicluster included)', 'Number of projects.')),
  nodes: goInt(rebuilt('node_info and related metrics', 'Number of nodes.')),
  cpu_cores: goInt(rebuilt('node_resources_cpu_logical_cores (last value, truncated per node)', 'Total CPU cores of the nodes.')),
  gpus: goInt(rebuilt('node_gpu_info metric', 'Number of GPUs.')),
  applications: goInt(rebuilt('world applications, neither standalone nor auxiliary', 'Number of applications.')),
  applications_by_kind: goMap(goPtr(appStats), rebuilt('world applications by ApplicationKind', 'Applications and instances per kind, all applications included.')),
  instances: goInt(rebuilt('instances of counted applications', 'Number of application instances.')),
  deployments: goInt(rebuilt('application_deployment table + world (last hour)', 'Number of rollouts started in the last hour.')),
  deployment_summaries: goMap(goInt(), rebuilt('application_deployment.metrics_snapshot + world', 'Notable changes of those rollouts, e.g. "-CPU", "+Logs".')),
  kernel_versions: goStringSet(rebuilt('node_info metric (kernel_version label)', 'Linux kernel versions of the nodes.')),
}, rebuilt(`${S}:67-78`, 'Size of the monitored infrastructure.'));

// ---------------------------------------------------------------------------------------------- ux

const ux = goStruct({
  world_load_time_avg: goFloat32(runtime(`${S}:438-452`, 'Average seconds to load a project world from the metrics cache.')),
  audit_time_avg: goFloat32(runtime(`${S}:454-456`, 'Average seconds to audit a project world.')),
  users_by_screen_size: goMap(goInt(), memoryOnly('Browsers per display breakpoint (xs..xl) since the last collection.')),
  users_by_theme: goMap(goInt(), memoryOnly('Browsers per UI theme ("" until one is picked).')),
  users: goStringSet(memoryOnly('Random browser ids seen since the last collection.')),
  users_by_role: goMap(goInt(), exact('users.roles', 'Number of users per role.')),
  page_views: goMap(goInt(), memoryOnly('UI page views per route template.')),
  api_calls: goMap(goInt(), memoryOnly('API calls per route template.')),
  mcp_calls: goMap(goInt(), memoryOnly('MCP tool calls per tool name.')),
  sent_notifications: goMap(goInt(), exact('incident_notification: destination, timestamp >= now-3600, sent_at > 0',
    'Incident notifications delivered in the last hour, per raw destination (e.g. "slack:<channel>").')),
}, exact(`${S}:79-90`, 'How Coroot is used.'));

// ---------------------------------------------------------------------------------------------- performance

const destinationStats = goStruct({
  unique: goInt(),
  external_total: goInt(),
  external_unique: goInt(),
  private_total: goInt(),
  private_unique: goInt(),
  fqdn_total: goInt(),
  fqdn_unique: goInt(),
  loopback_total: goInt(),
});

const cardinalityStats = goStruct({
  container_id: goInt(rebuilt('series labels', 'Distinct container ids in the result.')),
  destination: omitempty(goPtr(destinationStats, rebuilt('series labels', 'Destination label statistics.'))),
  actual_destination: omitempty(goPtr(destinationStats, rebuilt('series labels', 'Actual destination label statistics.'))),
});

const queryStats = goStruct({
  metrics_count: goInt(rebuilt('query result', 'Number of series returned.')),
  query_time: goFloat32(runtime('constructor/constructor.go:263-291', 'Seconds from the start of the query batch to this query\'s end, summed over projects.')),
  failed: goBool(rebuilt('query result', 'Whether the query failed.')),
  cardinality: omitempty(goPtr(cardinalityStats, rebuilt('constructor/stats.go:82-113', 'Label cardinality of the result; left out without container ids.'))),
});

const container = goStruct(Object.fromEntries(
  ['cpu_total', 'cpu_usage', 'cpu_limit', 'cpu_delay', 'cpu_throttling', 'memory_total', 'memory_usage', 'memory_limit', 'memory_ooms', 'restarts']
    .map((name) => [name, goValue(rebuilt('container_* and node_* metrics', `Last value of ${name.replace('_', ' ')} (null when unknown).`))]),
) as Record<'cpu_total' | 'cpu_usage' | 'cpu_limit' | 'cpu_delay' | 'cpu_throttling' | 'memory_total' | 'memory_usage' | 'memory_limit' | 'memory_ooms' | 'restarts', ReturnType<typeof goValue>>);

const volume = goStruct(Object.fromEntries(
  ['size', 'usage', 'read_latency', 'write_latency', 'reads', 'writes', 'read_bandwidth', 'write_bandwidth']
    .map((name) => [name, goValue(rebuilt('container_volume_* and node_disk_* metrics', `Last value of ${name.replace('_', ' ')}.`))]),
) as Record<'size' | 'usage' | 'read_latency' | 'write_latency' | 'reads' | 'writes' | 'read_bandwidth' | 'write_bandwidth', ReturnType<typeof goValue>>);

const componentInstance = goStruct({
  containers: goMap(goPtr(container), rebuilt(`${S}:553-571`, 'Containers of the instance by name.')),
  volumes: goSlice(goPtr(volume), rebuilt(`${S}:574-588`, 'Volumes of the instance.')),
});

const component = goStruct({
  id: goString(rebuilt('model.ApplicationId text', 'Application id "<cluster>:<namespace>:<kind>:<name>" of a Coroot component.')),
  instances: goSlice(goPtr(componentInstance), rebuilt(`${S}:548-591`, 'Its live instances.')),
});

const performance = goStruct({
  constructor: goStruct({
    stages: goMap(goFloat32(), runtime('constructor/stats.go:120-131', 'Longest time in seconds of each world-building stage.')),
    queries: goMap(queryStats, rebuilt('constructor/constructor.go:263-291', 'Per metric query: series count, time, failure, cardinality.')),
  }, rebuilt('constructor.Profile', 'World construction statistics.')),
  auditor: goStruct({
    stages: goMap(goFloat32(), runtime('auditor/auditor.go:26-34,95-103', 'Seconds per audit stage of the last audited project.')),
  }, runtime('auditor.Profile', 'Audit statistics.')),
  components: goSlice(goPtr(component), rebuilt(`${S}:531,544-593`, 'Resource usage of Coroot\'s own components (Coroot, its Prometheus, ClickHouse).')),
}, rebuilt(`${S}:91-95`, 'How Coroot itself performs.'));

// ---------------------------------------------------------------------------------------------- profile

const profile = goStruct({
  from: goInt(runtime(`${S}:289,293`, 'Unix seconds when the collection started.')),
  to: goInt(runtime(`${S}:294`, 'Unix seconds when it ended.')),
  cpu: goString(runtime(`${S}:286,295-296`, 'base64 of the gzipped pprof CPU profile of the collection.')),
  memory: goString(runtime(`${S}:297-302`, 'base64 of the gzipped pprof delta heap profile since the last collection.')),
}, runtime(`${S}:96-101`, 'Profiles of the process that built the payload.'));

export const payloadSchema = goStruct({
  instance,
  integration,
  stack,
  infra,
  ux,
  performance,
  profile,
}, exact(`${S}:36-102`, 'The anonymous usage statistics Coroot v1.24.5 POSTs to https://coroot.com/ce/usage-statistics every hour.'));

export type Payload = z.infer<typeof payloadSchema>;
export type QueryStats = z.infer<typeof queryStats>;
export type Component = z.infer<typeof component>;
export type InspectionOverride = z.infer<typeof inspectionOverride>;
