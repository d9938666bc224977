/**
 * `coroot-usage send`: POST the payload to Coroot's collector the way Coroot v1.24.5 does, after deciding
 * from the opt-out settings alone whether anything may leave the machine at all.
 */
import type { Argv } from 'yargs';
import { usageError } from '../errors.js';
import type { IO } from '../io.js';
import { trustedCas } from '../send/ca.js';
import { builtBody, reviewedBody } from '../send/body.js';
import { formatDuration, parseDuration } from '../send/duration.js';
import { appendLog, ensureLogWritable } from '../send/log.js';
import { describeOptOut, resolveOptOut, withOptOutOption, type OptOutArgs } from '../send/opt-out.js';
import { proxyFor, type ProxyConfig } from '../send/proxy.js';
import { buildWireRequest, COROOT_COLLECTOR_URL, displayHeaders, parseCollectorUrl, requestTarget, safeUrl, sha256, type WireRequest } from '../send/target.js';
import type { CommandSpec, GlobalArgs } from './command.js';
import { withSourceOptions, type SourceArgs } from './source-options.js';

interface SendArgs extends SourceArgs, OptOutArgs {
  payload?: string;
  'collector-url': string;
  timeout: string;
  retries: number;
  'retry-delay': string;
  'ca-file'?: string;
  'dry-run': boolean;
  log?: string;
}

function proxyNote(req: WireRequest, proxy: ProxyConfig | undefined): string {
  if (!proxy) return 'direct connection (no HTTPS_PROXY/HTTP_PROXY applies)';
  const how = req.url.protocol === 'https:' ? `CONNECT tunnel to ${req.url.host || req.url.hostname}` : 'absolute-form request';
  return `through proxy ${safeUrl(proxy.url)} from ${proxy.origin} (${how})`;
}

function printDryRun(req: WireRequest, proxy: ProxyConfig | undefined, args: SendArgs & GlobalArgs, io: IO): void {
  const headers = displayHeaders(req.headers);
  if (args.json) {
    io.out(`${JSON.stringify({
      sent: false,
      dry_run: true,
      method: req.method,
      url: safeUrl(req.url),
      proxy: proxy ? { url: safeUrl(proxy.url), from: proxy.origin } : null,
      headers,
      bytes: req.body.length,
      sha256: sha256(req.body),
      body: req.body.toString('utf8'),
    }, null, 2)}\n`);
    return;
  }
  io.stderr.write(`dry run: nothing sent. ${req.method} ${safeUrl(req.url)}, ${proxyNote(req, proxy)}, ${req.body.length} bytes, sha256 ${sha256(req.body)}\n`);
  const head = [`${req.method} ${requestTarget(req.url, false)} HTTP/1.1`, ...headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  io.out(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), req.body]));
}

export const sendCommand: CommandSpec<SendArgs> = {
  name: 'send',
  usage: 'send',
  summary: 'POST the payload to Coroot\'s collector as Coroot v1.24.5 does (honours the opt-out)',
  examples: [
    ['$0 send --data-dir /var/lib/coroot --dry-run', 'show the exact request, send nothing'],
    ['$0 send --payload reviewed.json --log sent.jsonl', 'send a reviewed payload byte for byte and log it'],
    ['HTTPS_PROXY=http://proxy:3128 $0 send --data-dir /var/lib/coroot --ca-file corp-ca.pem', 'through a proxy with a private CA'],
  ],
  builder: (y: Argv<GlobalArgs>) =>
    withOptOutOption(withSourceOptions(y))
      .option('payload', { type: 'string', describe: 'send this reviewed payload file (or - for stdin) byte for byte instead of building one' })
      .option('collector-url', { type: 'string', default: COROOT_COLLECTOR_URL, describe: 'where to POST (for a relay or tests)' })
      .option('timeout', { type: 'string', default: '60s', describe: 'deadline for the whole exchange, as Go\'s http.Client.Timeout (60s, 1m, 500ms)' })
      .option('retries', { type: 'number', default: 0, describe: 'extra attempts after a network error, 5xx, 408 or 429 (Coroot makes none)' })
      .option('retry-delay', { type: 'string', default: '1s', describe: 'wait before the first retry; doubled each time' })
      .option('ca-file', { type: 'string', describe: 'PEM file of extra trusted CAs (added to the system ones, as NODE_EXTRA_CA_CERTS)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the exact request (method, URL, headers, body) and send nothing' })
      .option('log', { type: 'string', describe: 'append one JSON line per attempt to this file (time, URL, status or error, sha256, bytes)' }) as Argv<SendArgs & GlobalArgs>,
  async run(args, io) {
    // Decided before anything else: a disabled run must not read the payload sources or touch the network.
    const optOut = resolveOptOut(args, io.env);
    if (optOut.value) {
      appendLog(args.log, { time: new Date().toISOString(), outcome: 'disabled', disabled_by: optOut.origin });
      if (args.json) io.out(`${JSON.stringify({ sent: false, disabled: true, disabled_by: { source: optOut.source, origin: optOut.origin } }, null, 2)}\n`);
      else io.out(`not sent: ${describeOptOut(optOut)}; nothing was sent and no connection was made\n`);
      return 0;
    }

    ensureLogWritable(args.log);
    const url = parseCollectorUrl(args['collector-url']);
    const timeoutMs = parseDuration(args.timeout, '--timeout');
    const retryDelayMs = parseDuration(args['retry-delay'], '--retry-delay');
    if (!Number.isInteger(args.retries) || args.retries < 0) throw usageError(`--retries ${args.retries}: expected a whole number ≥ 0`);
    const proxy = proxyFor(url, io.env);
    const ca = url.protocol === 'https:' ? trustedCas(args['ca-file'], io.env, (m) => io.warn(m)) : undefined;

    const body = args.payload !== undefined ? await reviewedBody(args.payload, io) : await builtBody(args, io);
    const req = buildWireRequest(url, body.bytes);
    if (args['dry-run']) {
      printDryRun(req, proxy, args, io);
      return 0;
    }

    io.progress(`sending ${req.body.length} bytes to ${safeUrl(url)}…`);
    // Loaded only now, so that opted-out and dry runs never load the network code at all.
    const { deliver } = await import('../send/deliver.js');
    try {
      const { result, attempts, finalUrl } = await deliver(req, {
        timeoutMs,
        proxy,
        proxyFor: (next) => proxyFor(next, io.env),
        ca,
        retries: args.retries,
        retryDelayMs,
        logFile: args.log,
        note: (m) => io.warn(m),
      });
      io.progress('');
      const summary = { sent: true, url: safeUrl(finalUrl), status: result.status, bytes: req.body.length, sha256: sha256(req.body), attempts };
      if (args.json) io.out(`${JSON.stringify(summary, null, 2)}\n`);
      else io.out(`sent ${summary.bytes} bytes (sha256 ${summary.sha256}) to ${summary.url}${proxy ? ` via ${safeUrl(proxy.url)}` : ''}: HTTP ${result.status}${result.statusText ? ` ${result.statusText}` : ''}${attempts > 1 ? ` after ${attempts} attempts` : ''} (timeout ${formatDuration(timeoutMs)})\n`);
      return 0;
    } finally {
      io.progress('');
    }
  },
};
