/**
 * What a v1.24.5 start-up migration would add to an older database. Coroot creates missing tables and
 * columns before its first collection, so reading them as empty/NULL gives what it would send right
 * after a restart; a database with none of Coroot's tables is not a Coroot database at all.
 */
export const REQUIRED_COLUMNS: Record<string, string[]> = {
  project: ['id', 'name', 'prometheus', 'settings'],
  check_configs: ['project_id', 'application_id', 'configs'],
  users: ['id', 'email', 'name', 'roles'],
  incident_notification: ['destination', 'timestamp', 'sent_at'],
  application_deployment: ['project_id', 'application_id', 'name', 'started_at', 'finished_at', 'metrics_snapshot'],
};

export interface SchemaReport {
  /** table → columns present */
  columns: Map<string, Set<string>>;
  /** what Coroot's migration would add, for a warning */
  missing: string[];
}

export function checkSchema(columns: Map<string, Set<string>>, where: string): SchemaReport | { notCoroot: string } {
  if (!columns.has('project')) {
    return { notCoroot: `${where} is not a Coroot database: it has no "project" table` };
  }
  const missing: string[] = [];
  for (const [table, wanted] of Object.entries(REQUIRED_COLUMNS)) {
    const present = columns.get(table);
    if (!present) {
      missing.push(`table ${table}`);
      continue;
    }
    for (const column of wanted) if (!present.has(column)) missing.push(`${table}.${column}`);
  }
  return { columns, missing };
}

/** A column list for SELECT where a column Coroot would add later reads as NULL. */
export function selectList(report: SchemaReport, table: string, columns: string[]): string {
  const present = report.columns.get(table) ?? new Set<string>();
  return columns.map((c) => (present.has(c) ? `"${c}"` : `NULL AS "${c}"`)).join(', ');
}
