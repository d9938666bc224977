/**
 * What Coroot's stats sender puts on the wire (stats/stats.go:30, 309): POST to a fixed URL with
 * Content-Type application/json, plus the headers Go's net/http adds over HTTP/1.1, in Go's order.
 */
import { createHash } from 'node:crypto';
import { usageError } from '../errors.js';
import { REDACTED, redact } from '../redact.js';

export const COROOT_COLLECTOR_URL = 'https://coroot.com/ce/usage-statistics';

/** Go's client: Host, User-Agent, Content-Length, then the header map sorted, then the transport's gzip. */
export interface WireRequest {
  method: 'POST';
  url: URL;
  headers: Array<[string, string]>;
  body: Buffer;
}

export function parseCollectorUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`--collector-url ${JSON.stringify(safeUrl(text))}: not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`--collector-url ${safeUrl(text)}: only http and https are supported`);
  }
  return url;
}

/** Go writes url.Host: host plus the port only when the URL names one. */
export function hostHeader(url: URL): string {
  return url.host;
}

export function buildWireRequest(url: URL, body: Buffer): WireRequest {
  const headers: Array<[string, string]> = [
    ['Host', hostHeader(url)],
    ['User-Agent', 'Go-http-client/1.1'],
    ['Content-Length', String(body.length)],
  ];
  // Go's http.Client turns URL user info into basic auth when no Authorization header is set.
  if (url.username || url.password) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.push(['Authorization', `Basic ${Buffer.from(credentials).toString('base64')}`]);
  }
  headers.push(['Content-Type', 'application/json'], ['Accept-Encoding', 'gzip']);
  return { method: 'POST', url, headers, body };
}

/** The request target: origin-form for a direct connection, absolute-form through a plain HTTP proxy. */
export function requestTarget(url: URL, absolute: boolean): string {
  const path = `${url.pathname || '/'}${url.search}`;
  if (!absolute) return path;
  return `${url.protocol}//${url.host}${path}`;
}

export function requestHead(req: WireRequest, absolute: boolean, extra: Array<[string, string]> = []): string {
  const lines = [`${req.method} ${requestTarget(req.url, absolute)} HTTP/1.1`];
  for (const [name, value] of [...req.headers, ...extra]) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A URL fit for messages and logs: user info replaced, then the usual redaction of secrets. */
export function safeUrl(url: URL | string): string {
  let text = typeof url === 'string' ? url : url.toString();
  try {
    const parsed = new URL(text);
    if (parsed.username || parsed.password) {
      parsed.username = REDACTED;
      parsed.password = '';
      text = parsed.toString();
    }
  } catch {
    // not a URL: the generic redaction below still applies
  }
  return redact(text);
}

/** Header values to show: credentials never leave the process except on the wire. */
export function displayHeaders(headers: Array<[string, string]>): Array<[string, string]> {
  return headers.map(([name, value]) =>
    /^(authorization|proxy-authorization)$/i.test(name) ? [name, `${value.split(' ')[0]} ${REDACTED}`] : [name, value]);
}

export function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function sameOrSubdomain(next: string, prev: string): boolean {
  return next === prev || next.endsWith(`.${prev}`);
}

/**
 * The request Go's client makes for a 307/308 answer: the same method and body to the new URL, with the
 * Authorization header kept only when the new host is the old one or a subdomain of it.
 */
export function redirectedRequest(prev: WireRequest, location: string): WireRequest | undefined {
  let next: URL;
  try {
    next = new URL(location, prev.url);
  } catch {
    return undefined;
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:') return undefined;
  const req = buildWireRequest(next, prev.body);
  const auth = prev.headers.find(([name]) => name === 'Authorization');
  if (auth && !req.headers.some(([name]) => name === 'Authorization') && sameOrSubdomain(next.hostname, prev.url.hostname)) {
    req.headers.splice(3, 0, auth);
  }
  return req;
}
