/**
 * Golden payloads of the Prometheus fixtures: `show --format raw --no-profile --prometheus-url` against
 * a real Prometheus per fixture must give the bytes of test/golden/world-<case>.json, runtime values
 * (timings) masked. Every value in a golden is derived by hand from the fixture and Coroot's rules in
 * test/golden/world-<case>.md, beside it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildSqliteDataDir, categorySettingsValue, projectSettingsJson, prometheusJson, rolesJson, type ProjectRow } from '../fixtures/datadir.js';
import { END } from '../fixtures/metrics/openmetrics.js';
import { maskVolatile } from '../src/diff/volatile.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js';

// Coroot's cache ends about four steps before now: this puts every world's hour at [END - 1 h, END]
const AT = String(END + 4 * 30);
const FIXTURES = ['k8s', 'docker-host', 'k8s-no-ksm', 'cluster', 'apps'] as const;
type Fixture = (typeof FIXTURES)[number];
const work = mkdtempSync(join(tmpdir(), 'coroot-usage-golden-'));

/** A project reading `fixture`; the URL stored in Coroot's DB is a placeholder, --prometheus-url gives the real one. */
const project = (id: string, name: string, fixture: Fixture, { refreshMs = 30000, settings }: { refreshMs?: number; settings?: string } = {}): ProjectRow & { fixture: Fixture } => ({
  id, name, fixture, prometheus: prometheusJson({ url: `http://prometheus-${fixture}.example:9090`, refreshMs }), settings,
});
/**
 * The edge project's settings as a running Coroot leaves them: a category of its own for the k3s units, and
 * the categories the rr_application_categories rule saved (null settings)
 */
const EDGE_SETTINGS = projectSettingsJson({
  applicationCategorySettings: { 'edge-infra': categorySettingsValue({ customPatterns: ['_/k3s*'] }), application: null, 'control-plane': null, monitoring: null },
});

const CASES: Record<string, Array<ReturnType<typeof project>>> = {
  'world-k8s': [project('k8s', 'production', 'k8s')],
  'world-docker-host': [project('dh', 'docker', 'docker-host')],
  'world-k8s-no-ksm': [project('nk', 'edge', 'k8s-no-ksm', { settings: EDGE_SETTINGS })],
  // the project ids of test/world-nodes.test.ts and test/world-apps.test.ts
  'world-cluster': [project('proj1', 'production', 'cluster')],
  'world-apps': [project('p1', 'production', 'apps')],
  // Coroot visits projects in Go map order; the rebuild, and so this golden, in row (insertion) order
  'world-multi-project': [
    project('k8s', 'production', 'k8s'),
    project('dh', 'docker', 'docker-host', { refreshMs: 15000 }),
    project('nk', 'edge', 'k8s-no-ksm', { refreshMs: 60000, settings: EDGE_SETTINGS }),
  ],
};

/**
 * Compact JSON without any other formatting: for two such texts, equal masked serialisations (which keep
 * key order) mean equal bytes apart from the runtime values.
 */
function assertCompactJson(text: string): void {
  assert.equal(text, `${JSON.stringify(JSON.parse(text))}\n`, 'compact JSON with one trailing newline');
}
const masked = (text: string) => JSON.stringify(maskVolatile(JSON.parse(text)));

describe('golden payloads of the Prometheus fixtures', () => {
  const servers = new Map<Fixture, PrometheusServer>();
  before(async () => {
    const started = await Promise.all(FIXTURES.map((f) => startPrometheus([join(REPO_ROOT, 'fixtures', 'metrics', `${f}.om`)])));
    FIXTURES.forEach((f, i) => servers.set(f, started[i]!));
  });
  after(async () => {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    rmSync(work, { recursive: true, force: true });
  });

  for (const [name, projects] of Object.entries(CASES)) {
    test(name, async () => {
      const dataDir = join(work, name);
      buildSqliteDataDir(dataDir, {
        instanceUuid: '0f6c1d2e-3b4a-4c5d-8e9f-a0b1c2d3e4f5',
        users: [{ email: 'admin@example.com', name: 'Admin', password: 'x', roles: rolesJson(['Admin']) }],
        projects: projects.map(({ fixture: _, ...row }) => row),
      });
      const urls = projects.flatMap((p) => ['--prometheus-url', `${p.id}=${servers.get(p.fixture)!.url}`]);
      const result = await runCli(['show', '--format', 'raw', '--no-profile', '--data-dir', dataDir, '--at', AT, ...urls]);
      assert.equal(result.code, 0, result.stderr);
      // every project's world loaded: no stale, skipped or failed project to warn about
      assert.equal(result.stderr, '');
      const golden = readFileSync(join(REPO_ROOT, 'test', 'golden', `${name}.json`), 'utf8');
      const stdout = result.stdout.toString();
      assertCompactJson(stdout);
      assertCompactJson(golden);
      assert.equal(masked(stdout), masked(golden));
    });
  }
});
