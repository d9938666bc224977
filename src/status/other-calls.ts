/**
 * Coroot v1.24.5's vendor-bound traffic that disable_usage_statistics does not stop (payload.md
 * Appendix G), with whatever the local configuration says about each, so a user knows what else to block.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { usageError } from '../errors.js';
import { expandEnv, parseGoBool } from '../sources/coroot-config.js';
import { readSqliteSettings } from '../verify/instance-secrets.js';

export interface OtherCall {
  id: 'version-check' | 'coroot-cloud' | 'cloud-pricing' | 'stats-endpoint';
  what: string;
  method: string;
  url: string;
  /** who makes the call */
  from: 'browser' | 'coroot server' | 'any logged-in user (inbound)';
  /** true: happens; false: switched off; null: cannot tell from the files coroot-usage can read */
  active: boolean | null;
  state: string;
  /** how to stop it */
  control: string;
}

export interface OtherCallsInput {
  configFile: string | undefined;
  /** --do-not-check-for-updates as given to coroot-usage (undefined = not given) */
  doNotCheckForUpdates: boolean | undefined;
  dataDir: string;
  /** true when Coroot's database is PostgreSQL (its settings table is not read here) */
  postgres: boolean;
  env: NodeJS.ProcessEnv;
}

function readConfigYaml(path: string | undefined, env: NodeJS.ProcessEnv): Record<string, unknown> {
  if (!path || !existsSync(path)) return {};
  try {
    const doc = parseYaml(expandEnv(readFileSync(path, 'utf8'), env), { uniqueKeys: false }) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  } catch {
    // loadCorootConfig has already reported a broken file for the opt-out; here it only means "unknown"
    return {};
  }
}

const YAML_TRUE = new Set([true, 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);

/** The same rules as the usage-statistics opt-out: YAML OR (flag, else non-empty variable). */
function versionCheck(input: OtherCallsInput, yaml: Record<string, unknown>): OtherCall {
  const base = {
    id: 'version-check' as const,
    what: "each user's browser asks for the latest Coroot version, sending the instance UUID and version (x-instance-uuid, x-instance-version headers)",
    method: 'GET',
    url: 'https://cloud.coroot.com/ce/version',
    from: 'browser' as const,
    control: 'run Coroot with --do-not-check-for-updates, DO_NOT_CHECK_FOR_UPDATES=true or do_not_check_for_updates: true in its config file',
  };
  let decidedBy: string | undefined;
  if (YAML_TRUE.has(yaml.do_not_check_for_updates as string | boolean)) decidedBy = `${input.configFile}: do_not_check_for_updates`;
  if (input.doNotCheckForUpdates !== undefined) {
    if (input.doNotCheckForUpdates) decidedBy = '--do-not-check-for-updates';
  } else {
    const raw = input.env.DO_NOT_CHECK_FOR_UPDATES;
    if (raw) {
      const parsed = parseGoBool(raw);
      if (parsed === undefined) throw usageError(`DO_NOT_CHECK_FOR_UPDATES=${JSON.stringify(raw)}: not a boolean (Coroot would refuse to start)`);
      if (parsed) decidedBy = 'DO_NOT_CHECK_FOR_UPDATES';
    }
  }
  return decidedBy
    ? { ...base, active: false, state: `off (${decidedBy})` }
    : { ...base, active: true, state: 'on: not switched off by --do-not-check-for-updates, DO_NOT_CHECK_FOR_UPDATES or do_not_check_for_updates' };
}

/** What the settings table says about Coroot Cloud (SQLite only): connected, not connected, or unknown. */
function cloudInDatabase(input: OtherCallsInput): boolean | undefined {
  if (input.postgres) return undefined;
  try {
    const dbPath = join(input.dataDir, 'db.sqlite');
    if (!existsSync(dbPath)) return undefined;
    const cloud = readSqliteSettings(dbPath, 2000).cloud_integration_settings as { api_key?: unknown } | undefined;
    return typeof cloud?.api_key === 'string' && cloud.api_key !== '';
  } catch {
    return undefined;
  }
}

function corootCloud(input: OtherCallsInput, yaml: Record<string, unknown>): OtherCall {
  const cloud = yaml.corootCloud as Record<string, unknown> | undefined;
  const inFile = cloud && typeof cloud === 'object' && cloud.apiKey;
  const inDb = inFile ? undefined : cloudInDatabase(input);
  let active: boolean | null;
  let state: string;
  if (inDb !== undefined) {
    active = inDb;
    state = inDb ? 'on: connected (an API key is stored in the settings table)' : 'off: not connected (no API key in the config file or the settings table)';
  } else {
    active = inFile ? true : null;
    state = inFile
      ? `on: corootCloud.apiKey is set in ${input.configFile}`
      : 'not configured in the config file; it can also be connected in the UI (Settings → Coroot Cloud, stored in the database)';
  }
  return {
    id: 'coroot-cloud',
    what: 'Coroot Cloud (AI root-cause analysis) API calls with X-INSTANCE-UUID / X-DEPLOYMENT-UUID headers, only when Coroot Cloud is connected',
    method: 'GET/POST',
    url: 'https://cloud.coroot.com/api/*',
    from: 'coroot server',
    active,
    state,
    control: 'do not connect Coroot Cloud, or disconnect it in Settings',
  };
}

function cloudPricing(input: OtherCallsInput): OtherCall {
  const dir = join(input.dataDir, 'cloud-pricing');
  return {
    id: 'cloud-pricing',
    what: 'download of the public cloud price list for cost estimates: at start-up when there is no local copy, then every 24 h',
    method: 'GET',
    url: 'https://coroot.github.io/cloud-pricing/data/cloud-pricing.json.gz',
    from: 'coroot server',
    active: true,
    state: existsSync(dir) ? `on: a copy exists in ${dir}, refreshed every 24 h` : `on: no copy in ${dir} yet, so it is fetched at the next start`,
    control: 'block coroot.github.io at the egress firewall or proxy (no Coroot setting turns it off)',
  };
}

const statsEndpoint: OtherCall = {
  id: 'stats-endpoint',
  what: "GET /stats on Coroot itself returns the same statistics without profiles and drains the UX counters, so the next hourly send loses them; it works even when usage statistics are disabled",
  method: 'GET',
  url: '<coroot>/stats',
  from: 'any logged-in user (inbound)',
  active: true,
  state: 'always available to logged-in users',
  control: 'restrict access to Coroot; nothing leaves the machine unless the caller forwards it',
};

export function otherOutboundCalls(input: OtherCallsInput): OtherCall[] {
  const yaml = readConfigYaml(input.configFile, input.env);
  return [versionCheck(input, yaml), corootCloud(input, yaml), cloudPricing(input), statsEndpoint];
}
