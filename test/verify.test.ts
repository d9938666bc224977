import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  buildSqliteDataDir, clickhouseValue, prometheusJson, projectSettingsJson, rolesJson, slackValue, webhookValue,
} from '../fixtures/datadir.js';
import { AhoCorasick } from '../src/verify/aho-corasick.js';
import { findPatterns, PATTERN_RULES, textFeatures } from '../src/verify/patterns.js';
import { AnonymityScanner } from '../src/verify/scan.js';
import { runCli } from './helpers/cli-run.js';
import { Pb } from './helpers/pprof-go.js';

type Json = Record<string, any>; // any: tests poke into payload trees freely

const AT = 1763640000;
const SECRETS = ['acme-prod-eu', 'k3x9pq2m', 'Pr0m-S3cret-xyz', 'promreader', 'prom.acme-corp.example', 'acme-oncall', 'xoxb-1234-5678-abcdefghijkl',
  'Ch-Secret-998877', 'ch01.acme-corp.example', 'AbCdEf0123456789GhIjKl', 'hooks.acme-corp.example', 'ops@acme-corp.example', '10.20.30.40'];

let tmp: string;
let dataDir: string;
let builtPath: string;
let built: Json;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'coroot-usage-verify-'));
  dataDir = join(tmp, 'data');
  const app = 'k3x9pq2m:default:Deployment:api';
  buildSqliteDataDir(dataDir, {
    instanceUuid: '3f1c2a44-7d1e-4b8a-9c2f-5e6d7a8b9c0d',
    projects: [{
      id: 'k3x9pq2m',
      name: 'acme-prod-eu',
      prometheus: prometheusJson({ url: 'https://prom.acme-corp.example:9090', basicAuth: { user: 'promreader', password: 'Pr0m-S3cret-xyz' } }),
      settings: projectSettingsJson({
        integrations: {
          clickhouse: clickhouseValue({ addr: 'ch01.acme-corp.example:9000', password: 'Ch-Secret-998877' }),
          slack: slackValue({ token: 'xoxb-1234-5678-abcdefghijkl', defaultChannel: 'acme-oncall' }),
          webhook: webhookValue({ url: 'https://hooks.acme-corp.example/coroot' }),
        },
        apiKeys: [{ key: 'AbCdEf0123456789GhIjKl', description: 'ci' }],
      }),
    }],
    users: [{ email: 'jroe@acme-corp.example', name: 'Jane Q Roe', password: 'x', roles: rolesJson(['Admin']) }],
    incidents: [{ project_id: 'k3x9pq2m', application_id: app, key: 'inc1', opened_at: AT - 600, severity: 4 }],
    incidentNotifications: [{ project_id: 'k3x9pq2m', application_id: app, incident_key: 'inc1', status: 4, destination: 'slack:acme-oncall', timestamp: AT - 300, sent_at: AT - 290 }],
  });
  builtPath = join(tmp, 'built.json');
  const shown = await runCli(['show', '--data-dir', dataDir, '--at', String(AT), '--format', 'raw', '--out', builtPath]);
  assert.equal(shown.code, 0, shown.stderr);
  built = JSON.parse(readFileSync(builtPath, 'utf8')) as Json;
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function payloadFile(name: string, edit: (p: Json) => void): string {
  const copy = structuredClone(built);
  edit(copy);
  const path = join(tmp, name);
  writeFileSync(path, `${JSON.stringify(copy)}\n`);
  return path;
}

interface Report {
  ok: boolean;
  findings: Array<{ kind: string; rule: string; severity: string; path: string; excerpt?: string; note?: string; accepted?: string }>;
  notes: string[];
}

async function verify(args: string[]): Promise<{ code: number; report: Report; raw: string }> {
  const run = await runCli(['verify', '--json', ...args]);
  const raw = run.stdout.toString();
  assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
  return { code: run.code, report: JSON.parse(raw) as Report, raw };
}

function assertNoSecrets(text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `output repeats ${s}`);
}

describe('verify: anonymity', () => {
  it('finds the Slack channel Coroot puts into sent_notifications, masked, noted as known behaviour', async () => {
    assert.deepEqual(built.ux.sent_notifications, { 'slack:acme-oncall': 1 });
    const { code, report, raw } = await verify(['--data-dir', dataDir, '--at', String(AT)]);
    assert.equal(code, 1);
    const f = report.findings.find((x) => x.path.startsWith('ux.sent_notifications'));
    assert.ok(f, raw);
    assert.equal(f.rule, 'source:slack-default-channel');
    assert.equal(f.path, 'ux.sent_notifications["slack:«source:slack-default-channel»"]');
    assert.match(f.note ?? '', /known Coroot v1\.24\.5 behaviour/);
    assertNoSecrets(raw);
  });

  it('--allow accepts reviewed findings with their reason; entries need a reason', async () => {
    const allow = join(tmp, 'allow.yaml');
    writeFileSync(allow, "- path: 'ux.sent_notifications[*]'\n  rule: 'source:*channel*'\n  reason: Coroot sends Slack channel names; accepted by the security team\n- path: 'nothing.here'\n  reason: stale\n");
    const run = await runCli(['verify', '--data-dir', dataDir, '--at', String(AT), '--allow', allow]);
    assert.equal(run.code, 0, run.stdout.toString());
    const out = run.stdout.toString();
    assert.match(out, /accepted: Coroot sends Slack channel names/);
    assert.match(out, /--allow entry nothing\.here matched nothing/);
    assert.match(out, /clean, 1 accepted/);
    const bad = join(tmp, 'bad-allow.yaml');
    writeFileSync(bad, "- path: 'ux.*'\n");
    assert.equal((await runCli(['verify', '--data-dir', dataDir, '--allow', bad])).code, 3);
  });

  it('finds identifying values and patterns in values and keys of a payload file', async () => {
    const file = payloadFile('leaky.json', (p) => {
      p.ux.users = ['ops@acme-corp.example', '10.20.30.40', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl', 'x Pr0m-S3cret-xyz y', 'fe80::1ff:fe23:4567:890a'];
      p.ux.page_views = { '/p/acme-prod-eu/overview': 2, '/p/:projectId/overview': 1, '/p/:projectId/by/Jane Q Roe': 1 };
      p.integration.node_agent_versions = ['1.20.3', 'https://prom.acme-corp.example:9090/api', 'db01.corp.internal'];
      p.ux.api_calls = { '/api/x?token=AbCdEf0123456789GhIjKl': 1, '/api/project/{project}/overview': 5 };
      p.infra.kernel_versions = ['4.18.0-477.el8.x86_64', '6.8.0-1024-aws', 'qZ8x1Lr4Tm9Vb2Nc7Kd5Wf3Hj6'];
    });
    const { code, report, raw } = await verify(['--payload', file, '--data-dir', dataDir, '--at', String(AT)]);
    assert.equal(code, 1);
    const rules = (prefix: string) => report.findings.filter((f) => f.path.startsWith(prefix)).map((f) => f.rule).sort();
    assert.deepEqual(rules('ux.users'), ['pattern:email', 'pattern:ipv4', 'pattern:ipv6', 'pattern:jwt', 'source:prometheus-password']);
    // a user's name from the database (read once, by the payload build, and reused for the check)
    assert.deepEqual(rules('ux.page_views'), ['source:project-name', 'source:user-name']);
    assert.deepEqual(rules('integration.node_agent_versions'), ['pattern:hostname', 'source:prometheus-url']);
    assert.deepEqual(rules('ux.api_calls'), ['source:api-key']);
    assert.deepEqual(rules('infra.kernel_versions'), ['pattern:token'], 'kernel versions are not host names');
    const pageView = report.findings.find((f) => f.path.startsWith('ux.page_views'))!;
    assert.equal(pageView.path, 'ux.page_views["/p/«source:project-name»/overview"]');
    assert.equal(report.findings.find((f) => f.rule === 'pattern:email')!.severity, 'error');
    assert.equal(report.findings.find((f) => f.rule === 'pattern:hostname')!.severity, 'warning');
    assertNoSecrets(raw);
    for (const format of ['text', 'junit', 'github']) {
      const run = await runCli(['verify', '--payload', file, '--data-dir', dataDir, '--format', format]);
      assert.equal(run.code, 1);
      assertNoSecrets(run.stdout.toString() + run.stderr);
    }
  });

  it('without sources it still checks patterns, and says so', async () => {
    const file = payloadFile('patterns-only.json', (p) => {
      p.ux.users = ['ops@acme-corp.example'];
    });
    const { code, report } = await verify(['--payload', file]);
    assert.equal(code, 1);
    assert.deepEqual(report.findings.map((f) => f.rule), ['pattern:email']);
    assert.match(report.notes.join('\n'), /no sources given/);
  });

  it('checks the strings inside the decoded profiles', async () => {
    const strings = ['', 'samples', 'count', 'main.handle', 'main.b', '/home/ops@acme-corp.example/src/a.go'];
    const p = new Pb();
    p.bytes(1, new Pb().int(1, 1).int(2, 2));
    p.bytes(2, new Pb().int(1, 1).int(2, 5));
    p.bytes(4, new Pb().int(1, 1).bytes(4, new Pb().int(1, 1).int(2, 10)));
    p.bytes(5, new Pb().int(1, 1).int(2, 3).int(3, 3).int(4, 5));
    for (const s of strings) p.bytes(6, s);
    const file = payloadFile('profiled.json', (payload) => {
      payload.profile = { from: AT, to: AT + 2, cpu: gzipSync(p.done()).toString('base64'), memory: 'not base64!' };
    });
    const { report, raw } = await verify(['--payload', file]);
    const cpu = report.findings.filter((f) => f.path.startsWith('profile.cpu'));
    assert.deepEqual(cpu.map((f) => `${f.kind} ${f.rule} ${f.path}`), ['profile pattern:email profile.cpu["file names"]']);
    assert.ok(report.findings.some((f) => f.rule === 'profile:undecodable' && f.path === 'profile.memory'));
    assertNoSecrets(raw);
    const skipped = await verify(['--payload', file, '--no-profiles']);
    assert.equal(skipped.report.findings.filter((f) => f.path.startsWith('profile')).length, 0);
  });
});

describe('verify: schema and baseline', () => {
  it('lists every schema problem with its path', async () => {
    const file = join(tmp, 'broken.json');
    writeFileSync(file, JSON.stringify({ instance: { uuid: 5, version: null }, integration: {}, extra: 1 }));
    const { code, report } = await verify(['--payload', file]);
    assert.equal(code, 1);
    const schema = report.findings.filter((f) => f.kind === 'schema');
    assert.ok(schema.length > 5, `${schema.length} problems`);
    assert.ok(schema.some((f) => f.path === 'instance.uuid'));
    assert.ok(schema.every((f) => f.path && f.rule === 'schema'));
    assert.equal((await runCli(['verify', '--payload', join(tmp, 'nope.json')])).code, 3);
  });

  it('a baseline catches new fields, new map keys and type changes, but not value changes', async () => {
    const baseline = join(tmp, 'baseline.json');
    const clean = payloadFile('clean.json', (p) => {
      p.ux.sent_notifications = {};
    });
    const written = await verify(['--payload', clean, '--write-baseline', baseline]);
    assert.equal(written.code, 0, written.raw);
    const again = payloadFile('values.json', (p) => {
      p.ux.sent_notifications = {};
      p.instance.version = '1.24.6';
      p.ux.world_load_time_avg = 1.5;
      p.profile.from = 99;
    });
    assert.equal((await verify(['--payload', again, '--baseline', baseline])).code, 0);
    const changed = payloadFile('changed.json', (p) => {
      p.ux.sent_notifications = {};
      p.ux.api_calls = { ...p.ux.api_calls, '/api/new/route': 1 };
      p.infra.nodes = 'three';
      p.instance.region = 'eu';
    });
    const { code, report } = await verify(['--payload', changed, '--baseline', baseline, '--no-profiles']);
    assert.equal(code, 1);
    const base = report.findings.filter((f) => f.kind === 'baseline').map((f) => `${f.rule} ${f.path}`).sort();
    assert.deepEqual(base, [
      'baseline:new-field instance.region',
      'baseline:new-key ux.api_calls["/api/new/route"]',
      'baseline:type-change infra.nodes',
    ]);
  });

  it('renders junit and github formats', async () => {
    const file = payloadFile('fmt.json', (p) => {
      p.ux.users = ['ops@acme-corp.example'];
    });
    const junit = (await runCli(['verify', '--payload', file, '--format', 'junit'])).stdout.toString();
    assert.match(junit, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="coroot-usage verify" failures="1">/);
    assert.match(junit, /<testcase classname="identifying" name="ux\.users\[0\] pattern:email"><failure type="pattern:email"/);
    assert.match(junit, /<testcase classname="schema" name="schema: no findings"\/>/);
    const gh = (await runCli(['verify', '--payload', file, '--format', 'github'])).stdout.toString();
    assert.match(gh, /^::error title=coroot-usage verify pattern%3Aemail::ux\.users\[0\]: a value contains what looks like a e-mail address/m);
  });
});

/** textFeatures as first written, one comparison after another: the table-driven one must agree. */
function referenceFeatures(text: string): number {
  const isDigit = (c: number) => c >= 48 && c <= 57;
  const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
  const isTokenChar = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 43 || c === 61 || c === 45;
  let f = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    run = isTokenChar(c) ? run + 1 : 0;
    if (run >= 24) f |= 128;
    if (c === 64) f |= 1;
    else if (c === 36) f |= 2;
    else if (c === 46) {
      f |= 4;
      if (isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) f |= 8;
    } else if (c === 58) {
      if (text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47) f |= 16;
      const prev = text.charCodeAt(i - 1);
      const next = text.charCodeAt(i + 1);
      if ((isHex(prev) || prev === 58) && (isHex(next) || next === 58)) f |= 64;
    } else if (c === 101 && text.charCodeAt(i + 1) === 121 && text.charCodeAt(i + 2) === 74) f |= 32;
  }
  return f;
}

describe('verify: matcher', () => {
  it('Aho-Corasick finds what indexOf finds', () => {
    const needles = ['he', 'she', 'his', 'hers', 'acme', 'ACME-prod'];
    const ac = new AhoCorasick(needles);
    const text = 'ushers at Acme-Prod and acme';
    const got = ac.findAll(text).map((h) => `${h.start}:${needles[h.needle]}`).sort();
    const want: string[] = [];
    needles.forEach((n) => {
      for (let i = text.toLowerCase().indexOf(n.toLowerCase()); i >= 0; i = text.toLowerCase().indexOf(n.toLowerCase(), i + 1)) want.push(`${i}:${n}`);
    });
    assert.deepEqual(got, want.sort());
  });

  it('reports every hit in text order, longest first, in needle order for equal needles', () => {
    let seed = 99;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const word = (max: number) => Array.from({ length: 1 + random(max) }, () => 'abAB-é'[random(6)]).join('');
    for (let round = 0; round < 50; round++) {
      const needles = Array.from({ length: 1 + random(30) }, () => word(4));
      const text = word(60);
      const want: string[] = [];
      for (let end = 1; end <= text.length; end++) {
        needles
          .map((n, id) => ({ n, id }))
          .filter(({ n }) => end - n.length >= 0 && text.slice(end - n.length, end).toLowerCase() === n.toLowerCase())
          .sort((x, y) => y.n.length - x.n.length || x.id - y.id)
          .forEach(({ n, id }) => want.push(`${end - n.length}-${end}:${id}`));
      }
      assert.deepEqual(new AhoCorasick(needles).findAll(text).map((h) => `${h.start}-${h.end}:${h.needle}`), want, `${JSON.stringify(needles)} in ${text}`);
    }
  });

  it('is fast with 100,000 identifying values', () => {
    const needles = Array.from({ length: 100_000 }, (_, i) => ({ value: `needle-${i.toString(36)}-value`, label: 'x', what: 'x' }));
    const started = Date.now();
    const scanner = new AnonymityScanner(needles);
    const payload = { ux: { api_calls: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`/api/route/${i}/needle-nope-value`, i])) } };
    payload.ux.api_calls['/api/x/needle-zz-value'] = 1;
    scanner.scanPayloadText(JSON.stringify(payload));
    const ms = Date.now() - started;
    assert.ok(ms < 10_000, `${ms} ms`);
    assert.equal(scanner.findings.length, 1);
  });

  it('text features: the same on a range of a text as on that part alone', () => {
    let seed = 5;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const alphabet = ['a', 'F', '0', '9', '_', '-', '@', '$', '.', ':', '/', 'e', 'y', 'J', ' ', '"', 'é', '\u4e2d', 'g'];
    const seen = new Set<number>();
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: random(40) }, () => alphabet[random(alphabet.length)]).join('');
      const start = random(text.length + 1);
      const end = start + random(text.length - start + 1);
      const features = textFeatures(text.slice(start, end));
      assert.equal(features, referenceFeatures(text.slice(start, end)), text.slice(start, end));
      assert.equal(textFeatures(text, start, end), features, JSON.stringify([text, start, end]));
      seen.add(features);
    }
    for (const [text, features] of [['eyJ', 32], ['1.2', 12], ['a:b', 64], ['x://', 16], ['@$', 3], ['a'.repeat(23), 0], ['a'.repeat(24), 128]] as const) {
      assert.equal(textFeatures(text), features, text);
    }
    assert.ok(seen.size > 8, `${seen.size} feature sets`);
  });

  it('mayFlag is true exactly when a needle occurs or some pattern may match', () => {
    let seed = 17;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const values = ['acme', 'ACME-prod', 'prod', 'x.y', 'ab'];
    const scanner = new AnonymityScanner(values.map((value) => ({ value, label: 'x', what: 'x' })));
    const matcher = new AhoCorasick(values);
    const alphabet = ['a', 'c', 'm', 'e', 'A', 'C', 'M', 'E', '-', 'p', 'r', 'o', 'd', '.', 'x', 'y', '1', '@', ':', '/', ' ', 'b'];
    const counts = [0, 0];
    for (let n = 0; n < 3000; n++) {
      const text = `"${Array.from({ length: random(30) }, () => alphabet[random(alphabet.length)]).join('')}"`;
      const inner = text.slice(1, -1);
      const want = matcher.findAll(inner).length > 0 || PATTERN_RULES.some((rule) => rule.mayMatch(textFeatures(inner)));
      assert.equal(scanner.mayFlag(text, 1, text.length - 1), want, text);
      counts[want ? 1 : 0]!++;
    }
    assert.ok(counts[0]! > 100 && counts[1]! > 100, String(counts));
  });

  it('patterns skip versions, route templates and code domains', () => {
    for (const clean of ['1.24.5', '/api/project/{project}/app/{app}', 'github.com/coroot/coroot/stats.(*Collector).send', 'container_memory_rss', '4.18.0-477.el8.x86_64', ':default:Deployment:api']) {
      assert.deepEqual(findPatterns(clean), [], clean);
    }
    assert.deepEqual(findPatterns('see db01.corp.internal now').map((h) => h.rule), ['pattern:hostname']);
  });
});
