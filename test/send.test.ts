import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildSqliteDataDir } from '../fixtures/datadir.js';
import { runCli } from './helpers/cli-run.js';
import { startCollector, type Collector } from './helpers/collector.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', '..', 'bin', 'coroot-usage');
const noNetwork = join(here, 'helpers', 'no-network.js');
const AT = '1763640000';

let tmp: string;
let dataDir: string;
let collector: Collector;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'coroot-usage-send-'));
  dataDir = join(tmp, 'data');
  buildSqliteDataDir(dataDir, { instanceUuid: '3f1c2a44-7d1e-4b8a-9c2f-5e6d7a8b9c0d', projects: [{ id: 'p1', name: 'prod-eu' }] });
  collector = await startCollector();
});

after(async () => {
  await collector.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('send delivers what Coroot would', () => {
  it('POSTs exactly the bytes of `show --format raw`, with Go\'s method, path and headers', async () => {
    const shown = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--no-profile', '--format', 'raw']);
    assert.equal(shown.code, 0, shown.stderr);
    const before = collector.requests.length;
    const sent = await runCli(['send', '--data-dir', dataDir, '--at', AT, '--no-profile', '--collector-url', collector.url]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(collector.requests.length, before + 1);
    const req = collector.requests.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/ce/usage-statistics');
    assert.ok(req.body.equals(shown.stdout), 'body differs from show --format raw');
    assert.equal(req.body.at(-1), 0x0a, 'the encoder\'s trailing newline is part of the body');
    const names = req.rawHeaders.filter((_, i) => i % 2 === 0);
    assert.deepEqual(names, ['Host', 'User-Agent', 'Content-Length', 'Content-Type', 'Accept-Encoding']);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['content-length'], String(shown.stdout.length));
    assert.equal(req.headers['user-agent'], 'Go-http-client/1.1');
    assert.equal(req.headers['accept-encoding'], 'gzip');
    assert.equal(req.headers.host, new URL(collector.url).host);
    assert.match(sent.stdout.toString(), /^sent \d+ bytes \(sha256 [0-9a-f]{64}\) to http:\/\/127\.0\.0\.1:\d+\/ce\/usage-statistics: HTTP 200 OK/);
  });

  it('sends a reviewed --payload file byte for byte', async () => {
    const file = join(tmp, 'reviewed.json');
    const shown = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--format', 'raw', '--out', file]);
    assert.equal(shown.code, 0, shown.stderr);
    const sent = await runCli(['send', '--payload', file, '--collector-url', collector.url, '--json']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.ok(collector.requests.at(-1)!.body.equals(readFileSync(file)));
    const summary = JSON.parse(sent.stdout.toString()) as { sent: boolean; status: number; bytes: number };
    assert.equal(summary.sent, true);
    assert.equal(summary.status, 200);
  });

  it('sends an indented but valid payload as read, with a warning that it is not Coroot\'s encoding', async () => {
    const file = join(tmp, 'indented.json');
    const shown = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--format', 'json', '--out', file]);
    assert.equal(shown.code, 0, shown.stderr);
    const sent = await runCli(['send', '--payload', file, '--collector-url', collector.url]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stderr, /not byte-identical/);
    assert.ok(collector.requests.at(-1)!.body.equals(readFileSync(file)));
  });

  it('refuses an invalid or non-strict payload before connecting', async () => {
    const invalid = join(tmp, 'invalid.json');
    writeFileSync(invalid, '{"instance":{"uuid":5}}\n');
    const commented = join(tmp, 'commented.json');
    const raw = readFileSync(join(tmp, 'reviewed.json'), 'utf8');
    writeFileSync(commented, `// reviewed by ops\n${raw}`);
    const connections = collector.connections;
    for (const file of [invalid, commented, join(tmp, 'missing.json')]) {
      const sent = await runCli(['send', '--payload', file, '--collector-url', collector.url]);
      assert.equal(sent.code, 3, `${file}: ${sent.stderr}`);
      assert.match(sent.stderr, /^error: /);
      assert.equal(sent.stderr.trim().split('\n').length, 1);
    }
    assert.equal(collector.connections, connections);
  });

  it('--dry-run prints the request head and body and connects to nothing', async () => {
    const connections = collector.connections;
    const shown = await runCli(['show', '--data-dir', dataDir, '--at', AT, '--no-profile', '--format', 'raw']);
    const dry = await runCli(['send', '--data-dir', dataDir, '--at', AT, '--no-profile', '--collector-url', collector.url, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    const text = dry.stdout.toString('latin1');
    const split = dry.stdout.indexOf('\r\n\r\n');
    assert.match(text, /^POST \/ce\/usage-statistics HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\nUser-Agent: Go-http-client\/1\.1\r\nContent-Length: \d+\r\nContent-Type: application\/json\r\nAccept-Encoding: gzip\r\n\r\n/);
    assert.ok(dry.stdout.subarray(split + 4).equals(shown.stdout));
    assert.match(dry.stderr, /dry run: nothing sent/);
    assert.equal(collector.connections, connections);
  });

  it('--log appends one JSON line per attempt with the body digest', async () => {
    const log = join(tmp, 'send.jsonl');
    await runCli(['send', '--data-dir', dataDir, '--at', AT, '--collector-url', collector.url, '--log', log]);
    await runCli(['send', '--data-dir', dataDir, '--at', AT, '--collector-url', collector.url, '--log', log]);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    const body = collector.requests.at(-1)!.body;
    const { createHash } = await import('node:crypto');
    assert.equal(lines[1]!.sha256, createHash('sha256').update(body).digest('hex'));
    assert.equal(lines[1]!.bytes, body.length);
    assert.equal(lines[1]!.status, 200);
    assert.equal(lines[1]!.outcome, 'delivered');
    assert.match(String(lines[1]!.time), /^\d{4}-\d\d-\d\dT/);
  });

  it('puts URL credentials into basic auth on the wire and nowhere else', async () => {
    const url = collector.url.replace('http://', 'http://relay:s3cretpw@');
    const log = join(tmp, 'cred.jsonl');
    const sent = await runCli(['send', '--data-dir', dataDir, '--at', AT, '--collector-url', url, '--log', log]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(collector.requests.at(-1)!.headers.authorization, `Basic ${Buffer.from('relay:s3cretpw').toString('base64')}`);
    assert.doesNotMatch(sent.stdout.toString() + sent.stderr + readFileSync(log, 'utf8'), /s3cretpw/);
  });
});

describe('the opt-out: nothing leaves the machine', () => {
  const configTrue = () => {
    const file = join(tmp, 'coroot.yaml');
    writeFileSync(file, 'data_dir: /nonexistent\ndisable_usage_statistics: true\n');
    return file;
  };
  const forms = (): Array<{ name: string; args: string[]; env: NodeJS.ProcessEnv; origin: RegExp }> => [
    { name: 'flag', args: ['--disable-usage-statistics'], env: {}, origin: /--disable-usage-statistics/ },
    { name: 'env true', args: [], env: { DISABLE_USAGE_STATISTICS: 'true' }, origin: /DISABLE_USAGE_STATISTICS/ },
    { name: 'env 1', args: [], env: { DISABLE_USAGE_STATISTICS: '1' }, origin: /DISABLE_USAGE_STATISTICS/ },
    { name: 'config via --config', args: ['--config', configTrue()], env: {}, origin: /coroot\.yaml: disable_usage_statistics/ },
    { name: 'config via CONFIG', args: [], env: { CONFIG: configTrue() }, origin: /coroot\.yaml: disable_usage_statistics/ },
    { name: 'config true beats --no-disable-usage-statistics', args: ['--config', configTrue(), '--no-disable-usage-statistics'], env: {}, origin: /config file/ },
  ];

  it('each form exits 0, names its origin, makes no connection and needs no data-dir', async () => {
    for (const form of forms()) {
      const connections = collector.connections;
      const log = join(tmp, `optout-${form.name.replace(/\W+/g, '-')}.jsonl`);
      const run = await runCli(['send', '--data-dir', join(tmp, 'no-such-dir'), '--collector-url', collector.url, '--log', log, ...form.args], form.env);
      assert.equal(run.code, 0, `${form.name}: ${run.stderr}`);
      assert.match(run.stdout.toString(), /^not sent: usage statistics are disabled/, form.name);
      assert.match(run.stdout.toString(), form.origin, form.name);
      assert.equal(collector.connections, connections, `${form.name} connected`);
      const entry = JSON.parse(readFileSync(log, 'utf8')) as { outcome: string };
      assert.equal(entry.outcome, 'disabled');
    }
  });

  it('follows kingpin: the flag wins over the variable, an empty variable is ignored, a bad value is exit 2', async () => {
    const flagWins = await runCli(['send', '--data-dir', dataDir, '--at', AT, '--collector-url', collector.url, '--no-disable-usage-statistics'], { DISABLE_USAGE_STATISTICS: 'true' });
    assert.equal(flagWins.code, 0, flagWins.stderr);
    assert.match(flagWins.stdout.toString(), /^sent /);
    const empty = await runCli(['send', '--data-dir', dataDir, '--at', AT, '--collector-url', collector.url], { DISABLE_USAGE_STATISTICS: '' });
    assert.match(empty.stdout.toString(), /^sent /);
    const connections = collector.connections;
    const bad = await runCli(['send', '--data-dir', dataDir, '--collector-url', collector.url], { DISABLE_USAGE_STATISTICS: 'yes' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /DISABLE_USAGE_STATISTICS="yes": not a boolean/);
    assert.equal(collector.connections, connections);
  });

  it('makes no DNS lookup and no connection at all (checked inside the process)', () => {
    const run = (args: string[], env: NodeJS.ProcessEnv, marker: string) =>
      spawnSync(process.execPath, ['--import', noNetwork, bin, 'send', '--collector-url', 'https://collector.example.invalid/ce/usage-statistics', ...args], {
        env: { PATH: process.env.PATH, NO_COLOR: '1', NO_NETWORK_MARKER: marker, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
    for (const form of forms()) {
      const marker = join(tmp, `marker-${form.name.replace(/\W+/g, '-')}`);
      const started = Date.now();
      const child = run(['--data-dir', join(tmp, 'no-such-dir'), ...form.args], form.env, marker);
      assert.equal(child.status, 0, `${form.name}: ${child.stderr}`);
      assert.ok(!existsSync(marker), `${form.name}: network touched: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`);
      assert.ok(Date.now() - started < 15_000);
    }
    // a dry run prints the request without resolving or connecting either
    const dryMarker = join(tmp, 'marker-dry-run');
    const dry = run(['--data-dir', dataDir, '--at', AT, '--dry-run'], {}, dryMarker);
    assert.equal(dry.status, 0, dry.stderr);
    assert.ok(!existsSync(dryMarker), 'dry run touched the network');
    // control: the same run without the opt-out does reach for the network, so the tripwire works
    const marker = join(tmp, 'marker-control');
    const control = run(['--data-dir', dataDir, '--at', AT, '--timeout', '5s'], {}, marker);
    assert.equal(control.status, 5, control.stderr);
    assert.ok(existsSync(marker), 'the tripwire did not fire for an enabled send');
    assert.doesNotMatch(control.stderr, /\n\s+at /, 'no stack trace without --debug');
  });
});
