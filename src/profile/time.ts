/**
 * The "Time:" header line of pprof: Go's time.Format("Jan 2, 2006 at 3:04pm (MST)") in Go's local zone.
 * Go picks the zone from TZ (unset: /etc/localtime; empty or unknown: UTC) and prints the tzdata
 * abbreviation ("CET", "EST", "+03"); Intl gives offsets reliably but abbreviations like "GMT+1", so the
 * abbreviation is read from the zone file when there is one.
 */
import { existsSync, readFileSync, readlinkSync } from 'node:fs';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ZONEINFO = ['/usr/share/zoneinfo', '/usr/share/lib/zoneinfo', '/usr/lib/locale/TZ'];

interface Zone {
  /** IANA name for Intl, or undefined for UTC */
  name: string | undefined;
  /** path of the TZif file, if any */
  file: string | undefined;
}

function zoneFile(name: string): string | undefined {
  if (name.startsWith('/')) return existsSync(name) ? name : undefined;
  if (name.includes('..')) return undefined;
  for (const dir of ZONEINFO) {
    const path = `${dir}/${name}`;
    if (existsSync(path)) return path;
  }
  return undefined;
}

function ianaNameOf(path: string): string | undefined {
  try {
    const target = readlinkSync(path);
    const i = target.indexOf('zoneinfo/');
    if (i >= 0) return target.slice(i + 'zoneinfo/'.length);
  } catch {
    // not a symlink
  }
  const i = path.indexOf('zoneinfo/');
  if (i >= 0) return path.slice(i + 'zoneinfo/'.length);
  try {
    const name = readFileSync('/etc/timezone', 'utf8').trim();
    if (name) return name;
  } catch {
    // no /etc/timezone
  }
  return undefined;
}

function goLocalZone(env: NodeJS.ProcessEnv): Zone {
  let tz = env.TZ;
  if (tz === undefined) {
    const file = existsSync('/etc/localtime') ? '/etc/localtime' : undefined;
    if (!file) return { name: undefined, file: undefined };
    return { name: ianaNameOf(file), file };
  }
  if (tz.startsWith(':')) tz = tz.slice(1);
  if (tz === '' || tz === 'UTC') return { name: undefined, file: undefined };
  const file = zoneFile(tz);
  if (!file) return { name: undefined, file: undefined };
  return { name: tz.startsWith('/') ? ianaNameOf(file) : tz, file };
}

interface Tzif {
  /** transition times (unix seconds), ascending */
  times: number[];
  /** type index per transition */
  idx: number[];
  /** (utoff seconds, abbreviation) per type */
  types: Array<[number, string]>;
}

const tzifCache = new Map<string, Tzif | undefined>();

/** The 64-bit data of a TZif file (RFC 8536); undefined if it cannot be read. */
function readTzif(file: string): Tzif | undefined {
  if (tzifCache.has(file)) return tzifCache.get(file);
  let result: Tzif | undefined;
  try {
    let data = readFileSync(file);
    if (data.subarray(0, 4).toString('latin1') === 'TZif') {
      const header = (buf: Buffer) => ({
        isutcnt: buf.readUInt32BE(20),
        isstdcnt: buf.readUInt32BE(24),
        leapcnt: buf.readUInt32BE(28),
        timecnt: buf.readUInt32BE(32),
        typecnt: buf.readUInt32BE(36),
        charcnt: buf.readUInt32BE(40),
      });
      let h = header(data);
      let timeSize = 4;
      if (data[4]! >= 0x32) {
        // version 2+: skip the 32-bit block, use the 64-bit one
        const v1len = 44 + h.timecnt * 5 + h.typecnt * 6 + h.charcnt + h.leapcnt * 8 + h.isstdcnt + h.isutcnt;
        data = data.subarray(v1len);
        h = header(data);
        timeSize = 8;
      }
      const times: number[] = [];
      for (let i = 0; i < h.timecnt; i++) times.push(timeSize === 8 ? Number(data.readBigInt64BE(44 + i * 8)) : data.readInt32BE(44 + i * 4));
      const idxAt = 44 + h.timecnt * timeSize;
      const idx = Array.from(data.subarray(idxAt, idxAt + h.timecnt));
      const typesAt = idxAt + h.timecnt;
      const charsAt = typesAt + h.typecnt * 6;
      const types: Array<[number, string]> = [];
      for (let i = 0; i < h.typecnt; i++) {
        const off = data.readInt32BE(typesAt + i * 6);
        const ai = data[typesAt + i * 6 + 5]!;
        const end = data.indexOf(0, charsAt + ai);
        types.push([off, data.subarray(charsAt + ai, end).toString('latin1')]);
      }
      result = { times, idx, types };
    }
  } catch {
    result = undefined;
  }
  tzifCache.set(file, result);
  return result;
}

/** Offset and abbreviation from the transitions, when t falls before the last one (as Go looks it up). */
function fromTransitions(z: Tzif, seconds: number): [number, string] | undefined {
  if (z.types.length === 0) return undefined;
  if (z.times.length === 0) return z.types.length === 1 ? z.types[0] : undefined;
  if (seconds < z.times[0]!) return z.types[0];
  if (seconds >= z.times[z.times.length - 1]!) return undefined;
  let lo = 0;
  let hi = z.times.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (z.times[mid]! <= seconds) lo = mid;
    else hi = mid;
  }
  return z.types[z.idx[lo]!];
}

function offsetMinutes(ms: number, zone: string): number | undefined {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(ms));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
  } catch {
    return undefined;
  }
}

export function formatGoTime(nanos: bigint, timeZone?: string, env: NodeJS.ProcessEnv = process.env): string {
  const ms = Number(nanos / 1_000_000n);
  const zone: Zone = timeZone !== undefined ? { name: timeZone === 'UTC' ? undefined : timeZone, file: timeZone === 'UTC' ? undefined : zoneFile(timeZone) } : goLocalZone(env);
  let offset = 0;
  let abbr = 'UTC';
  const tzif = zone.file ? readTzif(zone.file) : undefined;
  const exact = tzif ? fromTransitions(tzif, Math.floor(ms / 1000)) : undefined;
  if (exact) {
    offset = exact[0] / 60;
    abbr = exact[1];
  } else if (zone.name !== undefined) {
    // after the last transition Go applies the zone's rule; Intl knows the offset, the file the name
    const minutes = offsetMinutes(ms, zone.name);
    if (minutes !== undefined) {
      offset = minutes;
      const match = [...(tzif?.types ?? [])].reverse().find(([off]) => off === minutes * 60);
      if (match) abbr = match[1];
      else {
        const sign = minutes < 0 ? '-' : '+';
        const a = Math.abs(minutes);
        abbr = `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}${a % 60 ? String(a % 60).padStart(2, '0') : ''}`;
      }
    }
  }
  const d = new Date(ms + offset * 60000);
  const hour = d.getUTCHours();
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  const minute = String(d.getUTCMinutes()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${h12}:${minute}${hour < 12 ? 'am' : 'pm'} (${abbr})`;
}
