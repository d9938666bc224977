/**
 * The Prometheus client against a tiny local HTTP server (127.0.0.1) that misbehaves on purpose: every
 * failure must end as a MetricsQueryError for that query, quickly and without credentials in the text;
 * odd but valid data must be read the way Coroot's client reads it.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MetricsQueryError, type MetricsQuery } from '../src/sources/metrics.js';
import { PrometheusSource } from '../src/sources/prometheus.js';
import { freePort } from './helpers/services.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const PASSWORD = 'pr0m-S3cret-pass';
const TOKEN = 'b3arer-T0ken-xyz';
const WINDOW = { from: 1000, to: 1120, step: 30 };

function query(overrides: Partial<MetricsQuery> = {}): MetricsQuery {
  return {
    name: 'node_info', query: 'node_info', labels: new Set(['machine_id', 'system_uuid', 'hostname']),
    recordingRule: false, fill: 'any', window: WINDOW, ...overrides,
  };
}

function matrix(result: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result }, ...extra });
}

describe('Prometheus client', () => {
  let server: Server;
  let url: string;
  let handler: Handler = (_req, _body, res) => res.end();
  let requests: Array<{ headers: IncomingMessage['headers']; body: string; url: string }> = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push({ headers: req.headers, body, url: req.url ?? '' });
        handler(req, body, res);
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const run = async (h: Handler, config: Partial<ConstructorParameters<typeof PrometheusSource>[0]> = {}, q = query()) => {
    handler = h;
    requests = [];
    const source = new PrometheusSource({ url, timeoutMs: 1000, retries: 1, ...config });
    try {
      return await source.queryRange(q);
    } finally {
      await source.close();
    }
  };

  const failsWith = async (pattern: RegExp, h: Handler, config = {}) => {
    const started = Date.now();
    await assert.rejects(run(h, config), (err: unknown) => {
      assert.ok(err instanceof MetricsQueryError, String(err));
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes(PASSWORD) && !err.message.includes(TOKEN), err.message);
      return true;
    });
    return Date.now() - started;
  };

  it('sends Coroot\'s request: POST form, aligned window, step, $RANGE and the extra selector', async () => {
    await run((_q, _b, res) => res.end(matrix([])), { extraSelector: '{cluster="a"}', url: `${url}/prom/` }, query({
      query: 'rate(x_total[$RANGE])', window: { from: 1001, to: 1119, step: 30 },
    }));
    const [req] = requests;
    assert.equal(req!.url, '/prom/api/v1/query_range');
    assert.equal(req!.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(req!.body);
    assert.equal(form.get('query'), 'rate(x_total{cluster="a"}[90s])');
    assert.deepEqual([form.get('start'), form.get('end'), form.get('step')], ['990', '1110', '30']);
  });

  it('sends basic auth, or a custom Authorization header instead', async () => {
    await run((_q, _b, res) => res.end(matrix([])), { basicAuth: { user: 'coroot', password: PASSWORD } });
    assert.equal(requests[0]!.headers.authorization, `Basic ${Buffer.from(`coroot:${PASSWORD}`).toString('base64')}`);
    await run((_q, _b, res) => res.end(matrix([])), {
      basicAuth: { user: 'coroot', password: PASSWORD },
      customHeaders: [{ key: 'Authorization', value: `Bearer ${TOKEN}` }, { key: 'X-Scope-OrgID', value: 'tenant-1' }],
    });
    assert.equal(requests[0]!.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(requests[0]!.headers['x-scope-orgid'], 'tenant-1');
  });

  it('filters labels to the allow-list and merges equal series, later samples winning', async () => {
    const out = await run((_q, _b, res) => res.end(matrix([
      { metric: { __name__: 'node_info', machine_id: 'm1', hostname: 'h', job: 'a' }, values: [[1000, '1'], [1030, '2']] },
      { metric: { __name__: 'node_info', machine_id: 'm1', hostname: 'h', job: 'b' }, values: [[1030, '3'], [1060, '4']] },
      { metric: { machine_id: 'm2' }, values: [[1090.5, '5'], [1120, '6'], [1150, '7'], [970, '8']] },
    ])));
    assert.equal(out.metrics.length, 2);
    const [m1, m2] = out.metrics;
    assert.deepEqual(m1!.labels, { hostname: 'h' });
    assert.equal(m1!.machineId, 'm1');
    assert.deepEqual([...m1!.values], [1, 3, 4, NaN, NaN]);
    // 1090.5 truncates to 1090 → grid point 1080; points before from or after to are dropped
    assert.deepEqual([...m2!.values], [NaN, NaN, NaN, 5, 6]);
  });

  it('reads NaN as a gap, keeps ±Inf, skips unparsable points and drops all-NaN series', async () => {
    const out = await run((_q, _b, res) => res.end(matrix([
      { metric: { machine_id: 'a' }, values: [[1000, 'NaN'], [1030, '+Inf'], [1060, '-Inf'], [1090, 'bogus'], [1120, '1e40']] },
      { metric: { machine_id: 'b' }, values: [[1000, 'NaN'], [1030, 'NaN']] },
      { metric: { machine_id: 'c' }, values: 'not-an-array' },
      { metric: 'not-an-object', values: [[1000, '1']] },
      { metric: {}, values: [[1000, '0.1']] },
    ])));
    assert.equal(out.metrics.length, 2);
    assert.deepEqual([...out.metrics[0]!.values], [NaN, Infinity, -Infinity, NaN, Infinity]);
    // a series without any kept label is still a series, with empty ids
    assert.equal(out.metrics[1]!.machineId, '');
    assert.equal(out.metrics[1]!.values[0], Math.fround(0.1));
  });

  it('returns Prometheus warnings without failing the query, as Coroot ignores them', async () => {
    const out = await run((_q, _b, res) => res.end(matrix([], { warnings: ['partial response'] })));
    assert.deepEqual(out.warnings, ['node_info: partial response']);
  });

  it('reads gzip-compressed answers', async () => {
    const out = await run((_q, _b, res) => {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(gzipSync(matrix([{ metric: { machine_id: 'z' }, values: [[1000, '1']] }])));
    });
    assert.equal(out.metrics[0]!.machineId, 'z');
  });

  it('does not query Prometheus for Coroot\'s recording rules', async () => {
    const out = await run(() => assert.fail('no request expected'), {}, query({ name: 'rr_connection_tcp_active', recordingRule: true }));
    assert.deepEqual(out, { metrics: [], warnings: [] });
    assert.equal(requests.length, 0);
  });

  it('fails on an error status with Prometheus\' own message, credentials redacted', async () => {
    // Coroot reports only the "error" text of a non-200 answer
    await failsWith(/: parse error at char 5$/, (_q, _b, res) => {
      res.statusCode = 400;
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }));
    });
    await failsWith(/401 Unauthorized/, (_q, _b, res) => {
      res.statusCode = 401;
      res.end('unauthorized');
    }, { basicAuth: { user: 'coroot', password: PASSWORD } });
    await failsWith(/wrong password \*\*\*/, (_q, _b, res) => {
      res.statusCode = 403;
      res.end(JSON.stringify({ error: `wrong password ${PASSWORD}` }));
    }, { basicAuth: { user: 'coroot', password: PASSWORD } });
    await failsWith(/token \*\*\* expired/, (_q, _b, res) => {
      res.statusCode = 403;
      res.end(JSON.stringify({ error: `token ${TOKEN} expired` }));
    }, { customHeaders: [{ key: 'Authorization', value: `Bearer ${TOKEN}` }] });
  });

  it('fails on "status":"error" with HTTP 200, HTML, truncated JSON and a missing result', async () => {
    await failsWith(/execution: query timed out/, (_q, _b, res) => res.end(JSON.stringify({ status: 'error', errorType: 'execution', error: 'query timed out' })));
    await failsWith(/HTML page/, (_q, _b, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end('<html><body>Login</body></html>');
    });
    await failsWith(/invalid JSON/, (_q, _b, res) => res.end(matrix([{ metric: {}, values: [[1000, '1']] }]).slice(0, 40)));
    await failsWith(/no data\.result/, (_q, _b, res) => res.end(JSON.stringify({ status: 'success', data: {} })));
  });

  it('fails when the connection drops before the whole answer arrived', async () => {
    await failsWith(/closed before the response was complete|aborted|socket hang up/, (_q, _b, res) => {
      const body = matrix([{ metric: {}, values: [[1000, '1']] }]);
      res.setHeader('Content-Length', String(body.length + 100));
      res.write(body);
      setTimeout(() => res.socket?.destroy(), 20);
    });
  });

  it('retries 502/503/504 a bounded number of times', async () => {
    let calls = 0;
    const out = await run((_q, _b, res) => {
      calls++;
      if (calls === 1) {
        res.statusCode = 503;
        res.end('busy');
      } else res.end(matrix([]));
    });
    assert.equal(calls, 2);
    assert.deepEqual(out.metrics, []);
    calls = 0;
    await failsWith(/503 Service Unavailable/, (_q, _b, res) => {
      calls++;
      res.statusCode = 503;
      res.end();
    });
    assert.equal(calls, 2, 'one attempt and one retry');
  });

  it('gives up on a slow server at the timeout, without retrying', async () => {
    let calls = 0;
    const took = await failsWith(/no answer within 0.3s/, () => {
      calls++;
    }, { timeoutMs: 300 });
    assert.equal(calls, 1);
    assert.ok(took < 2000, `took ${took} ms`);
  });

  it('fails on a refused connection after bounded retries', async () => {
    const port = await freePort();
    const source = new PrometheusSource({ url: `http://coroot:${PASSWORD}@127.0.0.1:${port}`, timeoutMs: 1000, retries: 1 });
    try {
      await assert.rejects(source.queryRange(query()), (err: unknown) => {
        assert.ok(err instanceof MetricsQueryError);
        assert.match(err.message, /ECONNREFUSED/);
        assert.ok(!err.message.includes(PASSWORD), err.message);
        return true;
      });
      assert.ok(!source.description.includes(PASSWORD));
    } finally {
      await source.close();
    }
  });

  it('fails every later query at once when Prometheus does not answer at all', async () => {
    let calls = 0;
    handler = () => {
      calls++;
    };
    const source = new PrometheusSource({ url, concurrency: 2, timeoutMs: 300, retries: 0 });
    const started = Date.now();
    try {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => source.queryRange(query())));
      assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof MetricsQueryError));
    } finally {
      await source.close();
    }
    // the first two time out together; the other six fail without being sent
    assert.equal(calls, 2);
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  });

  it('fails later queries at once after a refused connection', async () => {
    const port = await freePort();
    const source = new PrometheusSource({ url: `http://127.0.0.1:${port}`, timeoutMs: 1000, retries: 2 });
    try {
      await assert.rejects(source.queryRange(query()), /ECONNREFUSED/);
      const started = Date.now();
      await assert.rejects(source.queryRange(query()), /ECONNREFUSED/);
      assert.ok(Date.now() - started < 100, 'no retries once unreachable');
    } finally {
      await source.close();
    }
  });

  it('fails on an unknown host name without hanging', async () => {
    const source = new PrometheusSource({ url: 'http://prometheus.invalid:9090', timeoutMs: 2000, retries: 0 });
    try {
      await assert.rejects(source.queryRange(query()), MetricsQueryError);
    } finally {
      await source.close();
    }
  });

  it('fails every query of a missing or malformed URL without throwing on construction', async () => {
    for (const [bad, pattern] of [['', /prometheus is not configured/], ['ftp://x', /unsupported Prometheus URL scheme ftp:/], [`http://u:${PASSWORD}@[bad`, /invalid Prometheus URL/]] as const) {
      const source = new PrometheusSource({ url: bad });
      try {
        await assert.rejects(source.queryRange(query()), (err: unknown) => {
          assert.ok(err instanceof MetricsQueryError);
          assert.match(err.message, pattern);
          assert.ok(!err.message.includes(PASSWORD), err.message);
          return true;
        });
      } finally {
        await source.close();
      }
    }
  });

  it('fails on an invalid extra selector before sending anything', async () => {
    await failsWith(/invalid extra selector/, () => assert.fail('no request expected'), { extraSelector: '{cluster=}' });
    assert.equal(requests.length, 0);
  });

  it('bounds the number of requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    handler = (_q, _b, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end(matrix([]));
      }, 30);
    };
    const source = new PrometheusSource({ url, concurrency: 3 });
    try {
      await Promise.all(Array.from({ length: 12 }, () => source.queryRange(query())));
    } finally {
      await source.close();
    }
    assert.equal(peak, 3);
  });
});
