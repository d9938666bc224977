/**
 * Node prices from Coroot's cloud-pricing dump (cloud-pricing/manager.go, model.go). The payload only
 * asks whether some node has a price (`integration.cloud_costs`), but that needs the whole rule: the dump
 * must load, the node's CPU and memory must be known, and AWS / GCP / Azure nodes need a positive price
 * for their region and instance type, while any other provider gets the project's custom pricing.
 *
 * Coroot keeps the dump in DATA_DIR/cloud-pricing/cloud-pricing.json.gz and downloads it when missing;
 * offline, its presence in the data directory says whether the running Coroot had one.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { goToLower } from './gostrings.js';
import type { Node } from './model.js';
import type { Series } from './timeseries.js';

export const CLOUD_PRICING_FILE = 'cloud-pricing.json.gz';

export interface InstancePricing {
  on_demand: number;
  spot: number;
}
export interface DBInstancePricing {
  single_az: InstancePricing | null;
  multi_az: InstancePricing | null;
}
export interface CloudPricing {
  compute: Record<string, Record<string, InstancePricing | null>> | null;
  managed_db: Record<string, Record<string, Record<string, DBInstancePricing | null>>> | null;
  managed_cache: Record<string, Record<string, Record<string, InstancePricing | null>>> | null;
}
export interface CloudPricingModel {
  aws: CloudPricing | null;
  gcp: CloudPricing | null;
  azure: CloudPricing | null;
}

export interface NodePrice {
  total: number;
  perCPUCore: number;
  perMemoryByte: number;
  custom: boolean;
}

/** db.CustomCloudPricing; applyDefaults installs one for every project, so it is never missing. */
export interface CustomCloudPricing {
  perCPUCore: number;
  perMemoryGb: number;
}
export const DEFAULT_CUSTOM_CLOUD_PRICING: CustomCloudPricing = { perCPUCore: Math.fround(0.03465), perMemoryGb: Math.fround(0.003938) };

class DecodeError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** encoding/json into float32: a number within float32 range, or null (left at zero). */
function float32(v: unknown, where: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v !== 'number') throw new DecodeError(`${where}: not a number`);
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw new DecodeError(`${where}: out of float32 range`);
  return f;
}
function float64(v: unknown, where: string): void {
  if (v !== null && v !== undefined && typeof v !== 'number') throw new DecodeError(`${where}: not a number`);
}
/** a Go map field: null stays nil, anything but an object fails the whole decode */
function map<T>(v: unknown, where: string, value: (x: unknown, at: string, key: string) => T): Record<string, T> | null {
  if (v === null || v === undefined) return null;
  if (!isObject(v)) throw new DecodeError(`${where}: not an object`);
  const out: Record<string, T> = {};
  for (const [k, x] of Object.entries(v)) out[k] = value(x, `${where}.${k}`, k);
  return out;
}
function ptr<T>(v: unknown, where: string, decode: (x: Record<string, unknown>, at: string) => T): T | null {
  if (v === null || v === undefined) return null;
  if (!isObject(v)) throw new DecodeError(`${where}: not an object`);
  return decode(v, where);
}
const instancePricing = (v: unknown, at: string) => ptr(v, at, (x) => ({ on_demand: float32(x.on_demand, `${at}.on_demand`), spot: float32(x.spot, `${at}.spot`) }));

function cloudPricing(v: unknown, at: string): CloudPricing | null {
  return ptr(v, at, (x) => {
    // the sections coroot-usage does not use must still decode, or Coroot's whole model is nil
    map(x.internet_egress, `${at}.internet_egress`, (r, w) => map(r, w, (p, w2, key) => {
      if (!/^[+-]?\d+$/.test(key) || BigInt(key) >= 2n ** 63n || BigInt(key) < -(2n ** 63n)) throw new DecodeError(`${w2}: key is not an int64`);
      float64(p, w2);
    }));
    map(x.inter_region_data_transfer, `${at}.inter_region_data_transfer`, (r, w) => {
      if (!isObject(r)) throw new DecodeError(`${w}: not an object`);
      float64(r.ingress_per_gb, `${w}.ingress_per_gb`);
      float64(r.egress_per_gb, `${w}.egress_per_gb`);
    });
    return {
      compute: map(x.compute, `${at}.compute`, (r, w) => map(r, w, instancePricing) ?? {}),
      managed_db: map(x.managed_db, `${at}.managed_db`, (r, w) => map(r, w, (e, w2) => map(e, w2, (i, w3) => ptr(i, w3, (d) => ({
        single_az: instancePricing(d.single_az, `${w3}.single_az`),
        multi_az: instancePricing(d.multi_az, `${w3}.multi_az`),
      }))) ?? {}) ?? {}),
      managed_cache: map(x.managed_cache, `${at}.managed_cache`, (r, w) => map(r, w, (e, w2) => map(e, w2, instancePricing) ?? {}) ?? {}),
    };
  });
}

/** loadFromFile: the gzipped JSON dump, or the reason Coroot would have no model. */
export function readCloudPricing(path: string): { model: CloudPricingModel | null; error: string | null } {
  try {
    const doc: unknown = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
    if (!isObject(doc)) throw new DecodeError('not a JSON object');
    return { model: { aws: cloudPricing(doc.aws, 'aws'), gcp: cloudPricing(doc.gcp, 'gcp'), azure: cloudPricing(doc.azure, 'azure') }, error: null };
  } catch (err) {
    return { model: null, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Reduce(timeseries.Max): NaN for nil or all-NaN series. */
function maxOf(ts: Series): number {
  let max = NaN;
  for (const v of ts ?? []) if (!Number.isNaN(v) && (Number.isNaN(max) || v > max)) max = v;
  return max;
}

const HOUR = 3600;
const GB = 1e9;
const f = Math.fround;

/**
 * Manager.GetNodePrice. `custom` is the project's custom pricing for compute nodes and null for RDS /
 * ElastiCache nodes, as Coroot calls it. A dump lacking the provider's section would crash Coroot; here
 * the node simply has no price.
 */
export function getNodePrice(pricing: CloudPricingModel | null, custom: CustomCloudPricing | null, node: Node): NodePrice | null {
  if (!pricing) return null;
  const cpuCores = maxOf(node.cpuCapacity);
  const memBytes = maxOf(node.memoryTotalBytes);
  if (Number.isNaN(cpuCores) || Number.isNaN(memBytes)) return null;
  let cloud: CloudPricing | null;
  switch (goToLower(node.cloudProvider.value())) {
    case 'aws': cloud = pricing.aws; break;
    case 'gcp': cloud = pricing.gcp; break;
    case 'azure': cloud = pricing.azure; break;
    default: {
      if (!custom) return null;
      const perCPUCore = f(custom.perCPUCore / HOUR);
      const perMemoryByte = f(f(custom.perMemoryGb / GB) / HOUR);
      return { total: f(f(f(cpuCores * custom.perCPUCore) / HOUR) + f(f(f(memBytes * custom.perMemoryGb) / GB) / HOUR)), perCPUCore, perMemoryByte, custom: true };
    }
  }
  if (!cloud) return null;
  const region = goToLower(node.region.value());
  const instanceType = node.instanceType.value();
  let price = 0;
  if (node.rds) {
    const i = cloud.managed_db?.[region]?.[node.rds.engine.value()]?.[instanceType];
    if (!i) return null;
    const multiAz = node.rds.multiAz.value();
    if (multiAz === '' || multiAz === 'false') price = i.single_az?.on_demand ?? 0;
    else if (multiAz === 'true') price = i.multi_az?.on_demand ?? 0;
  } else if (node.elasticache) {
    const i = cloud.managed_cache?.[region]?.[node.elasticache.engine.value()]?.[instanceType];
    if (!i) return null;
    price = i.on_demand;
  } else {
    const i = cloud.compute?.[region]?.[instanceType];
    if (!i) return null;
    const lifeCycle = goToLower(node.instanceLifeCycle.value());
    price = lifeCycle === 'spot' || lifeCycle === 'preemptible' ? i.spot : i.on_demand;
  }
  if (!(price > 0)) return null;
  price = f(price / HOUR);
  // one GB of memory is assumed to cost as much as one vCPU
  const perUnit = f(price / f(cpuCores + f(memBytes / GB)));
  return { total: price, perCPUCore: perUnit, perMemoryByte: f(perUnit / GB), custom: false };
}
