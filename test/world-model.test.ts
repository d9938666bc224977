/**
 * Application rules of the world on hand-made series (a fake metrics source answering by query name), one
 * Coroot rule per case: owners and kinds, instance identity, container ids of other runtimes, custom
 * applications, and how unknown connection destinations become ExternalService applications.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitLabels, type MetricValues, type MetricsQuery, type MetricsSource, type QueryOutcome } from '../src/sources/metrics.js';
import { applicationIdString, getOrCreateContainer, isStandalone, newInstance, own, type Application } from '../src/world/applications.js';
import { loadProjectWorld, type LoadedWorld } from '../src/world/load.js';
import { splitHostPort } from '../src/world/netaddr.js';

const WINDOW = { from: 1000, to: 1120, step: 30 };
const ONES = () => new Float32Array(5).fill(1);
const RATE = (v: number) => () => new Float32Array(5).fill(v);

type Fixture = Record<string, Array<[Record<string, string>, (() => Float32Array)?]>>;

class FakeSource implements MetricsSource {
  readonly description = 'fake';
  constructor(private readonly fixture: Fixture, readonly recordingRules: 'stored' | 'absent' = 'absent') {}
  async queryRange(q: MetricsQuery): Promise<QueryOutcome> {
    const metrics: MetricValues[] = (this.fixture[q.name] ?? []).map(([labels, values]) => ({ ...splitLabels(labels), values: (values ?? ONES)() }));
    return { metrics, warnings: [] };
  }
  async close(): Promise<void> {}
}

const node = { machine_id: 'm1', system_uuid: 'u1' };
const nodeInfo: Fixture = {
  node_info: [[{ ...node, hostname: 'n1' }]],
  kube_node_info: [[{ system_uuid: 'u1', node: 'n1' }]],
};

async function load(fixture: Fixture, settings?: Parameters<typeof loadProjectWorld>[0]['settings']): Promise<LoadedWorld> {
  const world = await loadProjectWorld({ id: 'p', settings }, new FakeSource({ ...nodeInfo, ...fixture }), WINDOW, { stages: {}, queries: {} });
  assert.equal(world.error, null);
  return world;
}

const apps = (w: LoadedWorld) => w.applications.values().map((a) => `${applicationIdString(a.id)}=${a.instances.map((i) => i.name).join(',')}`).sort();

const podInfo = (ns: string, pod: string, kind: string, owner: string, extra: Record<string, string> = {}): [Record<string, string>] =>
  [{ namespace: ns, pod, uid: `uid-${ns}-${pod}-${extra.node ?? 'n1'}`, created_by_kind: kind, created_by_name: owner, node: 'n1', pod_ip: '', host_ip: '', ...extra }];

describe('world model rules', () => {
  it('splits host and port exactly like net.SplitHostPort', () => {
    assert.deepEqual(['::1', ':80', '[::1]:80', 'a:b:c', 'host:', '[x]y:1', 'h'].map(splitHostPort), [
      null, ['', '80'], ['::1', '80'], null, ['host', ''], null, null,
    ]);
  });

  it('names applications after their Kubernetes owners', async () => {
    const w = await load({
      kube_job_owner: [[{ namespace: 'ns', job_name: 'nightly-28437120', owner_kind: 'CronJob', owner_name: 'nightly', owner_is_controller: 'true' }]],
      kube_pod_info: [
        podInfo('ns', 'web-5d4c3b2a1-x1y2z', 'ReplicaSet', 'web-5d4c3b2a1'),
        // a Job owned by a CronJob: the CronJob app exists but gets no instance from kube_pod_info
        podInfo('ns', 'nightly-28437120-abcde', 'Job', 'nightly-28437120'),
        // a Job without kube_job_owner: its numeric suffix still makes it a CronJob
        podInfo('ns', 'report-28437121-fghij', 'Job', 'report-28437121'),
        // static pods lose their node suffix
        podInfo('kube-system', 'kube-apiserver-n1', 'Node', 'n1'),
        // Spark and Argo Workflows lose their generated suffix
        podInfo('ns', 'etl-driver', 'SparkApplication', 'etl-1700000000'),
        // a pod created by a bare pod joins that pod's owner
        podInfo('ns', 'web-helper', 'Pod', 'web-5d4c3b2a1-x1y2z'),
        // an owner kind without a name: skipped
        podInfo('ns', 'orphan', 'ReplicaSet', ''),
      ],
    });
    assert.deepEqual(apps(w), [
      'p:kube-system:StaticPods:kube-apiserver=kube-apiserver-n1',
      'p:ns:CronJob:nightly=',
      'p:ns:CronJob:report=',
      'p:ns:Deployment:web=web-5d4c3b2a1-x1y2z,web-helper',
      'p:ns:SparkApplication:etl=etl-driver',
    ]);
  });

  it('keeps StatefulSet pods of one name on different nodes apart, unlike other kinds', async () => {
    const w = await load({
      node_info: [[{ ...node, hostname: 'n1' }], [{ machine_id: 'm2', system_uuid: 'u2', hostname: 'n2' }]],
      kube_node_info: [[{ system_uuid: 'u1', node: 'n1' }], [{ system_uuid: 'u2', node: 'n2' }]],
      kube_pod_info: [
        podInfo('ns', 'db-0', 'StatefulSet', 'db', { node: 'n1' }),
        podInfo('ns', 'db-0', 'StatefulSet', 'db', { node: 'n2' }),
        podInfo('ns', 'api-1', 'DaemonSet', 'api', { node: 'n1' }),
        podInfo('ns', 'api-1', 'DaemonSet', 'api', { node: 'n2' }),
      ],
    });
    const byName = new Map(w.applications.values().map((a) => [a.id.name, a.instances.length]));
    assert.equal(byName.get('db'), 2);
    assert.equal(byName.get('api'), 1);
  });

  it('derives applications from the container ids of other runtimes', async () => {
    const c = (id: string): [Record<string, string>] => [{ ...node, container_id: id, application_type: 't' }];
    const w = await load({
      container_application_type: [
        c('/system.slice/nginx.service'), c('/docker/redis'), c('/swarm/prod/api/3'), c('/nomad/ns/shop/web/0f1e2d/server'),
        c('/k8s-cronjob/ns/backup/main'), c('not-a-path'), c('/k8s/ns/unknown-pod/c'), c('/user.slice/session-1.scope'),
      ],
    }, { applicationCategorySettings: null, customApplications: { cache: { instancePatterns: ['redis@*'] } } });
    assert.deepEqual(apps(w), [
      // a project's custom application renames the application, keeping its kind
      'p:_:Unknown:cache=redis@n1',
      'p:_:Unknown:nginx=nginx@n1',
      'p:_:Unknown:session-1.scope=session-1.scope@n1',
      'p:ns:CronJob:backup=backup@n1',
      'p:ns:NomadJobGroup:shop.web=web-0f1e2d',
      'p:prod:DockerSwarmService:api=api.3',
    ]);
    // a /k8s/ container id marks kube-state-metrics as required even when its pod is unknown
    assert.equal(w.integrationStatus.kubeStateMetrics.required, true);
    assert.equal(w.applications.values().find((a) => a.id.name === 'cache')!.custom, true);
  });

  it('reads the rr_connection series of a source that stores them instead of rebuilding them', async () => {
    const stored = new FakeSource({
      ...nodeInfo,
      container_application_type: [[{ ...node, container_id: '/system.slice/app.service', application_type: 'golang' }]],
      container_net_tcp_successful_connects: [[{ ...node, container_id: '/system.slice/app.service', destination: '10.9.9.9:5432', actual_destination: '10.9.9.9:5432' }, RATE(1)]],
      rr_connection_tcp_active: [[{ app: 'p:_:Unknown:app', dest: 'p:db:StatefulSet:pg' }]],
    }, 'stored');
    const profile = { stages: {}, queries: {} };
    const w = await loadProjectWorld({ id: 'p' }, stored, WINDOW, profile);
    // the stored pair links app to a StatefulSet the world did not have; nothing was rebuilt
    assert.deepEqual(apps(w), ['p:_:Unknown:app=app@n1', 'p:db:StatefulSet:pg=']);
    assert.equal((profile.queries as Record<string, { metrics_count: number }>).rr_connection_tcp_active!.metrics_count, 1);
    assert.equal((profile.queries as Record<string, { metrics_count: number }>).rr_connection_tcp_successful!.metrics_count, 0);
  });

  it('turns unknown destinations into ExternalService applications, or not', async () => {
    const src = (dest: string, actual: string) => ({ ...node, container_id: '/system.slice/app.service', destination: dest, actual_destination: actual });
    const w = await load({
      container_application_type: [[{ ...node, container_id: '/system.slice/app.service', application_type: 'golang' }],
        [{ ...node, container_id: '/docker/docker', application_type: 'docker' }]],
      container_net_tcp_successful_connects: [
        [src('10.9.9.9:5432', '10.9.9.9:5432'), RATE(1)],
        // a name without an address: the name is the service
        [src('db.example.com:3306', ''), RATE(1)],
        // known by ip_to_fqdn
        [src('34.1.2.3:443', '34.1.2.3:443'), RATE(1)],
        // no traffic at all: nothing
        [src('10.8.8.8:6379', '10.8.8.8:6379'), RATE(0)],
        // a Service IP with no known destination: named after the Service
        [src('10.96.0.9:80', '10.1.1.1:8080'), RATE(1)],
        // docker-proxy's connections are ignored
        [{ ...node, container_id: '/docker/docker', destination: '1.1.1.1:53', actual_destination: '1.1.1.1:53' }, RATE(1)],
      ],
      // only failed connections still count as traffic
      container_net_tcp_failed_connects: [[src('10.7.7.7:9092', ''), RATE(1)]],
      ip_to_fqdn: [[{ ip: '34.1.2.3', fqdn: 'api.example.com' }], [{ ip: '34.1.2.3', fqdn: 'a-first.example.com' }]],
      kube_service_info: [[{ namespace: 'shop', service: 'cart', cluster_ip: '10.96.0.9' }]],
    });
    const external = w.applications.values().filter((a) => a.id.kind === 'ExternalService').map((a) => a.id.name).sort();
    assert.deepEqual(external, ['a-first.example.com:443', 'cart', 'db.example.com', 'external-kafka', 'external-postgres']);
    const app = w.applications.values().find((a) => a.id.name === 'app')!;
    assert.equal(isStandalone(app), false);
    assert.equal(isStandalone(w.applications.values().find((a) => a.id.name === 'docker')!), true);
  });
});

describe('collections an instance or container leaves empty', () => {
  it('start shared and empty, refuse writes, and become the owner\'s own on the first write through own()', () => {
    const app = { id: { clusterId: 'c', namespace: 'ns', kind: 'Deployment', name: 'a' } } as unknown as Application;
    const a = newInstance('a', app);
    const b = newInstance('b', app);
    assert.equal(a.upstreams, b.upstreams);
    assert.equal(a.upstreams.size, 0);
    assert.throws(() => (a.upstreams as Map<string, never>).set('x', undefined as never), /shared empty collection/);
    assert.throws(() => (a.instrumented as Set<string>).add('x'), /shared empty collection/);
    own(a, 'instrumented').add('postgres');
    own(a, 'jvmProfiling').set('jvm', true);
    assert.deepEqual([...a.instrumented], ['postgres']);
    assert.equal(a.jvmProfiling.get('jvm'), true);
    assert.equal(b.instrumented.size, 0);
    assert.equal(b.jvmProfiling.size, 0);
    assert.equal(own(a, 'instrumented'), a.instrumented);
    const container = getOrCreateContainer(a, '/k8s/ns/a/c', 'c');
    own(container, 'applicationTypes').add('java');
    assert.deepEqual([...container.applicationTypes], ['java']);
    assert.equal(getOrCreateContainer(b, '/k8s/ns/b/c', 'c').applicationTypes.size, 0);
  });
});
