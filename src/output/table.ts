/**
 * A summary of the payload as tables (cli-table3): one row per field with its value and fidelity;
 * maps and lists are shortened to their size and first entries.
 */
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { encodeGo } from '../encoding/gojson.js';
import type { BuildNotes } from '../model/collect.js';
import { payloadGoType } from '../model/payload-codec.js';
import { payloadSchema, type Payload } from '../model/payload-schema.js';
import { describeWindow, type ProjectSourceReport } from '../model/source-report.js';
import { baseType, children, rootNode, type WalkNode } from './field-walk.js';

const MAX_VALUE = 60;

function summary(node: WalkNode): string {
  if (node.value === null) return 'null';
  const kind = baseType(node.type).kind;
  if (kind === 'map' || kind === 'slice' || kind === 'stringset') {
    const entries = kind === 'map' ? Object.keys(node.value as object).length : (node.value as unknown[]).length;
    const text = encodeGo(node.value, node.type).toString('utf8').trimEnd();
    return text.length <= MAX_VALUE ? text : `${entries} entries: ${text.slice(0, MAX_VALUE - 12)}…`;
  }
  const text = encodeGo(node.value, node.type).toString('utf8').trimEnd();
  return text.length <= MAX_VALUE ? text : `${text.slice(0, MAX_VALUE - 1)}…`;
}

/** One row per project whose world was asked for: where its metrics came from and what its world held. */
function projectsTable(sources: readonly ProjectSourceReport[], color: ChalkInstance, width: number): string {
  const table = new Table({
    head: [color.bold('project'), 'metrics', 'nodes', 'applications', 'failed queries'],
    style: { head: [], border: [] },
    colWidths: [24, Math.max(30, Math.min(70, width - 70)), 8, 14, 16],
    wordWrap: true,
  });
  for (const r of sources) {
    const counts = r.world ? [r.world.nodes, r.world.applications, r.world.failedQueries].map(String) : ['-', '-', '-'];
    const failed = r.world && r.world.failedQueries > 0 ? color.red(counts[2]!) : counts[2]!;
    table.push([r.project, `${r.source}, ${describeWindow(r)}`, counts[0]!, counts[1]!, failed]);
  }
  return table.toString();
}

export function renderTable(payload: Payload, notes: BuildNotes, color: ChalkInstance, width: number, sources: readonly ProjectSourceReport[] = []): string {
  const out: string[] = [];
  if (sources.length > 0) out.push(projectsTable(sources, color, width));
  for (const section of children(rootNode(payload, payloadGoType, payloadSchema))) {
    const table = new Table({
      head: [color.bold(section.path), 'value', 'fidelity'],
      style: { head: [], border: [] },
      colWidths: [32, Math.max(30, Math.min(70, width - 50)), 14],
      wordWrap: true,
    });
    const rows = section.path === 'performance' ? performanceRows(section) : children(section);
    for (const field of rows) {
      const note = notes.get(field.path) ?? notes.get(section.path);
      table.push([field.key === undefined ? field.path : field.path.slice(section.path.length + 1), summary(field) + (note ? color.dim(`\n(${note})`) : ''), field.doc?.fidelity ?? '']);
    }
    out.push(table.toString());
  }
  return `${out.join('\n')}\n`;
}

/** constructor.queries has ~280 entries: show counts instead of every query. */
function performanceRows(section: WalkNode): WalkNode[] {
  return children(section).flatMap((part) => (part.key === 'components' ? [part] : children(part)));
}
