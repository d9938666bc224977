/**
 * Local stand-ins for the network Coroot talks to: a collector (HTTP or HTTPS) that records every
 * connection and request, an HTTP CONNECT proxy that maps host names to 127.0.0.1, and a self-signed
 * certificate made with openssl.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';

export interface Received {
  method: string;
  url: string;
  rawHeaders: string[];
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Collector {
  url: string;
  port: number;
  connections: number;
  requests: Received[];
  close(): Promise<void>;
}

export type Handler = (req: Received, res: ServerResponse, index: number) => void;

const ok: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};

async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startCollector(handler: Handler = ok, tls?: { key: string; cert: string }, hostName = '127.0.0.1'): Promise<Collector> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: [] as Received[] };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = { method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, headers: req.headers, body: Buffer.concat(chunks) };
      state.requests.push(received);
      handler(received, res, state.requests.length - 1);
    });
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest) : createHttpServer(onRequest);
  server.on('connection', (s: Socket) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    url: `${tls ? 'https' : 'http'}://${hostName}:${port}/ce/usage-statistics`,
    port,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    close: () => closeServer(server, sockets),
  };
}

export interface Proxy {
  url: string;
  connects: string[];
  /** absolute-form request targets of plain HTTP requests, with their Proxy-Authorization */
  forwards: Array<{ target: string; auth: string | undefined }>;
  connections: number;
  close(): Promise<void>;
}

/** CONNECT host:port → 127.0.0.1:port; `refuse` answers 403 instead. */
export async function startConnectProxy(options: { refuse?: boolean; requireAuth?: string } = {}): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const state = { connects: [] as string[], forwards: [] as Proxy['forwards'], connections: 0 };
  // plain HTTP through the proxy: the request line carries the absolute URL; forward it to 127.0.0.1
  const server = createHttpServer((req, res) => {
    state.forwards.push({ target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400);
      res.end();
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: Number(target.port || 80), method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    state.connects.push(req.url ?? '');
    if (options.refuse || (options.requireAuth && req.headers['proxy-authorization'] !== options.requireAuth)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const port = Number((req.url ?? '').split(':').pop());
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connects: state.connects,
    forwards: state.forwards,
    get connections() {
      return state.connections;
    },
    close: () => closeServer(server, sockets),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function selfSignedCert(dir: string, name: string): { key: string; cert: string; certPath: string } {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name},IP:127.0.0.1`,
  ], { stdio: 'ignore' });
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}
