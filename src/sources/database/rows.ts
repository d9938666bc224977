/**
 * Turning raw rows (the same from either engine) into records with the behaviour of Go's database/sql
 * scanning and Coroot's JSON decoding. A row Coroot itself could not read raises a CorootReadError that
 * names the table, row and column; collect() decides what Coroot would do about it.
 */
import { GoJsonError } from '../../encoding/godecode.js';
import { decodeCheckConfigKeys, decodeProjectRow, decodeRoles } from './coroot-json.js';
import type { ApplicationDeploymentRecord, ProjectRecord, UserRecord } from './records.js';

/** Which db function failed, in Coroot's terms. */
export type CorootRead = 'GetProjects' | 'GetUsers' | 'GetCheckConfigs' | 'GetSentIncidentNotificationsStat';

export class CorootReadError extends Error {
  constructor(readonly read: CorootRead, message: string) {
    super(message);
    this.name = 'CorootReadError';
  }
}

/** database/sql's conversion of a stored value into a Go string. */
function scanString(value: unknown, read: CorootRead, where: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new CorootReadError(read, `${where} is NULL`);
}

function scanNullString(value: unknown, read: CorootRead, where: string): string | null {
  return value === null || value === undefined ? null : scanString(value, read, where);
}

function scanInt(value: unknown, read: CorootRead, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  throw new CorootReadError(read, `${where} is not an integer`);
}

function decodeJson<T>(read: CorootRead, where: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof GoJsonError) throw new CorootReadError(read, `${where}: ${err.message}`);
    throw err;
  }
}

export const decodeStoredRows = {
  projects(rows: Array<{ id: unknown; name: unknown; prometheus: unknown; settings: unknown }>): ProjectRecord[] {
    return rows.map((row) => {
      const id = scanString(row.id, 'GetProjects', 'project.id');
      const name = scanString(row.name, 'GetProjects', `project ${id}: name`);
      const prometheus = scanNullString(row.prometheus, 'GetProjects', `project "${name}": prometheus`);
      const settings = scanNullString(row.settings, 'GetProjects', `project "${name}": settings`);
      return decodeJson('GetProjects', `project "${name}" (${id}): prometheus/settings column`,
        () => decodeProjectRow(id, name, prometheus, settings));
    });
  },

  users(rows: Array<{ id: unknown; email: unknown; name: unknown; roles: unknown }>): UserRecord[] {
    return rows.map((row) => {
      const id = scanInt(row.id, 'GetUsers', 'users.id');
      const roles = scanString(row.roles, 'GetUsers', `user ${id}: roles`);
      return {
        id,
        email: scanString(row.email, 'GetUsers', `user ${id}: email`),
        name: scanString(row.name, 'GetUsers', `user ${id}: name`),
        roles: decodeJson('GetUsers', `user ${id}: roles column`, () => decodeRoles(roles)),
      };
    });
  },

  checkConfigs(rows: Array<{ application_id: unknown; configs: unknown }>): Array<{ applicationId: string; configs: string | null }> {
    return rows.map((row) => ({
      // sql.NullString: a NULL application id reads as ""
      applicationId: scanNullString(row.application_id, 'GetCheckConfigs', 'check_configs.application_id') ?? '',
      configs: scanNullString(row.configs, 'GetCheckConfigs', 'check_configs.configs'),
    }));
  },

  sentNotifications(rows: Array<{ destination: unknown; count: unknown }>): Record<string, number> {
    const result: Record<string, number> = {};
    for (const row of rows) {
      const destination = scanString(row.destination, 'GetSentIncidentNotificationsStat', 'incident_notification.destination');
      result[destination] = scanInt(row.count, 'GetSentIncidentNotificationsStat', 'count');
    }
    return result;
  },

  deployments(rows: Array<Record<string, unknown>>): ApplicationDeploymentRecord[] {
    return rows.map((row) => ({
      projectId: String(row.project_id),
      applicationId: String(row.application_id),
      name: String(row.name),
      startedAt: Number(row.started_at),
      finishedAt: Number(row.finished_at ?? 0),
      metricsSnapshot: row.metrics_snapshot === null || row.metrics_snapshot === undefined ? null : String(row.metrics_snapshot),
    }));
  },
};

/** GetCheckConfigs' JSON step, for rows already read: the check ids of one row. */
export function decodeCheckConfigsColumn(projectName: string, applicationId: string, text: string): string[] {
  return decodeJson('GetCheckConfigs', `check_configs of project "${projectName}", application "${applicationId}"`, () => decodeCheckConfigKeys(text));
}
