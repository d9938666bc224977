/**
 * model.CheckConfigs as LoadWorld reads them (db.GetCheckConfigs), and the look-ups the deployment
 * summary uses: GetSimple, GetAvailability, GetLatency (model/check.go). Each check's JSON is kept
 * unparsed and decoded with Go's rules at look-up time, because a config that fails to decode falls
 * back to the default there, not at load time.
 */
import { type ApplicationId, applicationIdString, parseApplicationId } from '../model/application-id.js';
import { decodeInto, GoJsonError, parseGoJson, type GoDecodeType, type JsonNode } from '../encoding/godecode.js';
import { ApplicationKind } from './application-id.js';
import { isAuxiliaryCategory } from './categories.js';
import { globMatch } from './glob.js';
import type { CustomSliQuery } from './queries.js';

/** One check_configs row as the DB reader returns it. */
export interface CheckConfigText {
  applicationId: string;
  configs: string | null;
}

interface AppConfigs {
  id: ApplicationId;
  zero: boolean;
  checks: Map<string, JsonNode>;
}

/** By application key ('' for the project level); Map order stands in for Go's map order. */
export type CheckConfigs = Map<string, AppConfigs>;

const keyOf = (id: ApplicationId): string => `${id.clusterId}\u0000${id.namespace}\u0000${id.kind}\u0000${id.name}`;
const withoutCluster = (id: ApplicationId): string => `${id.namespace}:${id.kind}:${id.name}`;

export class CheckConfigsError extends Error {}

/**
 * GetCheckConfigs: rows with an unparsable id or NULL configs are skipped; a configs value that is not a
 * JSON object (or null) fails the whole project, which LoadWorld then reports as its error.
 */
export function parseCheckConfigs(projectId: string, rows: readonly CheckConfigText[]): CheckConfigs {
  const res: CheckConfigs = new Map();
  for (const row of rows) {
    const parsed = parseApplicationId(row.applicationId, projectId);
    if (!parsed) continue;
    if (row.configs === null) continue;
    const zero = parsed.namespace === '' && parsed.kind === '' && parsed.name === '';
    let node: JsonNode;
    try {
      node = parseGoJson(row.configs);
    } catch (err) {
      throw new CheckConfigsError(`check_configs of application "${row.applicationId}": ${(err as Error).message}`);
    }
    if (node.t !== 'null' && node.t !== 'object') {
      throw new CheckConfigsError(`check_configs of application "${row.applicationId}": cannot unmarshal ${node.t} into map`);
    }
    const id: ApplicationId = zero ? { clusterId: '', namespace: '', kind: '', name: '' } : parsed;
    res.set(zero ? '' : keyOf(id), { id, zero, checks: new Map(node.t === 'object' ? node.entries : []) });
  }
  return res;
}

/** getRaw: the app's own config, else the first glob-matching app id's, else the project level's (flagged). */
function getRaw(cc: CheckConfigs, appId: ApplicationId, checkId: string): { raw: JsonNode; projectLevel: boolean } | null {
  const own = cc.get(keyOf(appId))?.checks.get(checkId);
  if (own) return { raw: own, projectLevel: false };
  const appIdStr = withoutCluster(appId);
  for (const configs of cc.values()) {
    if (configs.zero) continue;
    if (!globMatch(appIdStr, withoutCluster(configs.id))) continue;
    const raw = configs.checks.get(checkId);
    if (raw) return { raw, projectLevel: false };
  }
  const project = cc.get('')?.checks.get(checkId);
  return project ? { raw: project, projectLevel: true } : null;
}

function decode<T>(node: JsonNode, type: GoDecodeType): T | undefined {
  try {
    return decodeInto(node, type) as T;
  } catch (err) {
    if (err instanceof GoJsonError) return undefined; // Coroot logs the error and uses the default
    throw err;
  }
}

const float32: GoDecodeType = { kind: 'float32' };
const simpleType: GoDecodeType = { kind: 'struct', fields: { threshold: float32 } };
const availabilityType: GoDecodeType = { kind: 'slice', elem: { kind: 'struct', fields: { objective_percentage: float32 } } };
const latencyType: GoDecodeType = {
  kind: 'slice', elem: { kind: 'struct', fields: { objective_bucket: float32, objective_percentage: float32 } },
};

export const DEFAULT_THRESHOLDS: Readonly<Record<string, number>> = { SLOAvailability: 99, SLOLatency: 99, DeploymentStatus: 180 };

/** GetSimple(checkId).Threshold: a config that decodes (`null` and `{}` included: 0) replaces the default. */
export function getSimpleThreshold(cc: CheckConfigs, checkId: string, appId: ApplicationId): number {
  const def = DEFAULT_THRESHOLDS[checkId] ?? 0;
  const found = getRaw(cc, appId, checkId);
  if (!found) return def;
  return decode<{ threshold: number }>(found.raw, simpleType)?.threshold ?? def;
}

/** GetAvailability(appId).ObjectivePercentage */
export function getAvailabilityObjective(cc: CheckConfigs, appId: ApplicationId): number {
  const def = DEFAULT_THRESHOLDS.SLOAvailability!;
  const found = getRaw(cc, appId, 'SLOAvailability');
  // only a missing config zeroes an external service's objective; an undecodable one keeps 99
  if (!found) return appId.kind === ApplicationKind.ExternalService ? 0 : def;
  const list = decode<Array<{ objective_percentage: number }> | null>(found.raw, availabilityType);
  return list && list.length > 0 ? list[0]!.objective_percentage : def;
}

/** GetLatency(appId, category): objective bucket (seconds) and percentage. */
export function getLatencyObjective(cc: CheckConfigs, appId: ApplicationId, category: string): { bucket: number; objective: number } {
  const auxiliary = isAuxiliaryCategory(category);
  const def = { bucket: auxiliary ? 5 : 0.5, objective: DEFAULT_THRESHOLDS.SLOLatency! };
  const found = getRaw(cc, appId, 'SLOLatency');
  if (!found) return appId.kind === ApplicationKind.ExternalService ? { ...def, objective: 0 } : def;
  const list = decode<Array<{ objective_bucket: number; objective_percentage: number }> | null>(found.raw, latencyType);
  if (!list || list.length === 0) return def;
  const first = list[0]!;
  return { bucket: found.projectLevel && auxiliary ? 5 : first.objective_bucket, objective: first.objective_percentage };
}

const customAvailabilityType: GoDecodeType = {
  kind: 'slice', elem: { kind: 'struct', fields: { custom: { kind: 'bool' }, total_requests_query: { kind: 'string' }, failed_requests_query: { kind: 'string' } } },
};
const customLatencyType: GoDecodeType = {
  kind: 'slice', elem: { kind: 'struct', fields: { custom: { kind: 'bool' }, histogram_query: { kind: 'string' } } },
};

/**
 * The first element of a SLO config list (fields absent from the JSON are Go's zero values), or
 * undefined where GetAvailability/GetLatency fall back to the default, which is never custom.
 */
function firstSlo(cc: CheckConfigs, appId: ApplicationId, checkId: string, type: GoDecodeType): Record<string, unknown> | undefined {
  const found = getRaw(cc, appId, checkId);
  return found ? decode<Array<Record<string, unknown>> | null>(found.raw, type)?.[0] : undefined;
}
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The custom SLI queries queryCache adds for every application that has check configs (the project
 * level included): its availability or latency config may be its own, a glob match's or the project's.
 */
export function customSliQueries(cc: CheckConfigs): CustomSliQuery[] {
  const res: CustomSliQuery[] = [];
  for (const { id } of cc.values()) {
    const applicationId = applicationIdString(id);
    const availability = firstSlo(cc, id, 'SLOAvailability', customAvailabilityType);
    if (availability?.custom === true) {
      res.push({ applicationId, kind: 'total_requests', query: `sum(rate(${text(availability.total_requests_query)}[$RANGE]))` });
      res.push({ applicationId, kind: 'failed_requests', query: `sum(rate(${text(availability.failed_requests_query)}[$RANGE]))` });
    }
    const latency = firstSlo(cc, id, 'SLOLatency', customLatencyType);
    if (latency?.custom === true) res.push({ applicationId, kind: 'requests_histogram', query: `sum by(le)(rate(${text(latency.histogram_query)}[$RANGE]))` });
  }
  return res;
}
