/**
 * The proxy Coroot's Go client would use: http.ProxyFromEnvironment (golang.org/x/net/http/httpproxy).
 * HTTPS_PROXY for https URLs, HTTP_PROXY for http URLs (upper case first, then lower case, empty = unset),
 * NO_PROXY exclusions, and never a proxy for localhost or loopback addresses.
 */
import { isIP } from 'node:net';
import { usageError } from '../errors.js';
import { safeUrl } from './target.js';

export interface ProxyConfig {
  url: URL;
  host: string;
  port: number;
  /** the variable it came from, for messages */
  origin: string;
  /** Proxy-Authorization value from the proxy URL's user info */
  authorization: string | undefined;
}

function envAny(env: NodeJS.ProcessEnv, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value) return { name, value };
  }
  return undefined;
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function parseProxyUrl(text: string, origin: string): ProxyConfig {
  // httpproxy: a value without a scheme is taken as http://value
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(`${origin}=${safeUrl(text)}: not a proxy URL`);
  }
  if (url.protocol !== 'http:') {
    throw usageError(`${origin}=${safeUrl(url)}: only http:// proxies are supported by coroot-usage (Go also accepts https:// and socks5://)`);
  }
  const authorization = url.username || url.password
    ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
    : undefined;
  return { url, host: stripBrackets(url.hostname), port: defaultPort(url), origin, authorization };
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToInt(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - headParts.length - tailParts.length).fill('0');
  return [...headParts, ...fill, ...tailParts].reduce((acc, part) => (acc << 16n) + BigInt(parseInt(part || '0', 16)), 0n);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  const family = isIP(ip);
  if (family === 0 || family !== isIP(base)) return false;
  if (family === 4) {
    if (bits === 0) return true;
    const mask = (0xffffffff << (32 - bits)) >>> 0;
    return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(base) & mask) >>> 0);
  }
  const shift = BigInt(128 - bits);
  return ipv6ToBigInt(ip) >> shift === ipv6ToBigInt(base) >> shift;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return ipv6ToBigInt(host) === 1n;
  return false;
}

/** httpproxy's useProxy: the NO_PROXY matchers for IPs, CIDRs, domains and "*", with optional ports. */
export function bypassedByNoProxy(host: string, port: number, noProxy: string): boolean {
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/') && isIP(entry.split('/')[0]!)) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    let entryPort: number | undefined;
    const portMatch = /^(.*?):(\d+)$/.exec(entry);
    if (portMatch && !isIP(entry)) {
      entry = portMatch[1]!;
      entryPort = Number(portMatch[2]);
    }
    entry = stripBrackets(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (isIP(entry)) {
      if (isIP(host) && ipv6OrV4Equal(entry, host)) return true;
      continue;
    }
    if (entry.startsWith('*.')) entry = entry.slice(1);
    const matchHost = !entry.startsWith('.');
    const suffix = matchHost ? `.${entry}` : entry;
    if (host.endsWith(suffix) || (matchHost && host === entry)) return true;
  }
  return false;
}

function ipv6OrV4Equal(a: string, b: string): boolean {
  if (isIP(a) !== isIP(b)) return false;
  return isIP(a) === 4 ? a === b : ipv6ToBigInt(a) === ipv6ToBigInt(b);
}

/** The proxy for this URL, or undefined for a direct connection. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): ProxyConfig | undefined {
  const https = url.protocol === 'https:';
  // httpproxy ignores HTTP_PROXY under CGI (REQUEST_METHOD set), where a client could inject it
  const chosen = https ? envAny(env, 'HTTPS_PROXY', 'https_proxy') : env.REQUEST_METHOD ? undefined : envAny(env, 'HTTP_PROXY', 'http_proxy');
  if (!chosen) return undefined;
  const host = stripBrackets(url.hostname).toLowerCase();
  if (isLoopback(host)) return undefined;
  const noProxy = envAny(env, 'NO_PROXY', 'no_proxy');
  if (noProxy && bypassedByNoProxy(host, defaultPort(url), noProxy.value)) return undefined;
  return parseProxyUrl(chosen.value, chosen.name);
}
