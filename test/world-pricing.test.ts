/**
 * Node prices (integration.cloud_costs) from a cloud-pricing dump, following cloud-pricing/manager.go.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { newNode, type Node } from '../src/world/model.js';
import { DEFAULT_CUSTOM_CLOUD_PRICING, getNodePrice, readCloudPricing, type CloudPricingModel } from '../src/world/pricing.js';
import { LabelLastValue } from '../src/world/timeseries.js';

const W = { from: 0, to: 60, step: 30 };
const dir = mkdtempSync(join(tmpdir(), 'coroot-usage-pricing-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function dump(name: string, doc: unknown, gzip = true): string {
  const path = join(dir, name);
  const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

const DUMP = {
  aws: {
    compute: { 'us-east-1': { 'm5.large': { on_demand: 0.096, spot: 0.035 }, 'free.tier': { on_demand: 0, spot: 0 } } },
    managed_db: { 'us-east-1': { postgres: { 'db.t3.medium': { single_az: { on_demand: 0.072 }, multi_az: { on_demand: 0.144 } } } } },
    managed_cache: { 'us-east-1': { redis: { 'cache.t3.micro': { on_demand: 0.017 } } } },
    internet_egress: { 'us-east-1': { 0: 0.09, 10240: 0.085 } },
    inter_region_data_transfer: { 'us-east-1': { ingress_per_gb: 0, egress_per_gb: 0.01 } },
  },
  gcp: { compute: {} },
  azure: null,
  unknown_field: 'ignored',
};

function node(fields: { provider?: string; region?: string; type?: string; lifeCycle?: string; cpu?: number; mem?: number }): Node {
  const n = newNode('p', { machineId: 'm', systemUuid: 'm' });
  const set = (lv: LabelLastValue, v: string | undefined) => v !== undefined && lv.update(new Float32Array([1, 1, 1]), v, W);
  set(n.cloudProvider, fields.provider);
  set(n.region, fields.region);
  set(n.instanceType, fields.type);
  set(n.instanceLifeCycle, fields.lifeCycle);
  if (fields.cpu !== undefined) n.cpuCapacity = new Float32Array([NaN, fields.cpu, NaN]);
  if (fields.mem !== undefined) n.memoryTotalBytes = new Float32Array([fields.mem, NaN, NaN]);
  return n;
}

describe('cloud pricing', () => {
  const { model, error } = readCloudPricing(dump('ok.json.gz', DUMP));
  const pricing = model as CloudPricingModel;

  it('reads the gzipped dump, and refuses what Go\'s decoder refuses', () => {
    assert.equal(error, null);
    assert.ok(pricing.aws && pricing.gcp && pricing.azure === null);
    assert.match(readCloudPricing(join(dir, 'missing.json.gz')).error!, /ENOENT/);
    assert.notEqual(readCloudPricing(dump('plain.json', DUMP, false)).error, null);
    assert.notEqual(readCloudPricing(dump('truncated.json.gz', JSON.stringify(DUMP).slice(0, 50))).error, null);
    assert.match(readCloudPricing(dump('type.json.gz', { aws: { compute: { r: { t: { on_demand: '0.1' } } } } })).error!, /not a number/);
    assert.match(readCloudPricing(dump('range.json.gz', { gcp: { compute: { r: { t: { spot: 1e39 } } } } })).error!, /float32/);
    assert.match(readCloudPricing(dump('key.json.gz', { aws: { internet_egress: { r: { x: 1 } } } })).error!, /int64/);
  });

  it('needs a loaded dump and both CPU and memory', () => {
    const n = node({ provider: 'hetzner', cpu: 4, mem: 8e9 });
    assert.equal(getNodePrice(null, DEFAULT_CUSTOM_CLOUD_PRICING, n), null);
    assert.equal(getNodePrice(pricing, DEFAULT_CUSTOM_CLOUD_PRICING, node({ provider: 'hetzner', cpu: 4 })), null);
    assert.equal(getNodePrice(pricing, DEFAULT_CUSTOM_CLOUD_PRICING, node({ provider: 'hetzner', mem: 8e9 })), null);
  });

  it('prices other providers (and none) with the project\'s custom pricing', () => {
    const price = getNodePrice(pricing, DEFAULT_CUSTOM_CLOUD_PRICING, node({ cpu: 4, mem: 8e9 }))!;
    assert.equal(price.custom, true);
    // 4·0.03465/3600 + 8e9·0.003938/1e9/3600, in float32
    assert.ok(Math.abs(price.total - (4 * 0.03465 + 8 * 0.003938) / 3600) < 1e-9);
    assert.equal(getNodePrice(pricing, null, node({ cpu: 4, mem: 8e9 })), null);
  });

  it('looks AWS / GCP / Azure nodes up by lower-cased region and instance type', () => {
    const onDemand = getNodePrice(pricing, null, node({ provider: 'aws', region: 'US-EAST-1', type: 'm5.large', cpu: 2, mem: 8e9 }))!;
    assert.equal(onDemand.total, Math.fround(Math.fround(0.096) / 3600));
    assert.equal(onDemand.custom, false);
    const spot = getNodePrice(pricing, null, node({ provider: 'aws', region: 'us-east-1', type: 'm5.large', lifeCycle: 'Spot', cpu: 2, mem: 8e9 }))!;
    assert.equal(spot.total, Math.fround(Math.fround(0.035) / 3600));
    for (const n of [
      node({ provider: 'aws', region: 'eu-west-1', type: 'm5.large', cpu: 2, mem: 8e9 }),
      node({ provider: 'aws', region: 'us-east-1', type: 'M5.LARGE', cpu: 2, mem: 8e9 }),
      node({ provider: 'aws', region: 'us-east-1', type: 'free.tier', cpu: 2, mem: 8e9 }),
      node({ provider: 'gcp', region: 'us-east-1', type: 'm5.large', cpu: 2, mem: 8e9 }),
      node({ provider: 'azure', region: 'eastus', type: 'x', cpu: 2, mem: 8e9 }),
    ]) assert.equal(getNodePrice(pricing, DEFAULT_CUSTOM_CLOUD_PRICING, n), null);
  });

  it('prices RDS nodes from managed_db by engine and multi-AZ, ElastiCache from managed_cache', () => {
    const rds = node({ provider: 'aws', region: 'us-east-1', type: 'db.t3.medium', cpu: 2, mem: 4e9 });
    rds.rds = { engine: new LabelLastValue(), multiAz: new LabelLastValue() };
    rds.rds.engine.update(new Float32Array([1]), 'postgres', W);
    assert.equal(getNodePrice(pricing, null, rds)!.total, Math.fround(Math.fround(0.072) / 3600));
    rds.rds.multiAz.update(new Float32Array([1]), 'true', W);
    assert.equal(getNodePrice(pricing, null, rds)!.total, Math.fround(Math.fround(0.144) / 3600));
    rds.rds.multiAz.update(new Float32Array([1]), 'maybe', W);
    assert.equal(getNodePrice(pricing, null, rds), null);
    const ec = node({ provider: 'aws', region: 'us-east-1', type: 'cache.t3.micro', cpu: 1, mem: 1e9 });
    ec.elasticache = { engine: new LabelLastValue() };
    ec.elasticache.engine.update(new Float32Array([1]), 'redis', W);
    assert.equal(getNodePrice(pricing, null, ec)!.total, Math.fround(Math.fround(0.017) / 3600));
  });
});
