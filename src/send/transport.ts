/**
 * One HTTP/1.1 exchange on a socket this module opens itself (directly, or through an HTTP proxy with
 * CONNECT for https), so that the request bytes are exactly Go's and every failure can be named: DNS,
 * refused connection, proxy, TLS, timeout. Like Coroot, the response body is never read.
 *
 * This module is loaded only after the opt-out has been decided, so a disabled run never loads it.
 */
import { lookup } from 'node:dns';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { describe } from '../errors.js';
import { defaultPort, stripBrackets, type ProxyConfig } from './proxy.js';
import { formatDuration } from './duration.js';
import { requestHead, safeUrl, type WireRequest } from './target.js';

export interface ExchangeOptions {
  timeoutMs: number;
  proxy: ProxyConfig | undefined;
  /** trusted CAs; undefined = Node's defaults (which include NODE_EXTRA_CA_CERTS) */
  ca: Array<string | Buffer> | undefined;
}

export interface ExchangeResult {
  status: number;
  statusText: string;
  location: string | undefined;
}

export type FailureKind = 'dns' | 'connect' | 'proxy' | 'tls' | 'timeout' | 'protocol' | 'io';

/** A failed exchange, with a one-line message that names no secret. */
export class ExchangeError extends Error {
  constructor(readonly kind: FailureKind, message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'ExchangeError';
  }
}

type Phase = 'connecting' | 'connecting to the proxy' | 'opening the proxy tunnel' | 'TLS handshake' | 'sending' | 'waiting for the response';

interface Head {
  status: number;
  statusText: string;
  headers: Map<string, string>;
  /** bytes received after the head (the start of a body, or the next head after a 1xx) */
  rest: Buffer;
}

const MAX_HEAD = 64 * 1024;

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'EACCES']);

function errCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

function readHead(socket: Socket, initial: Buffer = Buffer.alloc(0)): Promise<Head> {
  return new Promise((resolve, reject) => {
    let buffered = initial;
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD) {
          cleanup();
          reject(new ExchangeError('protocol', 'response headers larger than 64 KiB'));
        }
        return;
      }
      cleanup();
      socket.pause();
      const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
      if (!match) {
        reject(new ExchangeError('protocol', `not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`));
        return;
      }
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({ status: Number(match[1]), statusText: match[2] ?? '', headers, rest: buffered.subarray(end + 4) });
    };
    const onEnd = () => {
      cleanup();
      reject(new ExchangeError('protocol', 'the connection was closed before a response arrived'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    // a complete head may already be buffered (after a 1xx); otherwise wait for more
    if (initial.length === 0 || initial.indexOf('\r\n\r\n') < 0) socket.resume();
    else onData(Buffer.alloc(0));
  });
}

/** The final response head: 1xx interim answers (100 Continue, 103 Early Hints) are skipped, as Go does. */
async function readFinalHead(socket: Socket): Promise<Head> {
  let head = await readHead(socket);
  while (head.status >= 100 && head.status < 200 && head.status !== 101) head = await readHead(socket, head.rest);
  return head;
}

function waitFor(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      socket.off(event, onOk);
      reject(err);
    };
    const onOk = () => {
      socket.off('error', onError);
      resolve();
    };
    socket.once(event, onOk);
    socket.once('error', onError);
  });
}

function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}

/**
 * The actual exchange; `track` registers every socket so that the deadline can destroy them, and
 * `phase` tells the error handler what was going on.
 */
async function run(req: WireRequest, options: ExchangeOptions, track: (s: Socket) => void, setPhase: (p: Phase) => void): Promise<ExchangeResult> {
  const host = stripBrackets(req.url.hostname);
  const port = defaultPort(req.url);
  const https = req.url.protocol === 'https:';
  const proxy = options.proxy;

  let socket: Socket;
  if (proxy) {
    setPhase('connecting to the proxy');
    socket = netConnect({ host: proxy.host, port: proxy.port, lookup });
    track(socket);
    await waitFor(socket, 'connect');
    if (https) {
      setPhase('opening the proxy tunnel');
      const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
      const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, 'User-Agent: Go-http-client/1.1'];
      if (proxy.authorization) lines.push(`Proxy-Authorization: ${proxy.authorization}`);
      await write(socket, `${lines.join('\r\n')}\r\n\r\n`);
      const head = await readHead(socket);
      if (head.status !== 200) {
        throw new ExchangeError('proxy', `proxy ${safeUrl(proxy.url)} (from ${proxy.origin}) refused the tunnel to ${authority}: HTTP ${head.status} ${head.statusText}`.trim());
      }
    }
  } else {
    setPhase('connecting');
    socket = netConnect({ host, port, lookup });
    track(socket);
    await waitFor(socket, 'connect');
  }

  if (https) {
    setPhase('TLS handshake');
    const tlsSocket: TLSSocket = tlsConnect({
      socket,
      // host is what the certificate is checked against; without it Node checks "localhost"
      host,
      servername: isIP(host) ? undefined : host,
      ALPNProtocols: ['http/1.1'],
      ...(options.ca ? { ca: options.ca } : {}),
    });
    track(tlsSocket);
    await waitFor(tlsSocket, 'secureConnect');
    socket = tlsSocket;
  }

  setPhase('sending');
  const viaPlainProxy = proxy !== undefined && !https;
  const extra: Array<[string, string]> = viaPlainProxy && proxy.authorization ? [['Proxy-Authorization', proxy.authorization]] : [];
  const responded = readFinalHead(socket);
  // A server may answer (e.g. 413) and close before the body is written; its answer still counts.
  responded.catch(() => undefined);
  try {
    await write(socket, Buffer.concat([Buffer.from(requestHead(req, viaPlainProxy, extra), 'latin1'), req.body]));
  } catch (err) {
    const early = await Promise.race([responded, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]).catch(() => undefined);
    if (!early) throw err;
  }
  setPhase('waiting for the response');
  const head = await responded;
  socket.destroy();
  return { status: head.status, statusText: head.statusText, location: head.headers.get('location') };
}

function classify(err: unknown, phase: Phase, req: WireRequest, options: ExchangeOptions): ExchangeError {
  if (err instanceof ExchangeError) return err;
  const code = errCode(err);
  const target = `${stripBrackets(req.url.hostname)}:${defaultPort(req.url)}`;
  const proxy = options.proxy;
  const proxyName = proxy ? `proxy ${safeUrl(proxy.url)} (from ${proxy.origin})` : '';
  const detail = describe(err);
  if (phase === 'connecting to the proxy') {
    const kind: FailureKind = DNS_CODES.has(code) ? 'dns' : 'proxy';
    const what = DNS_CODES.has(code) ? `cannot resolve the ${proxyName} host` : `cannot connect to ${proxyName}`;
    return new ExchangeError(kind, `${what}: ${code || detail}`, err);
  }
  if (phase === 'opening the proxy tunnel') return new ExchangeError('proxy', `${proxyName} failed while opening a tunnel to ${target}: ${code || detail}`, err);
  if (DNS_CODES.has(code)) return new ExchangeError('dns', `cannot resolve ${stripBrackets(req.url.hostname)} (DNS ${code})`, err);
  if (phase === 'connecting' && CONNECT_CODES.has(code)) {
    const what = code === 'ECONNREFUSED' ? 'connection refused' : code;
    return new ExchangeError('connect', `cannot connect to ${target}: ${what}`, err);
  }
  if (phase === 'TLS handshake') {
    const hint = /certificate|self.signed|issuer|CERT/i.test(`${code} ${detail}`) ? ' (a private CA? pass it with --ca-file or NODE_EXTRA_CA_CERTS)' : '';
    return new ExchangeError('tls', `TLS handshake with ${target} failed: ${code ? `${code}: ` : ''}${detail}${hint}`, err);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') return new ExchangeError('io', `connection to ${target} was reset while ${phase}`, err);
  return new ExchangeError('io', `${target}: ${phase}: ${code ? `${code}: ` : ''}${detail}`, err);
}

/** One POST with a deadline over the whole exchange, like Go's http.Client.Timeout. */
export async function exchange(req: WireRequest, options: ExchangeOptions): Promise<ExchangeResult> {
  const sockets: Socket[] = [];
  let phase: Phase = 'connecting';
  let timer: NodeJS.Timeout | undefined;
  const track = (s: Socket) => {
    // errors are taken from the promise that awaits each step; this keeps a late one from crashing the process
    s.on('error', () => undefined);
    sockets.push(s);
  };
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new ExchangeError('timeout', `no answer from ${safeUrl(req.url)} within ${formatDuration(options.timeoutMs)} (timed out while ${phase}; see --timeout)`));
    }, options.timeoutMs);
  });
  try {
    return await Promise.race([
      run(req, options, track, (p) => (phase = p)).catch((err: unknown) => {
        throw classify(err, phase, req, options);
      }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    for (const s of sockets) s.destroy();
  }
}
