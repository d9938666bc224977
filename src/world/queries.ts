/**
 * The metric queries of Coroot v1.24.5's world constructor (constructor/queries.go QUERIES), and the set
 * the usage-statistics path actually runs (constructor.go queryCache with no options): 280 named queries
 * plus the custom-SLI ones. Names, PromQL and label allow-lists must match Coroot exactly: names are the
 * keys of `performance.constructor.queries`, the allow-lists decide which series merge and so
 * `metrics_count`.
 */
import { DEFAULT_LABELS, truncateTime, type FillFunc, type MetricsQuery, type Window } from '../sources/metrics.js';

export interface QueryDef {
  name: string;
  query: string;
  /** allow-list: the six default labels, the helper's labels and the query's own */
  labels: ReadonlySet<string>;
  /** per-instance connection queries; only the cache updater's recording-rule world loads them */
  instanceToInstance: boolean;
  fill: FillFunc;
}

/** model.ApplicationAnnotationLabels: the five `coroot.com/...` annotations as kube-state-metrics labels */
export const ANNOTATION_LABELS = [
  'annotation_coroot_com_application_category',
  'annotation_coroot_com_custom_application_name',
  'annotation_coroot_com_slo_availability_objective',
  'annotation_coroot_com_slo_latency_objective',
  'annotation_coroot_com_slo_latency_threshold',
] as const;

const NAMESPACE_LABELS = ['namespace', 'ns', 'kubernetes_namespace', 'kubernetes_ns', 'k8s_namespace', 'k8s_ns'];
const POD_LABELS = ['pod', 'pod_name', 'kubernetes_pod', 'k8s_pod'];
const DB_INSTANCE_LABELS = ['address', 'instance', 'rds_instance_id', 'ec_instance_id'];

function def(name: string, query: string, labels: readonly string[], fill: FillFunc = 'any', instanceToInstance = false): QueryDef {
  return { name, query, labels: new Set([...DEFAULT_LABELS, ...labels]), instanceToInstance, fill };
}

// One builder per helper of queries.go, each adding the labels that helper adds.
const q = (name: string, query: string, labels: readonly string[] = [], fill?: FillFunc) => def(name, query, labels, fill);
const itoi = (name: string, query: string, labels: readonly string[] = []) => def(name, query, [...labels, 'app_id'], 'any', true);
const pod = (name: string, query: string, labels: readonly string[] = []) => def(name, query, ['uid', ...labels]);
const rds = (name: string, query: string, labels: readonly string[] = []) => def(name, query, ['rds_instance_id', ...labels]);
const dbExporter = (name: string, query: string, labels: readonly string[] = []) =>
  def(name, query, [...DB_INSTANCE_LABELS, ...NAMESPACE_LABELS, ...POD_LABELS, ...labels]);
const jvm = (name: string, query: string, labels: readonly string[] = [], fill?: FillFunc) => def(name, query, ['jvm', ...labels], fill);
const dotnet = (name: string, query: string, labels: readonly string[] = []) => def(name, query, ['application', ...labels]);
const fargateContainer = (name: string, query: string, labels: readonly string[] = []) =>
  def(name, query, ['kubernetes_io_hostname', 'namespace', 'pod', 'container', ...labels]);

/** QUERIES, in Coroot's order (329 entries, 67 of them instance-to-instance). */
export const QUERIES: readonly QueryDef[] = [
  q('node_agent_info', 'node_agent_info', ['version']),

  q('up', 'up', ['job', 'instance']),

  q('node_info', 'node_info', ['hostname', 'kernel_version']),
  q('node_cloud_info', 'node_cloud_info', ['provider', 'region', 'availability_zone', 'instance_type', 'instance_life_cycle']),
  q('node_uptime_seconds', 'node_uptime_seconds'),
  q('node_cpu_cores', 'node_resources_cpu_logical_cores'),
  q('node_cpu_usage_percent', 'sum(rate(node_resources_cpu_usage_seconds_total{mode!="idle"}[$RANGE])) without(mode) /sum(rate(node_resources_cpu_usage_seconds_total[$RANGE])) without(mode)*100'),
  q('node_cpu_usage_by_mode', 'rate(node_resources_cpu_usage_seconds_total{mode!="idle"}[$RANGE]) / ignoring(mode) group_left sum(rate(node_resources_cpu_usage_seconds_total[$RANGE])) without(mode)*100', ['mode']),
  q('node_memory_total_bytes', 'node_resources_memory_total_bytes'),
  q('node_memory_available_bytes', 'node_resources_memory_available_bytes'),
  q('node_memory_free_bytes', 'node_resources_memory_free_bytes'),
  q('node_memory_cached_bytes', 'node_resources_memory_cached_bytes'),
  q('node_disk_read_time', 'rate(node_resources_disk_read_time_seconds_total[$RANGE])', ['device']),
  q('node_disk_write_time', 'rate(node_resources_disk_write_time_seconds_total[$RANGE])', ['device']),
  q('node_disk_reads', 'rate(node_resources_disk_reads_total[$RANGE])', ['device']),
  q('node_disk_writes', 'rate(node_resources_disk_writes_total[$RANGE])', ['device']),
  q('node_disk_read_bytes', 'rate(node_resources_disk_read_bytes_total[$RANGE])', ['device']),
  q('node_disk_written_bytes', 'rate(node_resources_disk_written_bytes_total[$RANGE])', ['device']),
  q('node_disk_io_time', 'rate(node_resources_disk_io_time_seconds_total[$RANGE])', ['device']),
  q('node_net_up', 'node_net_interface_up', ['interface']),
  q('node_net_ip', 'node_net_interface_ip', ['interface', 'ip']),
  q('node_net_rx_bytes', 'rate(node_net_received_bytes_total[$RANGE])', ['interface']),
  q('node_net_tx_bytes', 'rate(node_net_transmitted_bytes_total[$RANGE])', ['interface']),
  q('node_gpu_info', 'node_gpu_info', ['gpu_uuid', 'name', 'driver_version']),
  q('node_gpu_memory_total_bytes', 'node_resources_gpu_memory_total_bytes', ['gpu_uuid']),
  q('node_gpu_memory_used_bytes', 'node_resources_gpu_memory_used_bytes', ['gpu_uuid']),
  q('node_gpu_memory_utilization_percent_avg', 'node_resources_gpu_memory_utilization_percent_avg', ['gpu_uuid']),
  q('node_gpu_memory_utilization_percent_peak', 'node_resources_gpu_memory_utilization_percent_peak', ['gpu_uuid']),
  q('node_gpu_utilization_percent_avg', 'node_resources_gpu_utilization_percent_avg', ['gpu_uuid']),
  q('node_gpu_utilization_percent_peak', 'node_resources_gpu_utilization_percent_peak', ['gpu_uuid']),
  q('node_gpu_temperature_celsius', 'node_resources_gpu_temperature_celsius', ['gpu_uuid']),
  q('node_gpu_power_usage_watts', 'node_resources_gpu_power_usage_watts', ['gpu_uuid']),

  q('ip_to_fqdn', 'sum by(fqdn, ip) (ip_to_fqdn)', ['ip', 'fqdn']),

  q('fargate_node_machine_cpu_cores', 'machine_cpu_cores{eks_amazonaws_com_compute_type="fargate"}', ['eks_amazonaws_com_compute_type', 'kubernetes_io_hostname', 'topology_kubernetes_io_region', 'topology_kubernetes_io_zone']),
  q('fargate_node_machine_memory_bytes', 'machine_memory_bytes{eks_amazonaws_com_compute_type="fargate"}', ['eks_amazonaws_com_compute_type', 'kubernetes_io_hostname', 'topology_kubernetes_io_region', 'topology_kubernetes_io_zone']),
  fargateContainer('fargate_container_spec_cpu_limit_cores', 'container_spec_cpu_quota{eks_amazonaws_com_compute_type="fargate"}/container_spec_cpu_period{eks_amazonaws_com_compute_type="fargate"}'),
  fargateContainer('fargate_container_cpu_usage_seconds', 'rate(container_cpu_usage_seconds_total{eks_amazonaws_com_compute_type="fargate"}[$RANGE])'),
  fargateContainer('fargate_container_cpu_cfs_throttled_seconds', 'rate(container_cpu_cfs_throttled_seconds_total{eks_amazonaws_com_compute_type="fargate"}[$RANGE])'),
  fargateContainer('fargate_container_spec_memory_limit_bytes', 'container_spec_memory_limit_bytes{eks_amazonaws_com_compute_type="fargate"}'),
  fargateContainer('fargate_container_memory_rss', 'container_memory_rss{eks_amazonaws_com_compute_type="fargate"}'),
  fargateContainer('fargate_container_memory_cache', 'container_memory_cache{eks_amazonaws_com_compute_type="fargate"}'),
  fargateContainer('fargate_container_oom_events_total', 'container_oom_events_total{eks_amazonaws_com_compute_type="fargate"}', ['job', 'instance']),

  q('kube_node_info', 'kube_node_info', ['node', 'kernel_version']),
  q('kube_service_info', 'kube_service_info', ['namespace', 'service', 'cluster_ip']),
  q('kube_service_port', 'kube_service_port', ['namespace', 'service', 'port', 'node_port']),
  q('kube_service_spec_type', 'kube_service_spec_type', ['namespace', 'service', 'type']),
  q('kube_endpoint_address', 'kube_endpoint_address', ['namespace', 'endpoint', 'ip', 'port_number']),
  q('kube_service_status_load_balancer_ingress', 'kube_service_status_load_balancer_ingress', ['namespace', 'service', 'ip']),
  q('kube_deployment_spec_replicas', 'kube_deployment_spec_replicas', ['namespace', 'deployment']),
  q('kube_daemonset_status_desired_number_scheduled', 'kube_daemonset_status_desired_number_scheduled', ['namespace', 'daemonset']),
  q('kube_statefulset_replicas', 'kube_statefulset_replicas', ['namespace', 'statefulset']),
  q('kube_deployment_annotations', 'kube_deployment_annotations', [...ANNOTATION_LABELS, 'namespace', 'deployment']),
  q('kube_statefulset_annotations', 'kube_statefulset_annotations', [...ANNOTATION_LABELS, 'namespace', 'statefulset']),
  q('kube_daemonset_annotations', 'kube_daemonset_annotations', [...ANNOTATION_LABELS, 'namespace', 'daemonset']),
  q('kube_cronjob_annotations', 'kube_cronjob_annotations', [...ANNOTATION_LABELS, 'namespace', 'cronjob']),
  q('kube_job_owner', 'kube_job_owner', ['namespace', 'job_name', 'owner_kind', 'owner_name', 'owner_is_controller']),
  pod('kube_pod_info', 'kube_pod_info', ['namespace', 'pod', 'created_by_name', 'created_by_kind', 'node', 'pod_ip', 'host_ip']),
  pod('kube_pod_annotations', 'kube_pod_annotations', [...ANNOTATION_LABELS]),
  pod('kube_pod_labels', 'kube_pod_labels', ['label_postgres_operator_crunchydata_com_cluster', 'label_postgres_operator_crunchydata_com_role', 'label_cluster_name', 'label_team', 'label_application', 'label_spilo_role', 'label_role', 'label_cnpg_io_cluster', 'label_stackgres_io_cluster_name', 'label_app_kubernetes_io_managed_by', 'label_app_kubernetes_io_instance', 'label_helm_sh_chart', 'label_app_kubernetes_io_name', 'label_app_kubernetes_io_component', 'label_app_kubernetes_io_part_of', 'label_valkey_io_cluster']),
  pod('kube_pod_status_phase', 'kube_pod_status_phase > 0', ['phase']),
  pod('kube_pod_status_ready', 'kube_pod_status_ready{condition="true"}'),
  pod('kube_pod_status_scheduled', 'kube_pod_status_scheduled{condition="true"} > 0'),
  pod('kube_pod_init_container_info', 'kube_pod_init_container_info', ['namespace', 'pod', 'container']),
  pod('kube_pod_container_resource_requests', 'kube_pod_container_resource_requests', ['namespace', 'pod', 'container', 'resource']),
  pod('kube_pod_container_status_ready', 'kube_pod_container_status_ready > 0', ['namespace', 'pod', 'container']),
  pod('kube_pod_container_status_running', 'kube_pod_container_status_running > 0', ['namespace', 'pod', 'container']),
  pod('kube_pod_container_status_waiting', 'kube_pod_container_status_waiting > 0', ['namespace', 'pod', 'container']),
  pod('kube_pod_container_status_waiting_reason', 'kube_pod_container_status_waiting_reason > 0', ['namespace', 'pod', 'container', 'reason']),
  pod('kube_pod_container_status_terminated', 'kube_pod_container_status_terminated > 0', ['namespace', 'pod', 'container']),
  pod('kube_pod_container_status_terminated_reason', 'kube_pod_container_status_terminated_reason > 0', ['namespace', 'pod', 'container', 'reason']),
  pod('kube_pod_container_status_last_terminated_reason', 'kube_pod_container_status_last_terminated_reason', ['namespace', 'pod', 'container', 'reason']),

  q('container_info', 'container_info', ['image', 'systemd_triggered_by', 'systemd_type']),
  q('container_application_type', 'container_application_type', ['application_type']),
  q('container_cpu_limit', 'container_resources_cpu_limit_cores'),
  q('container_cpu_usage', 'rate(container_resources_cpu_usage_seconds_total[$RANGE])'),
  q('container_cpu_delay', 'rate(container_resources_cpu_delay_seconds_total[$RANGE])'),
  q('container_throttled_time', 'rate(container_resources_cpu_throttled_seconds_total[$RANGE])'),
  q('container_memory_limit', 'container_resources_memory_limit_bytes'),
  q('container_memory_rss', 'container_resources_memory_rss_bytes'),
  q('container_memory_cache', 'container_resources_memory_cache_bytes'),
  q('container_memory_pressure', 'rate(container_resources_memory_pressure_waiting_seconds_total[$RANGE])', ['kind']),
  q('container_oom_kills_total', 'container_oom_kills_total % 10000000', ['job', 'instance']),
  q('container_restarts', 'container_restarts_total % 10000000', ['job', 'instance']),
  q('container_volume_size', 'container_resources_disk_size_bytes', ['mount_point', 'volume', 'device']),
  q('container_volume_used', 'container_resources_disk_used_bytes', ['mount_point', 'volume', 'device']),
  q('container_gpu_usage_percent', 'container_resources_gpu_usage_percent', ['gpu_uuid']),
  q('container_gpu_memory_usage_percent', 'container_resources_gpu_memory_usage_percent', ['gpu_uuid']),
  q('container_net_tcp_listen_info', 'container_net_tcp_listen_info', ['listen_addr', 'proxy']),
  itoi('container_net_latency', 'avg by(app_id, destination_ip) (container_net_latency_seconds{app_id!=""}) or container_net_latency_seconds{app_id=""}'),
  itoi('container_net_tcp_successful_connects', 'sum by(app_id, destination, actual_destination) (rate(container_net_tcp_successful_connects_total{app_id!=""}[$RANGE])) or rate(container_net_tcp_successful_connects_total{app_id=""}[$RANGE])'),
  itoi('container_net_tcp_failed_connects', 'sum by(app_id, destination, actual_destination) (rate(container_net_tcp_failed_connects_total{app_id!=""}[$RANGE])) or rate(container_net_tcp_failed_connects_total{app_id=""}[$RANGE])'),
  itoi('container_net_tcp_active_connections', 'sum by(app_id, destination, actual_destination) (container_net_tcp_active_connections{app_id!=""}) or container_net_tcp_active_connections{app_id=""}'),
  itoi('container_net_tcp_connection_time_seconds', 'sum by(app_id, destination, actual_destination) (rate(container_net_tcp_connection_time_seconds_total{app_id!=""}[$RANGE])) or rate(container_net_tcp_connection_time_seconds_total{app_id=""}[$RANGE])'),
  itoi('container_net_tcp_bytes_sent', 'sum by(app_id, destination, actual_destination, az, region) (rate(container_net_tcp_bytes_sent_total{app_id!=""}[$RANGE])) or rate(container_net_tcp_bytes_sent_total{app_id=""}[$RANGE])', ['region', 'az']),
  itoi('container_net_tcp_bytes_received', 'sum by(app_id, destination, actual_destination, az, region) (rate(container_net_tcp_bytes_received_total{app_id!=""}[$RANGE])) or rate(container_net_tcp_bytes_received_total{app_id=""}[$RANGE])', ['region', 'az']),
  itoi('container_net_tcp_retransmits', 'sum by(app_id, destination, actual_destination) (rate(container_net_tcp_retransmits_total{app_id!=""}[$RANGE])) or rate(container_net_tcp_retransmits_total{app_id=""}[$RANGE])'),
  q('container_log_messages', 'container_log_messages_total % 10000000', ['level', 'pattern_hash', 'sample', 'job', 'instance']),
  itoi('container_http_requests_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_http_requests_total{app_id!=""}[$RANGE])) or rate(container_http_requests_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_http_requests_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_http_requests_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_http_requests_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_http_requests_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_http_requests_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_http_requests_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_postgres_queries_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_postgres_queries_total{app_id!=""}[$RANGE])) or rate(container_postgres_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_postgres_queries_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_postgres_queries_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_postgres_queries_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_postgres_queries_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_postgres_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_postgres_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_redis_queries_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_redis_queries_total{app_id!=""}[$RANGE])) or rate(container_redis_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_redis_queries_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_redis_queries_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_redis_queries_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_redis_queries_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_redis_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_redis_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_memcached_queries_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_memcached_queries_total{app_id!=""}[$RANGE])) or rate(container_memcached_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_memcached_queries_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_memcached_queries_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_memcached_queries_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_memcached_queries_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_memcached_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_memcached_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_mysql_queries_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_mysql_queries_total{app_id!=""}[$RANGE])) or rate(container_mysql_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_mysql_queries_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_mysql_queries_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_mysql_queries_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_mysql_queries_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_mysql_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_mysql_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_mongo_queries_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_mongo_queries_total{app_id!=""}[$RANGE])) or rate(container_mongo_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_mongo_queries_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_mongo_queries_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_mongo_queries_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_mongo_queries_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_mongo_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_mongo_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_kafka_requests_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_kafka_requests_total{app_id!=""}[$RANGE])) or rate(container_kafka_requests_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_kafka_requests_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_kafka_requests_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_kafka_requests_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_kafka_requests_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_kafka_requests_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_kafka_requests_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_cassandra_queries_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_cassandra_queries_total{app_id!=""}[$RANGE])) or rate(container_cassandra_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_cassandra_queries_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_cassandra_queries_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_cassandra_queries_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_cassandra_queries_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_cassandra_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_cassandra_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_clickhouse_queries_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_clickhouse_queries_total{app_id!=""}[$RANGE])) or rate(container_clickhouse_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_clickhouse_queries_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_clickhouse_queries_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_clickhouse_queries_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_clickhouse_queries_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_clickhouse_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_clickhouse_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_zookeeper_requests_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_zookeeper_requests_total{app_id!=""}[$RANGE])) or rate(container_zookeeper_requests_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_zookeeper_requests_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_zookeeper_requests_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_zookeeper_requests_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_zookeeper_requests_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_zookeeper_requests_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_zookeeper_requests_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_foundationdb_requests_count', 'sum by(app_id, destination, actual_destination, status) (rate(container_foundationdb_requests_total{app_id!=""}[$RANGE])) or rate(container_foundationdb_requests_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_foundationdb_requests_latency_total', 'sum by(app_id, destination, actual_destination) (rate(container_foundationdb_requests_duration_seconds_total_sum{app_id!=""}[$RANGE])) or rate(container_foundationdb_requests_duration_seconds_total_sum{app_id=""}[$RANGE])'),
  itoi('container_foundationdb_requests_histogram', 'sum by(app_id, destination, actual_destination, le) (rate(container_foundationdb_requests_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_foundationdb_requests_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_rabbitmq_messages', 'sum by(app_id, destination, actual_destination, status, method) (rate(container_rabbitmq_messages_total{app_id!=""}[$RANGE])) or rate(container_rabbitmq_messages_total{app_id=""}[$RANGE])', ['status', 'method']),
  itoi('container_nats_messages', 'sum by(app_id, destination, actual_destination, status, method) (rate(container_nats_messages_total{app_id!=""}[$RANGE])) or rate(container_nats_messages_total{app_id=""}[$RANGE])', ['status', 'method']),
  itoi('container_http_inbound_requests_count', 'sum by(app_id, status) (rate(container_http_inbound_requests_total{app_id!=""}[$RANGE])) or rate(container_http_inbound_requests_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_http_inbound_requests_histogram', 'sum by(app_id, le) (rate(container_http_inbound_requests_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_http_inbound_requests_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_postgres_inbound_queries_count', 'sum by(app_id, status) (rate(container_postgres_inbound_queries_total{app_id!=""}[$RANGE])) or rate(container_postgres_inbound_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_postgres_inbound_queries_histogram', 'sum by(app_id, le) (rate(container_postgres_inbound_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_postgres_inbound_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_redis_inbound_queries_count', 'sum by(app_id, status) (rate(container_redis_inbound_queries_total{app_id!=""}[$RANGE])) or rate(container_redis_inbound_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_redis_inbound_queries_histogram', 'sum by(app_id, le) (rate(container_redis_inbound_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_redis_inbound_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_memcached_inbound_queries_count', 'sum by(app_id, status) (rate(container_memcached_inbound_queries_total{app_id!=""}[$RANGE])) or rate(container_memcached_inbound_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_memcached_inbound_queries_histogram', 'sum by(app_id, le) (rate(container_memcached_inbound_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_memcached_inbound_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_mysql_inbound_queries_count', 'sum by(app_id, status) (rate(container_mysql_inbound_queries_total{app_id!=""}[$RANGE])) or rate(container_mysql_inbound_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_mysql_inbound_queries_histogram', 'sum by(app_id, le) (rate(container_mysql_inbound_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_mysql_inbound_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_mongo_inbound_queries_count', 'sum by(app_id, status) (rate(container_mongo_inbound_queries_total{app_id!=""}[$RANGE])) or rate(container_mongo_inbound_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_mongo_inbound_queries_histogram', 'sum by(app_id, le) (rate(container_mongo_inbound_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_mongo_inbound_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_kafka_inbound_requests_count', 'sum by(app_id, status) (rate(container_kafka_inbound_requests_total{app_id!=""}[$RANGE])) or rate(container_kafka_inbound_requests_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_kafka_inbound_requests_histogram', 'sum by(app_id, le) (rate(container_kafka_inbound_requests_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_kafka_inbound_requests_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_cassandra_inbound_queries_count', 'sum by(app_id, status) (rate(container_cassandra_inbound_queries_total{app_id!=""}[$RANGE])) or rate(container_cassandra_inbound_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_cassandra_inbound_queries_histogram', 'sum by(app_id, le) (rate(container_cassandra_inbound_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_cassandra_inbound_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_clickhouse_inbound_queries_count', 'sum by(app_id, status) (rate(container_clickhouse_inbound_queries_total{app_id!=""}[$RANGE])) or rate(container_clickhouse_inbound_queries_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_clickhouse_inbound_queries_histogram', 'sum by(app_id, le) (rate(container_clickhouse_inbound_queries_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_clickhouse_inbound_queries_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_zookeeper_inbound_requests_count', 'sum by(app_id, status) (rate(container_zookeeper_inbound_requests_total{app_id!=""}[$RANGE])) or rate(container_zookeeper_inbound_requests_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_zookeeper_inbound_requests_histogram', 'sum by(app_id, le) (rate(container_zookeeper_inbound_requests_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_zookeeper_inbound_requests_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),
  itoi('container_foundationdb_inbound_requests_count', 'sum by(app_id, status) (rate(container_foundationdb_inbound_requests_total{app_id!=""}[$RANGE])) or rate(container_foundationdb_inbound_requests_total{app_id=""}[$RANGE])', ['status']),
  itoi('container_foundationdb_inbound_requests_histogram', 'sum by(app_id, le) (rate(container_foundationdb_inbound_requests_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_foundationdb_inbound_requests_duration_seconds_total_bucket{app_id=""}[$RANGE])', ['le']),

  q('l7_requests_by_dest', 'sum by(actual_destination, status) (rate(container_mongo_queries_total[$RANGE]) or rate(container_mysql_queries_total[$RANGE]))', ['status']),
  q('l7_total_latency_by_dest', 'sum by(actual_destination) (rate(container_mongo_queries_duration_seconds_total_sum[$RANGE]) or rate(container_mysql_queries_duration_seconds_total_sum[$RANGE]))'),

  itoi('container_dns_requests_total', 'sum by(app_id, request_type, domain, status) (rate(container_dns_requests_total{app_id!=""}[$RANGE])) or rate(container_dns_requests_total{app_id=""}[$RANGE])', ['request_type', 'domain', 'status']),
  itoi('container_dns_requests_latency', 'sum by(app_id, le) (rate(container_dns_requests_duration_seconds_total_bucket{app_id!=""}[$RANGE])) or rate(container_dns_requests_duration_seconds_total_bucket{app_id=""}[$RANGE]) ', ['le']),

  q('aws_discovery_error', 'aws_discovery_error', ['error']),
  rds('aws_rds_info', 'aws_rds_info', ['cluster_id', 'ipv4', 'port', 'engine', 'engine_version', 'instance_type', 'storage_type', 'region', 'availability_zone', 'multi_az']),
  rds('aws_rds_status', 'aws_rds_status', ['status']),
  rds('aws_rds_cpu_cores', 'aws_rds_cpu_cores'),
  rds('aws_rds_cpu_usage_percent', 'aws_rds_cpu_usage_percent', ['mode']),
  rds('aws_rds_memory_total_bytes', 'aws_rds_memory_total_bytes'),
  rds('aws_rds_memory_cached_bytes', 'aws_rds_memory_cached_bytes'),
  rds('aws_rds_memory_free_bytes', 'aws_rds_memory_free_bytes'),
  rds('aws_rds_storage_provisioned_iops', 'aws_rds_storage_provisioned_iops'),
  rds('aws_rds_allocated_storage_gibibytes', 'aws_rds_allocated_storage_gibibytes'),
  rds('aws_rds_fs_total_bytes', 'aws_rds_fs_total_bytes{mount_point="/rdsdbdata"}'),
  rds('aws_rds_fs_used_bytes', 'aws_rds_fs_used_bytes{mount_point="/rdsdbdata"}'),
  rds('aws_rds_io_util_percent', 'aws_rds_io_util_percent', ['device']),
  rds('aws_rds_io_ops_per_second', 'aws_rds_io_ops_per_second', ['device', 'operation']),
  rds('aws_rds_io_await_seconds', 'aws_rds_io_await_seconds', ['device']),
  rds('aws_rds_net_rx_bytes_per_second', 'aws_rds_net_rx_bytes_per_second', ['interface']),
  rds('aws_rds_net_tx_bytes_per_second', 'aws_rds_net_tx_bytes_per_second', ['interface']),
  rds('aws_rds_log_messages_total', 'aws_rds_log_messages_total % 10000000', ['level', 'pattern_hash', 'sample', 'job', 'instance']),
  q('aws_elasticache_info', 'aws_elasticache_info', ['ec_instance_id', 'cluster_id', 'ipv4', 'port', 'engine', 'engine_version', 'instance_type', 'region', 'availability_zone']),
  q('aws_elasticache_status', 'aws_elasticache_status', ['ec_instance_id', 'status']),

  dbExporter('pg_up', 'pg_up'),
  dbExporter('pg_scrape_error', 'pg_scrape_error', ['error', 'warning']),
  dbExporter('pg_info', 'pg_info', ['server_version']),
  dbExporter('pg_setting', 'pg_setting', ['name', 'unit']),
  dbExporter('pg_connections', 'pg_connections{db!="postgres"}', ['db', 'user', 'state', 'query', 'wait_event_type']),
  dbExporter('pg_lock_awaiting_queries', 'pg_lock_awaiting_queries', ['db', 'user', 'blocking_query']),
  dbExporter('pg_latency_seconds', 'pg_latency_seconds', ['summary']),
  dbExporter('pg_top_query_calls_per_second', 'pg_top_query_calls_per_second', ['db', 'user', 'query']),
  dbExporter('pg_top_query_time_per_second', 'pg_top_query_time_per_second', ['db', 'user', 'query']),
  dbExporter('pg_top_query_io_time_per_second', 'pg_top_query_io_time_per_second', ['db', 'user', 'query']),
  dbExporter('pg_db_queries_per_second', 'pg_db_queries_per_second', ['db']),
  dbExporter('pg_wal_current_lsn', 'pg_wal_current_lsn'),
  dbExporter('pg_wal_throughput', 'rate(pg_wal_current_lsn[$RANGE]) or rate(pg_wal_receive_lsn[$RANGE])'),
  dbExporter('pg_wal_receive_lsn', 'pg_wal_receive_lsn'),
  dbExporter('pg_wal_reply_lsn', 'pg_wal_reply_lsn'),
  dbExporter('pg_wal_replay_paused', 'pg_wal_replay_paused'),
  dbExporter('pg_wal_receiver_status', 'pg_wal_receiver_status'),
  dbExporter('pg_wal_size_bytes', 'pg_wal_size_bytes'),
  dbExporter('pg_replication_slot_retained_wal_bytes', 'pg_replication_slot_retained_wal_bytes', ['slot', 'active', 'wal_status']),
  dbExporter('pg_wal_archived_segments_total', 'pg_wal_archived_segments_total', ['job']),
  dbExporter('pg_wal_archive_failures_total', 'pg_wal_archive_failures_total', ['job']),
  dbExporter('pg_wal_archiving_status', 'pg_wal_archiving_status'),
  dbExporter('pg_xid_age', 'pg_xid_age', ['db']),
  dbExporter('pg_multixact_age', 'pg_multixact_age', ['db']),
  dbExporter('pg_oldest_xmin_age', 'pg_oldest_xmin_age', ['holder']),
  dbExporter('pg_database_size_bytes', 'pg_database_size_bytes', ['db']),
  dbExporter('pg_table_size_bytes', 'pg_table_size_bytes', ['db', 'table']),
  dbExporter('pg_db_table_bloat_bytes', 'pg_db_table_bloat_bytes', ['db']),
  dbExporter('pg_db_index_bloat_bytes', 'pg_db_index_bloat_bytes', ['db']),
  dbExporter('pg_table_bloat_bytes', 'pg_table_bloat_bytes', ['db', 'table']),
  dbExporter('pg_index_bloat_bytes', 'pg_index_bloat_bytes', ['db', 'table', 'index']),
  dbExporter('pg_table_dead_tuple_bytes', 'pg_table_dead_tuple_bytes', ['db', 'table']),
  dbExporter('pg_table_dead_tuples', 'pg_table_dead_tuples', ['db', 'table']),
  dbExporter('pg_table_live_tuples', 'pg_table_live_tuples', ['db', 'table']),
  dbExporter('pg_table_seconds_since_last_autovacuum', 'pg_table_seconds_since_last_autovacuum', ['db', 'table']),
  dbExporter('pg_table_setting', 'pg_table_setting', ['db', 'table', 'autovacuum_disabled', 'autovacuum_vacuum_scale_factor', 'autovacuum_vacuum_threshold', 'autovacuum_vacuum_cost_delay', 'autovacuum_vacuum_cost_limit', 'autovacuum_analyze_scale_factor', 'autovacuum_analyze_threshold']),
  dbExporter('pg_autovacuum_workers', 'pg_autovacuum_workers'),
  dbExporter('pg_table_vacuum_in_progress', 'pg_table_vacuum_in_progress', ['db', 'table']),
  dbExporter('pg_table_vacuum_throttled', 'pg_table_vacuum_throttled', ['db', 'table']),
  dbExporter('pg_table_mods_since_analyze', 'pg_table_mods_since_analyze', ['db', 'table']),
  dbExporter('pg_table_reltuples', 'pg_table_reltuples', ['db', 'table']),
  dbExporter('pg_table_seconds_since_last_analyze', 'pg_table_seconds_since_last_analyze', ['db', 'table']),
  dbExporter('pg_checkpoints_scheduled_total', 'pg_checkpoints_scheduled_total', ['type', 'job']),
  dbExporter('pg_checkpoints_total', 'pg_checkpoints_total', ['job']),
  dbExporter('pg_restartpoints_total', 'pg_restartpoints_total', ['job']),
  dbExporter('pg_buffers_written_total', 'rate(pg_buffers_written_total[$RANGE])', ['source']),
  dbExporter('pg_time_since_last_checkpoint_seconds', 'pg_time_since_last_checkpoint_seconds'),
  dbExporter('pg_wal_since_last_checkpoint_bytes', 'pg_wal_since_last_checkpoint_bytes'),

  dbExporter('mysql_up', 'mysql_up'),
  dbExporter('mysql_scrape_error', 'mysql_scrape_error', ['error', 'warning']),
  dbExporter('mysql_info', 'mysql_info', ['server_uuid', 'server_version']),
  dbExporter('mysql_top_query_calls_per_second', 'mysql_top_query_calls_per_second', ['schema', 'query']),
  dbExporter('mysql_top_query_time_per_second', 'mysql_top_query_time_per_second', ['schema', 'query']),
  dbExporter('mysql_top_query_lock_time_per_second', 'mysql_top_query_lock_time_per_second', ['schema', 'query']),
  dbExporter('mysql_locked_queries', 'mysql_locked_queries', ['schema', 'query']),
  dbExporter('mysql_lock_awaiting_queries', 'mysql_lock_awaiting_queries', ['schema', 'blocking_query']),
  dbExporter('mysql_replication_io_status', 'mysql_replication_io_status', ['source_server_uuid', 'last_error', 'state']),
  dbExporter('mysql_replication_sql_status', 'mysql_replication_sql_status', ['source_server_uuid', 'last_error', 'state']),
  dbExporter('mysql_replication_lag_seconds', 'mysql_replication_lag_seconds', ['source_server_uuid']),
  dbExporter('mysql_connections_max', 'mysql_connections_max'),
  dbExporter('mysql_connections_current', 'mysql_connections_current'),
  dbExporter('mysql_connections_total', 'rate(mysql_connections_total[$RANGE])'),
  dbExporter('mysql_connections_aborted_total', 'rate(mysql_connections_aborted_total[$RANGE])'),
  dbExporter('mysql_traffic_received_bytes_total', 'rate(mysql_traffic_received_bytes_total[$RANGE])'),
  dbExporter('mysql_traffic_sent_bytes_total', 'rate(mysql_traffic_sent_bytes_total[$RANGE])'),
  dbExporter('mysql_queries_total', 'rate(mysql_queries_total[$RANGE])'),
  dbExporter('mysql_slow_queries_total', 'rate(mysql_slow_queries_total[$RANGE])'),
  dbExporter('mysql_top_table_io_wait_time_per_second', 'mysql_top_table_io_wait_time_per_second', ['schema', 'table', 'operation']),
  dbExporter('mysql_database_size_bytes', 'mysql_database_size_bytes', ['db']),
  dbExporter('mysql_table_size_bytes', 'mysql_table_size_bytes', ['db', 'table']),

  dbExporter('redis_up', 'redis_up'),
  dbExporter('redis_scrape_error', 'redis_exporter_last_scrape_error', ['err']),
  dbExporter('redis_instance_info', 'redis_instance_info', ['redis_version', 'role']),
  dbExporter('redis_commands_duration_seconds_total', 'rate(redis_commands_duration_seconds_total[$RANGE])', ['cmd']),
  dbExporter('redis_commands_total', 'rate(redis_commands_total[$RANGE])', ['cmd']),
  dbExporter('redis_db_keys', 'redis_db_keys', ['db']),
  dbExporter('redis_db_keys_expiring', 'redis_db_keys_expiring', ['db']),

  dbExporter('mongo_up', 'mongo_up'),
  dbExporter('mongo_scrape_error', 'mongo_scrape_error', ['error', 'warning']),
  dbExporter('mongo_info', 'mongo_info', ['server_version']),
  dbExporter('mongo_rs_status', 'mongo_rs_status', ['rs', 'role']),
  dbExporter('mongo_rs_last_applied_timestamp_ms', 'timestamp(mongo_rs_last_applied_timestamp_ms) - mongo_rs_last_applied_timestamp_ms/1000'),
  dbExporter('mongo_database_size_bytes', 'mongo_database_size_bytes', ['db']),
  dbExporter('mongo_collection_size_bytes', 'mongo_collection_size_bytes', ['db', 'collection']),

  dbExporter('memcached_up', 'memcached_up'),
  dbExporter('memcached_version', 'memcached_version', ['version']),
  dbExporter('memcached_limit_bytes', 'memcached_limit_bytes'),
  dbExporter('memcached_items_evicted_total', 'rate(memcached_items_evicted_total[$RANGE])'),
  dbExporter('memcached_commands_total', 'rate(memcached_commands_total[$RANGE])', ['command', 'status']),

  jvm('container_jvm_info', 'container_jvm_info', ['java_version']),
  jvm('container_jvm_heap_used_bytes', 'container_jvm_heap_used_bytes'),
  jvm('container_jvm_gc_time_seconds', 'rate(container_jvm_gc_time_seconds[$RANGE])', ['gc']),
  jvm('container_jvm_safepoint_time_seconds', 'rate(container_jvm_safepoint_time_seconds[$RANGE])'),
  jvm('container_jvm_safepoint_sync_time_seconds', 'rate(container_jvm_safepoint_sync_time_seconds[$RANGE])'),
  jvm('container_jvm_heap_max_size_bytes', 'container_jvm_heap_max_size_bytes'),
  jvm('container_jvm_alloc_bytes_total', 'rate(container_jvm_alloc_bytes_total[$RANGE])', [], 'avg'),
  jvm('container_jvm_alloc_objects_total', 'rate(container_jvm_alloc_objects_total[$RANGE])', [], 'avg'),
  jvm('container_jvm_lock_contentions_total', 'rate(container_jvm_lock_contentions_total[$RANGE])', [], 'avg'),
  jvm('container_jvm_lock_time_seconds_total', 'rate(container_jvm_lock_time_seconds_total[$RANGE])', [], 'avg'),
  jvm('container_jvm_profiling_status', 'container_jvm_profiling_status'),
  q('container_go_alloc_bytes_total', 'rate(container_go_alloc_bytes_total[$RANGE])', [], 'avg'),
  q('container_go_alloc_objects_total', 'rate(container_go_alloc_objects_total[$RANGE])', [], 'avg'),
  dotnet('container_dotnet_info', 'container_dotnet_info', ['runtime_version']),
  dotnet('container_dotnet_memory_allocated_bytes_total', 'rate(container_dotnet_memory_allocated_bytes_total[$RANGE])'),
  dotnet('container_dotnet_exceptions_total', 'rate(container_dotnet_exceptions_total[$RANGE])'),
  dotnet('container_dotnet_memory_heap_size_bytes', 'container_dotnet_memory_heap_size_bytes', ['generation']),
  dotnet('container_dotnet_gc_count_total', 'rate(container_dotnet_gc_count_total[$RANGE])', ['generation']),
  dotnet('container_dotnet_heap_fragmentation_percent', 'container_dotnet_heap_fragmentation_percent'),
  dotnet('container_dotnet_monitor_lock_contentions_total', 'rate(container_dotnet_monitor_lock_contentions_total[$RANGE])'),
  dotnet('container_dotnet_thread_pool_completed_items_total', 'rate(container_dotnet_thread_pool_completed_items_total[$RANGE])'),
  dotnet('container_dotnet_thread_pool_queue_length', 'container_dotnet_thread_pool_queue_length'),
  dotnet('container_dotnet_thread_pool_size', 'container_dotnet_thread_pool_size'),
  q('container_python_thread_lock_wait_time_seconds', 'rate(container_python_thread_lock_wait_time_seconds[$RANGE])'),
  q('container_nodejs_event_loop_blocked_time_seconds', 'rate(container_nodejs_event_loop_blocked_time_seconds_total[$RANGE])'),

  pod('fluxcd_git_repository_info', 'fluxcd_git_repository_info', ['name', 'namespace', 'suspended', 'url', 'interval']),
  pod('fluxcd_git_repository_status', 'fluxcd_git_repository_status', ['name', 'namespace', 'type', 'reason']),
  pod('fluxcd_oci_repository_info', 'fluxcd_oci_repository_info', ['name', 'namespace', 'suspended', 'url', 'interval']),
  pod('fluxcd_oci_repository_status', 'fluxcd_oci_repository_status', ['name', 'namespace', 'type', 'reason']),
  pod('fluxcd_helm_repository_info', 'fluxcd_helm_repository_info', ['name', 'namespace', 'suspended', 'url', 'interval']),
  pod('fluxcd_helm_repository_status', 'fluxcd_helm_repository_status', ['name', 'namespace', 'type', 'reason']),
  pod('fluxcd_helm_chart_info', 'fluxcd_helm_chart_info', ['name', 'namespace', 'suspended', 'chart', 'interval', 'version', 'source_kind', 'source_name', 'source_namespace']),
  pod('fluxcd_helm_chart_status', 'fluxcd_helm_chart_status', ['name', 'namespace', 'type', 'reason']),
  pod('fluxcd_helm_release_info', 'fluxcd_helm_release_info', ['name', 'namespace', 'suspended', 'chart', 'interval', 'version', 'source_kind', 'source_name', 'source_namespace', 'chart_ref_kind', 'chart_ref_name', 'chart_ref_namespace', 'target_namespace']),
  pod('fluxcd_helm_release_status', 'fluxcd_helm_release_status', ['name', 'namespace', 'type', 'reason']),
  pod('fluxcd_kustomization_info', 'fluxcd_kustomization_info', ['name', 'namespace', 'suspended', 'interval', 'path', 'source_kind', 'source_name', 'source_namespace', 'target_namespace', 'last_applied_revision', 'last_attempted_revision']),
  pod('fluxcd_kustomization_status', 'fluxcd_kustomization_status', ['name', 'namespace', 'type', 'reason']),
  pod('fluxcd_kustomization_dependency_info', 'fluxcd_kustomization_dependency_info', ['name', 'namespace', 'depends_on_name', 'depends_on_namespace']),
  pod('fluxcd_kustomization_inventory_entry_info', 'fluxcd_kustomization_inventory_entry_info', ['name', 'namespace', 'entry_id']),
  pod('fluxcd_resourceset_info', 'fluxcd_resourceset_info', ['name', 'namespace', 'last_applied_revision']),
  pod('fluxcd_resourceset_status', 'fluxcd_resourceset_status', ['name', 'namespace', 'type', 'reason']),
  pod('fluxcd_resourceset_dependency_info', 'fluxcd_resourceset_dependency_info', ['name', 'namespace', 'depends_on_name', 'depends_on_namespace', 'depends_on_kind']),
  pod('fluxcd_resourceset_inventory_entry_info', 'fluxcd_resourceset_inventory_entry_info', ['name', 'namespace', 'entry_id']),

  pod('argocd_application_info', 'argocd_application_info', ['name', 'namespace', 'project', 'source_type', 'repo', 'path', 'chart', 'dest_server', 'dest_name', 'dest_namespace']),
  pod('argocd_application_sync_status', 'argocd_application_sync_status', ['name', 'namespace', 'sync_status']),
  pod('argocd_application_health_status', 'argocd_application_health_status', ['name', 'namespace', 'health_status']),
  pod('argocd_application_operation_status', 'argocd_application_operation_status', ['name', 'namespace', 'operation_phase']),
  pod('argocd_application_operation_finished_timestamp_seconds', 'argocd_application_operation_finished_timestamp_seconds', ['name', 'namespace']),
  pod('argocd_application_resource_info', 'argocd_application_resource_info', ['name', 'namespace', 'resource_group', 'resource_kind', 'resource_namespace', 'resource_name']),
  pod('argocd_application_resource_sync_status', 'argocd_application_resource_sync_status', ['name', 'namespace', 'resource_group', 'resource_kind', 'resource_namespace', 'resource_name', 'sync_status']),
  pod('argocd_application_resource_status', 'argocd_application_resource_status', ['name', 'namespace', 'resource_group', 'resource_kind', 'resource_namespace', 'resource_name', 'status']),
  pod('argocd_application_resource_health_status', 'argocd_application_resource_health_status', ['name', 'namespace', 'resource_group', 'resource_kind', 'resource_namespace', 'resource_name', 'health_status']),

  pod('pg_backup_target_info', 'pg_backup_target_info', ['name', 'namespace', 'operator', 'method', 'path', 'endpoint', 's3_bucket', 's3_endpoint', 'gcs_bucket', 'azure_container', 'schedule', 'retention_policy']),
  pod('pg_cluster_status', 'pg_cluster_status', ['name', 'namespace', 'operator', 'type', 'status', 'reason']),
  pod('pg_backup_last_successful_timestamp_seconds', 'pg_backup_last_successful_timestamp_seconds', ['name', 'namespace', 'operator', 'method']),
  pod('pg_backup_first_recoverability_point_timestamp_seconds', 'pg_backup_first_recoverability_point_timestamp_seconds', ['name', 'namespace', 'operator', 'method']),
  pod('pg_backup_last_failed_timestamp_seconds', 'pg_backup_last_failed_timestamp_seconds', ['name', 'namespace', 'operator']),
  pod('pg_backup_schedule_info', 'pg_backup_schedule_info', ['name', 'namespace', 'operator', 'cluster', 'schedule']),
  pod('pg_backup_next_scheduled_timestamp_seconds', 'pg_backup_next_scheduled_timestamp_seconds', ['name', 'namespace', 'operator', 'cluster']),
  pod('pg_backup_info', 'pg_backup_info', ['name', 'namespace', 'operator', 'cluster', 'method', 'kind', 'path']),
  pod('pg_backup_status', 'pg_backup_status', ['name', 'namespace', 'operator', 'status']),
  pod('pg_backup_completed_timestamp_seconds', 'pg_backup_completed_timestamp_seconds', ['name', 'namespace', 'operator', 'cluster']),
];

/** Coroot's recording rules (constructor/queries.go constants); their series exist only in Coroot's cache. */
export const RR = {
  applicationLogMessages: 'rr_application_log_messages',
  tcpSuccessful: 'rr_connection_tcp_successful',
  tcpActive: 'rr_connection_tcp_active',
  tcpFailed: 'rr_connection_tcp_failed',
  tcpConnectionTime: 'rr_connection_tcp_connection_time',
  tcpBytesSent: 'rr_connection_tcp_bytes_sent',
  tcpBytesReceived: 'rr_connection_tcp_bytes_received',
  tcpRetransmissions: 'rr_connection_tcp_retransmissions',
  netLatency: 'rr_connection_net_latency',
  l7Requests: 'rr_connection_l7_requests',
  l7Latency: 'rr_connection_l7_latency',
  applicationTraffic: 'rr_application_traffic',
  l7Histogram: 'rr_application_l7_histogram',
  l7InboundRequests: 'rr_application_l7_inbound_requests',
  l7InboundHistogram: 'rr_application_l7_inbound_histogram',
  externalEndpoints: 'rr_connection_external_endpoints',
  dnsRequests: 'rr_application_dns_requests',
  dnsLatency: 'rr_application_dns_latency',
} as const;

/** qConnectionAggregations: the app-to-app aggregates the stats world reads instead of the per-instance queries. */
export const CONNECTION_AGGREGATIONS: readonly string[] = [
  RR.tcpSuccessful, RR.tcpActive, RR.tcpFailed, RR.tcpConnectionTime, RR.tcpBytesSent, RR.tcpBytesReceived,
  RR.tcpRetransmissions, RR.netLatency, RR.l7Requests, RR.l7Latency, RR.applicationTraffic, RR.externalEndpoints,
  RR.dnsRequests, RR.dnsLatency,
];

/** The SLI recording rules, loaded only as their `_raw` variant over the alerting window. */
export const SLI_RECORDING_RULES: readonly string[] = [RR.l7Requests, RR.l7Histogram, RR.l7InboundRequests, RR.l7InboundHistogram];

export const APPLICATION_CUSTOM_SLI = 'application_custom_sli';

/** model.MaxAlertRuleWindow: the longest LongWindow of the alert rules (model/alert.go). */
export const MAX_ALERT_RULE_WINDOW = 6 * 3600;

/** One query of the constructor's batch: its result-map key, and the key its statistics are summed under. */
export interface ConstructorQuery extends MetricsQuery {
  statsName: string;
}

/** A custom SLI query of one application, from its check configs (built by the caller from the database). */
export interface CustomSliQuery {
  /** model.ApplicationId string */
  applicationId: string;
  kind: 'total_requests' | 'failed_requests' | 'requests_histogram';
  query: string;
}

const NO_LABELS: ReadonlySet<string> = new Set();

/**
 * queryCache's batch for a world without options: every non-instance-to-instance query, the log
 * recording rule in place of container_log_messages, the 14 connection aggregations, the raw SLI rules
 * over max(1 h, 6 h) and the custom SLIs. With rawStep == step (the stats path) this is 280 + custom.
 */
export function constructorQueries(window: Window, rawStep: number, customSlis: readonly CustomSliQuery[] = []): ConstructorQuery[] {
  const from = truncateTime(window.from, window.step);
  const to = truncateTime(window.to, window.step);
  const normal: Window = { from, to, step: window.step };
  const raw: Window = {
    from: truncateTime(Math.min(window.from, window.to - MAX_ALERT_RULE_WINDOW), rawStep),
    to: truncateTime(window.to, rawStep),
    step: rawStep,
  };
  const byName = new Map<string, ConstructorQuery>();
  const add = (name: string, statsName: string, query: string, labels: ReadonlySet<string>, recordingRule: boolean, fill: FillFunc, w: Window) => {
    byName.set(name, { name, statsName, query, labels, recordingRule, fill, window: w });
  };
  for (const d of QUERIES) {
    if (d.instanceToInstance) continue;
    if (d.name === 'container_log_messages') {
      add(RR.applicationLogMessages, RR.applicationLogMessages, RR.applicationLogMessages, NO_LABELS, true, 'sum', normal);
      continue;
    }
    add(d.name, d.name, d.query, d.labels, false, d.fill, normal);
  }
  for (const name of CONNECTION_AGGREGATIONS) add(name, name, name, NO_LABELS, true, 'any', normal);
  for (const name of SLI_RECORDING_RULES) add(`${name}_raw`, `${name}_raw`, name, NO_LABELS, true, 'any', raw);
  for (const sli of customSlis) {
    const labels = sli.kind === 'requests_histogram' ? new Set([...DEFAULT_LABELS, 'le']) : new Set(DEFAULT_LABELS);
    add(`${APPLICATION_CUSTOM_SLI}/${sli.applicationId}/${sli.kind}_raw`, `${APPLICATION_CUSTOM_SLI}_raw`, sli.query, labels, false, 'any', raw);
  }
  return [...byName.values()];
}
