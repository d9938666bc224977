/**
 * Which metrics each project's world is read from, decided from the command line: a Prometheus URL for
 * every project or per project (id or name), or with --live the Prometheus each project is configured
 * with in Coroot. Without either, nothing is contacted and no world is loaded.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import type { IO } from '../io.js';
import { registerSecret } from '../redact.js';
import type { CorootConfig } from '../sources/coroot-config.js';
import { prometheusConfig, projectPrometheus, PrometheusSource } from '../sources/prometheus.js';
import type { CorootDatabase, PrometheusIntegration, ProjectRecord } from '../sources/database/records.js';
import { loadCurrentProjectWorld } from '../world/project.js';
import { readCloudPricing } from '../world/pricing.js';
import type { WorldLoader } from './collect.js';

export interface PrometheusOptions {
  /** URL for every project, or PROJECT=URL with a project id or name (repeatable) */
  urls: string[];
  /** use each project's own Prometheus integration as stored in Coroot */
  live: boolean;
  user?: string;
  password?: string;
  /** "Name: value" */
  headers: string[];
  tlsSkipVerify: boolean;
  timeoutMs: number;
}

function parseHeader(text: string): { key: string; value: string } {
  const at = text.indexOf(':');
  if (at <= 0) throw usageError(`--prometheus-header ${JSON.stringify(text.split(':')[0])}: expected "Name: value"`);
  const header = { key: text.slice(0, at).trim(), value: text.slice(at + 1).trim() };
  registerSecret(header.value);
  return header;
}

function validUrl(url: string, flag: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    registerSecret(decodeURIComponent(parsed.password));
    return url;
  } catch {
    throw usageError(`${flag} ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: not an http(s) URL`);
  }
}

/** The Prometheus integration to read a project's metrics from, or undefined when it has none. */
function integrationFor(project: ProjectRecord, options: PrometheusOptions, global: PrometheusIntegration | undefined): PrometheusIntegration | undefined {
  const perProject = options.urls.map((u) => u.split(/=(?=https?:)/)).find((parts) => parts.length === 2 && (parts[0] === project.id || parts[0] === project.name));
  const everyProject = options.urls.find((u) => !/^[^=]+=https?:/.test(u));
  const flagUrl = perProject?.[1] ?? everyProject;
  const stored = options.live ? projectPrometheus(project, global) : undefined;
  const base = flagUrl !== undefined
    ? { ...project.prometheus, url: validUrl(flagUrl, '--prometheus-url'), basicAuth: null, customHeaders: null, tlsSkipVerify: false }
    : stored;
  if (!base || base.url === '') return undefined;
  return {
    ...base,
    basicAuth: options.user !== undefined ? { user: options.user, password: options.password ?? '' } : base.basicAuth,
    customHeaders: options.headers.length > 0 ? options.headers.map(parseHeader) : base.customHeaders,
    tlsSkipVerify: options.tlsSkipVerify || base.tlsSkipVerify,
  };
}

export function makeWorldLoader(options: PrometheusOptions, config: CorootConfig, dataDir: string, db: CorootDatabase, io: IO): WorldLoader | undefined {
  if (options.urls.length === 0 && !options.live) return undefined;
  registerSecret(options.password);
  const global: PrometheusIntegration | undefined = config.globalPrometheusUrl
    ? { global: true, url: config.globalPrometheusUrl, refreshInterval: 30, tlsSkipVerify: false, basicAuth: null, extraSelector: '', customHeaders: null, remoteWriteUrl: '', useClickHouse: false }
    : undefined;
  const pricingPath = join(dataDir, 'cloud-pricing', 'cloud-pricing.json.gz');
  const pricing = existsSync(pricingPath) ? readCloudPricing(pricingPath) : { model: null, error: null };
  if (pricing.error) io.warn(`${pricingPath}: ${pricing.error}; no node gets a price`);

  return async (project, profile, now) => {
    const integration = integrationFor(project, options, global);
    if (!integration) {
      io.warn(`project "${project.name}": no Prometheus to read (give --prometheus-url ${project.id}=URL); its world is not loaded`);
      return undefined;
    }
    const source = new PrometheusSource(prometheusConfig(integration, { timeoutMs: options.timeoutMs }));
    try {
      io.progress(`project "${project.name}": loading the last hour of metrics from ${source.description}`);
      const result = await loadCurrentProjectWorld(project, source, project.prometheus.refreshInterval, now, profile, {
        cloudPricing: pricing.model,
        getCheckConfigs: () => db.getCheckConfigRows(project.id),
      });
      io.progress('');
      if (result.status === 'stale') {
        io.warn(`project "${project.name}": ${result.reason}; Coroot skips a project without fresh metrics`);
        return undefined;
      }
      const { world } = result;
      if (world.failures.length > 0) {
        io.warn(`project "${project.name}": ${world.failures.length} queries failed (recorded as failed, as Coroot does), e.g. ${world.failures[0]!.query}: ${world.failures[0]!.message}`);
      }
      for (const warning of world.warnings.slice(0, 5)) io.warn(`project "${project.name}": ${warning}`);
      if (world.error !== null) io.warn(`project "${project.name}": the world did not load (${world.error}); Coroot skips such a project`);
      return world;
    } finally {
      io.progress('');
      await source.close();
    }
  };
}
