import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSqliteDataDir } from '../fixtures/datadir.js';
import { bypassedByNoProxy, proxyFor } from '../src/send/proxy.js';
import { runCli } from './helpers/cli-run.js';
import { closedPort, selfSignedCert, startCollector, startConnectProxy } from './helpers/collector.js';

const AT = '1763640000';
let tmp: string;
let dataDir: string;
let cert: { key: string; cert: string; certPath: string };

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'coroot-usage-send-net-'));
  dataDir = join(tmp, 'data');
  buildSqliteDataDir(dataDir, { instanceUuid: '3f1c2a44-7d1e-4b8a-9c2f-5e6d7a8b9c0d', projects: [{ id: 'p1', name: 'prod' }] });
  cert = selfSignedCert(tmp, 'collector.test');
});

after(() => rmSync(tmp, { recursive: true, force: true }));

const send = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['send', '--data-dir', dataDir, '--at', AT, ...args], env);

/** The error itself is one line, whatever warnings the payload build printed before it. */
function oneLineError(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => !l.startsWith('warning: '));
  assert.equal(lines.length, 1, `expected one line: ${stderr}`);
  assert.match(lines[0]!, /^error: /);
  return lines[0]!;
}

describe('send through HTTPS and proxies', () => {
  it('reaches an HTTPS collector with a private CA given by --ca-file', async () => {
    const collector = await startCollector(undefined, cert, '127.0.0.1');
    try {
      const run = await send(['--collector-url', collector.url, '--ca-file', cert.certPath]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(collector.requests.length, 1);
    } finally {
      await collector.close();
    }
  });

  it('trusts SSL_CERT_FILE / SSL_CERT_DIR as Go (and so Coroot) does, instead of the system roots', async () => {
    const collector = await startCollector(undefined, cert, '127.0.0.1');
    try {
      assert.equal((await send(['--collector-url', collector.url], { SSL_CERT_FILE: cert.certPath })).code, 0);
      assert.equal((await send(['--collector-url', collector.url], { SSL_CERT_DIR: `/nonexistent:${tmp}` })).code, 0);
      assert.equal(collector.requests.length, 2);
    } finally {
      await collector.close();
    }
  });

  it('reports an untrusted certificate as a TLS failure, exit 5', async () => {
    const collector = await startCollector(undefined, cert, '127.0.0.1');
    try {
      const run = await send(['--collector-url', collector.url]);
      assert.equal(run.code, 5);
      assert.match(oneLineError(run.stderr), /TLS handshake with 127\.0\.0\.1:\d+ failed: .*--ca-file/);
      assert.equal(collector.requests.length, 0);
    } finally {
      await collector.close();
    }
  });

  it('tunnels https through HTTPS_PROXY with CONNECT, resolving the collector name only at the proxy', async () => {
    const collector = await startCollector(undefined, cert, 'collector.test');
    const proxy = await startConnectProxy({ requireAuth: `Basic ${Buffer.from('ops:pr0xyPw').toString('base64')}` });
    try {
      const proxyUrl = proxy.url.replace('http://', 'http://ops:pr0xyPw@');
      const log = join(tmp, 'proxy.jsonl');
      const run = await send(['--collector-url', collector.url, '--ca-file', cert.certPath, '--log', log], { HTTPS_PROXY: proxyUrl });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(proxy.connects, [`collector.test:${collector.port}`]);
      assert.equal(collector.requests.length, 1);
      assert.equal(collector.requests[0]!.headers.host, `collector.test:${collector.port}`);
      assert.match(run.stdout.toString(), /via http:\/\/\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(run.stdout.toString() + run.stderr + readFileSync(log, 'utf8'), /pr0xyPw/);
    } finally {
      await proxy.close();
      await collector.close();
    }
  });

  it('sends an http collector through HTTP_PROXY in absolute form, unless NO_PROXY excludes it', async () => {
    const collector = await startCollector(undefined, undefined, 'collector.test');
    const proxy = await startConnectProxy();
    try {
      const run = await send(['--collector-url', collector.url], { HTTP_PROXY: proxy.url.replace('http://', 'http://ops:pw1234@'), HTTPS_PROXY: 'http://127.0.0.1:1' });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(proxy.forwards.map((f) => f.target), [collector.url]);
      assert.equal(proxy.forwards[0]!.auth, `Basic ${Buffer.from('ops:pw1234').toString('base64')}`);
      assert.equal(collector.requests.length, 1);
      assert.equal(collector.requests[0]!.headers.host, `collector.test:${collector.port}`);
      const dry = await send(['--collector-url', collector.url, '--dry-run'], { HTTP_PROXY: proxy.url, NO_PROXY: '.test' });
      assert.match(dry.stderr, /direct connection/);
      const viaProxy = await send(['--collector-url', collector.url, '--dry-run'], { http_proxy: proxy.url });
      assert.match(viaProxy.stderr, /through proxy http:\/\/127\.0\.0\.1:\d+\/? from http_proxy \(absolute-form request\)/);
    } finally {
      await proxy.close();
      await collector.close();
    }
  });

  it('reports a proxy refusing the tunnel, exit 5, and logs it', async () => {
    const proxy = await startConnectProxy({ refuse: true });
    try {
      const log = join(tmp, 'refused.jsonl');
      const run = await send(['--collector-url', 'https://collector.test:1/ce/usage-statistics', '--log', log], { https_proxy: proxy.url });
      assert.equal(run.code, 5);
      assert.match(oneLineError(run.stderr), /refused the tunnel to collector\.test:1: HTTP 403 Forbidden/);
      const entry = JSON.parse(readFileSync(log, 'utf8')) as { outcome: string; error: string };
      assert.equal(entry.outcome, 'failed');
      assert.match(entry.error, /403/);
    } finally {
      await proxy.close();
    }
  });

  it('reports an unreachable proxy', async () => {
    const port = await closedPort();
    const run = await send(['--collector-url', 'https://collector.test/ce/usage-statistics'], { HTTPS_PROXY: `127.0.0.1:${port}` });
    assert.equal(run.code, 5);
    assert.match(oneLineError(run.stderr), /cannot connect to proxy http:\/\/127\.0\.0\.1:\d+\/? \(from HTTPS_PROXY\): ECONNREFUSED/);
  });

  it('chooses proxies as Go does', () => {
    const url = new URL('https://coroot.com/ce/usage-statistics');
    assert.equal(proxyFor(url, {}), undefined);
    assert.equal(proxyFor(url, { HTTPS_PROXY: 'proxy:3128' })?.port, 3128);
    assert.equal(proxyFor(url, { https_proxy: 'http://p:1', HTTPS_PROXY: 'http://q:2' })?.host, 'q');
    assert.equal(proxyFor(url, { HTTP_PROXY: 'http://p:1' }), undefined, 'HTTP_PROXY is not for https URLs');
    assert.equal(proxyFor(new URL('http://localhost:9/x'), { HTTP_PROXY: 'http://p:1' }), undefined, 'loopback is never proxied');
    assert.equal(proxyFor(url, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.coroot.com' })?.host, 'p', '.domain excludes subdomains only');
    assert.equal(proxyFor(url, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'coroot.com' }), undefined);
    assert.ok(bypassedByNoProxy('api.coroot.com', 443, 'coroot.com'));
    assert.ok(bypassedByNoProxy('coroot.com', 443, '*'));
    assert.ok(bypassedByNoProxy('10.1.2.3', 443, '10.0.0.0/8'));
    assert.ok(!bypassedByNoProxy('coroot.com', 443, 'coroot.com:8443'));
    assert.ok(bypassedByNoProxy('coroot.com', 443, 'coroot.com:443'));
  });
});

describe('send failures: one line, exit 5, logged', () => {
  it('refused port', async () => {
    const port = await closedPort();
    const log = join(tmp, 'closed.jsonl');
    const run = await send(['--collector-url', `http://127.0.0.1:${port}/ce/usage-statistics`, '--log', log]);
    assert.equal(run.code, 5);
    assert.match(oneLineError(run.stderr), /cannot connect to 127\.0\.0\.1:\d+: connection refused/);
    assert.equal((JSON.parse(readFileSync(log, 'utf8')) as { outcome: string }).outcome, 'failed');
  });

  it('HTTP 500 counts as not delivered but is logged with its status', async () => {
    const collector = await startCollector((_req, res) => {
      res.writeHead(500);
      res.end('boom');
    });
    try {
      const log = join(tmp, '500.jsonl');
      const run = await send(['--collector-url', collector.url, '--log', log]);
      assert.equal(run.code, 5);
      assert.match(oneLineError(run.stderr), /answered HTTP 500 Internal Server Error: counted as not delivered/);
      const entry = JSON.parse(readFileSync(log, 'utf8')) as { outcome: string; status: number };
      assert.deepEqual([entry.outcome, entry.status], ['http-error', 500]);
      assert.equal(collector.requests.length, 1, 'no retry by default');
    } finally {
      await collector.close();
    }
  });

  it('--retries retries a 5xx and logs every attempt', async () => {
    const collector = await startCollector((_req, res, i) => {
      res.writeHead(i < 2 ? 503 : 202);
      res.end();
    });
    try {
      const log = join(tmp, 'retries.jsonl');
      const run = await send(['--collector-url', collector.url, '--log', log, '--retries', '3', '--retry-delay', '10ms']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(collector.requests.length, 3);
      const statuses = readFileSync(log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { status: number }).status);
      assert.deepEqual(statuses, [503, 503, 202]);
      assert.match(run.stdout.toString(), /after 3 attempts/);
    } finally {
      await collector.close();
    }
  });

  it('follows 307/308 with the same POST as Go does, but not 302', async () => {
    const collector = await startCollector((req, res) => {
      if (req.url === '/ce/usage-statistics') res.writeHead(307, { location: '/moved' });
      else if (req.url === '/moved') res.writeHead(308, { location: '/final' });
      else if (req.url === '/final') res.writeHead(200);
      else if (req.url === '/found') res.writeHead(302, { location: '/elsewhere' });
      else res.writeHead(307, { location: '/loop' });
      res.end();
    });
    try {
      const log = join(tmp, 'redirect.jsonl');
      const run = await send(['--collector-url', collector.url, '--log', log]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(collector.requests.map((r) => `${r.method} ${r.url}`), ['POST /ce/usage-statistics', 'POST /moved', 'POST /final']);
      assert.ok(collector.requests[2]!.body.equals(collector.requests[0]!.body));
      assert.match(run.stdout.toString(), /to http:\/\/127\.0\.0\.1:\d+\/final: HTTP 200/);
      assert.match(readFileSync(log, 'utf8'), /"final_url":"http:\/\/127\.0\.0\.1:\d+\/final"/);
      const found = await send(['--collector-url', collector.url.replace('/ce/usage-statistics', '/found')]);
      assert.equal(found.code, 5);
      assert.match(oneLineError(found.stderr), /HTTP 302 Found \(Location: \/elsewhere; Go would follow it with a GET without the body\)/);
      const loop = await send(['--collector-url', collector.url.replace('/ce/usage-statistics', '/loop')]);
      assert.equal(loop.code, 5);
      assert.match(oneLineError(loop.stderr), /stopped after 10 redirects/);
    } finally {
      await collector.close();
    }
  });

  it('skips a 100 Continue before the final answer, and refuses an unwritable --log before sending', async () => {
    const collector = await startCollector((_req, res) => {
      res.writeContinue();
      res.writeHead(201);
      res.end();
    });
    try {
      const run = await send(['--collector-url', collector.url]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout.toString(), /HTTP 201/);
      const badLog = await send(['--collector-url', collector.url, '--log', join(tmp, 'no-such-dir', 'log.jsonl')]);
      assert.equal(badLog.code, 3);
      assert.equal(collector.requests.length, 1, 'nothing sent with an unwritable log');
    } finally {
      await collector.close();
    }
  });

  it('a slow server past --timeout', async () => {
    const sockets = new Set<Socket>();
    const server: Server = createServer(() => undefined); // never answers
    server.on('connection', (s: Socket) => sockets.add(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const run = await send(['--collector-url', `http://127.0.0.1:${port}/ce/usage-statistics`, '--timeout', '300ms']);
      assert.equal(run.code, 5);
      assert.match(oneLineError(run.stderr), /no answer from .* within 300 ms \(timed out while waiting for the response/);
      assert.ok(run.ms < 5000, `took ${run.ms} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a host name that does not resolve', async () => {
    const run = await send(['--collector-url', 'http://no-such-host.invalid/ce/usage-statistics', '--timeout', '10s']);
    assert.equal(run.code, 5);
    assert.match(oneLineError(run.stderr), /cannot resolve no-such-host\.invalid \(DNS E[A-Z_]+\)|within 10 s/);
  });

  it('--debug adds the stack trace, and bad option values are usage errors', async () => {
    const port = await closedPort();
    const debug = await send(['--collector-url', `http://127.0.0.1:${port}/`, '--debug']);
    assert.equal(debug.code, 5);
    assert.match(debug.stderr, /\n\s+at /);
    for (const args of [['--timeout', 'soon'], ['--retries', '-1'], ['--collector-url', 'ftp://x/']]) {
      const bad = await send(args);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    }
  });
});
