/**
 * The payload as indented JSON with a comment on every field, like Coroot's documentation page: what
 * the field means, where its value came from, its fidelity class, and why it has this value in this
 * build. The JSON part is exactly the payload (comments aside), with Go's number and string formatting.
 */
import type { ChalkInstance } from 'chalk';
import { encodeGo } from '../encoding/gojson.js';
import type { BuildNotes } from '../model/collect.js';
import { FIDELITY, type Fidelity } from '../model/go-zod.js';
import { payloadGoType } from '../model/payload-codec.js';
import { payloadSchema, type Payload } from '../model/payload-schema.js';
import { baseType, children, isContainer, rootNode, type WalkNode } from './field-walk.js';

const FIDELITY_COLOR: Record<Fidelity, keyof ChalkInstance> = { exact: 'green', rebuilt: 'cyan', runtime: 'magenta', 'memory-only': 'yellow' };

function leafText(node: WalkNode): string {
  return encodeGo(node.value, node.type).toString('utf8').trimEnd();
}

function comment(node: WalkNode, notes: BuildNotes, color: ChalkInstance): string {
  const parts: string[] = [];
  if (node.doc) {
    const fidelity = (color[FIDELITY_COLOR[node.doc.fidelity]] as (s: string) => string)(`[${node.doc.fidelity}]`);
    parts.push(`${node.doc.description} ${fidelity} source: ${node.doc.source}`);
  }
  const note = notes.get(node.path);
  if (note) parts.push(color.yellow(`note: ${note}`));
  return parts.length ? color.dim('  // ') + color.dim(parts.join(color.dim(' | '))) : '';
}

export function renderAnnotated(payload: Payload, notes: BuildNotes, color: ChalkInstance): string {
  const lines: string[] = [];
  const legend = (Object.keys(FIDELITY) as Fidelity[]).map((f) => `//   ${f}: ${FIDELITY[f]}`);
  lines.push(color.dim('// Coroot v1.24.5 usage-statistics payload, annotated. Fidelity classes:'), ...legend.map((l) => color.dim(l)));

  const render = (node: WalkNode, last: boolean): void => {
    const indent = '  '.repeat(node.depth);
    const keyText = node.key === undefined || typeof node.key === 'number' ? '' : `${color.bold(JSON.stringify(node.key))}: `;
    const comma = last ? '' : ',';
    const kids = children(node);
    if (!isContainer(node) || kids.length === 0) {
      const text = isContainer(node) ? (baseType(node.type).kind === 'struct' || baseType(node.type).kind === 'map' ? '{}' : '[]') : leafText(node);
      lines.push(`${indent}${keyText}${text}${comma}${comment(node, notes, color)}`);
      return;
    }
    const [open, close] = baseType(node.type).kind === 'slice' ? ['[', ']'] : ['{', '}'];
    lines.push(`${indent}${keyText}${open}${comment(node, notes, color)}`);
    kids.forEach((kid, i) => render(kid, i === kids.length - 1));
    lines.push(`${indent}${close}${comma}`);
  };
  render(rootNode(payload, payloadGoType, payloadSchema), true);
  return `${lines.join('\n')}\n`;
}
