/**
 * Go's net.SplitHostPort and the inet.af/netaddr IP classification Coroot uses for destination
 * statistics (constructor/stats.go, utils/ip.go). Only what those need: host extraction, IP or not,
 * loopback, private (RFC 1918, fc00::/7 and 100.64.0.0/10).
 */
import { isIPv4, isIPv6 } from 'node:net';

/** net.SplitHostPort: [host, port], or null where Go returns an error. */
export function splitHostPort(hostport: string): [string, string] | null {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return null;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 === hostport.length || end + 1 !== i) return null;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return null;
  }
  if (hostport.slice(j).includes('[') || hostport.slice(k).includes(']')) return null;
  return [host, hostport.slice(i + 1)];
}

/** net.SplitHostPort's host, or "" wherever Go returns an error. */
export function splitHostPortHost(hostport: string): string {
  return splitHostPort(hostport)?.[0] ?? '';
}

export type IPClass = 'not-ip' | 'loopback' | 'private' | 'external';

/** The 16 bytes of a valid IPv6 literal without zone (an embedded IPv4 tail allowed). */
function ipv6Bytes(text: string): number[] {
  let s = text;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = s.slice(lastColon + 1).split('.').map(Number);
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

const DOT = 0x2e;
const ZERO = 0x30;

/** netaddr.ParseIP then IsLoopback / utils.IsIpPrivate; IPv4-mapped IPv6 counts as IPv6, as in netaddr. */
export function classifyHost(host: string): IPClass {
  if (isIPv4(host)) {
    // the first two octets by hand: split and map allocate, and every connection's address passes here
    let i = 0;
    let a = 0;
    for (let c = host.charCodeAt(i); c !== DOT; c = host.charCodeAt(++i)) a = a * 10 + c - ZERO;
    let b = 0;
    for (let c = host.charCodeAt(++i); c !== DOT; c = host.charCodeAt(++i)) b = b * 10 + c - ZERO;
    if (a === 127) return 'loopback';
    if (a === 10 || (a === 172 && (b & 0xf0) === 16) || (a === 192 && b === 168)) return 'private';
    if (a === 100 && (b & 0xc0) === 64) return 'private';
    return 'external';
  }
  if (isIPv6(host)) {
    const zone = host.indexOf('%');
    const bytes = ipv6Bytes(zone >= 0 ? host.slice(0, zone) : host);
    // netaddr compares the whole IP, zone included, with ::1
    if (zone < 0 && bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return 'loopback';
    if ((bytes[0]! & 0xfe) === 0xfc) return 'private';
    return 'external';
  }
  return 'not-ip';
}

/** net.ParseIP(s).IsLoopback() of the standard library, which, unlike netaddr, unmaps ::ffff:a.b.c.d */
export function isLoopbackIP(s: string): boolean {
  if (s.includes('%')) return false;
  // only an address starting with a colon can be mapped; the test spares most addresses the regex
  const mapped = s.charCodeAt(0) === 0x3a ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s) : null;
  return classifyHost(mapped ? mapped[1]! : s) === 'loopback';
}

/** net.ParseIP(s) != nil (no zones) */
export function isIP(s: string): boolean {
  return !s.includes('%') && classifyHost(s) !== 'not-ip';
}
