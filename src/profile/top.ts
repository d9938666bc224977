/**
 * The `-top` text report of `go tool pprof` (google/pprof internal/report printText, as vendored in Go 1.19):
 * node dropping by --nodefraction, --nodecount selection, --cum ordering, output unit selection, header
 * lines and the row format, reproduced so that the output is byte-identical.
 */
import { inputError, usageError } from '../errors.js';
import { compareGoStrings, padLeft } from './gofmt.js';
import { buildEdges, buildGraph, type Graph } from './graph.js';
import { label as measurementLabel, percentage, scale, scaledLabel } from './measurement.js';
import type { Profile } from './model.js';
import { baseName, prepare, type Prepared } from './prepare.js';
import { formatGoTime } from './time.js';

export interface TopOptions {
  /** name ("inuse_space", "cpu") or index; undefined = the default sample type, else the last */
  sampleIndex?: string | undefined;
  /** sort by cumulative value (-cum) */
  cum?: boolean;
  /** keep only the first N rows (-nodecount); 0 = all */
  nodeCount?: number;
  /** drop nodes whose cum is below this fraction of the total (-nodefraction) */
  nodeFraction?: number;
  /** edges below this fraction are ignored for the (inline) marks (-edgefraction) */
  edgeFraction?: number;
  /** IANA zone for the Time: line; default: the zone Go would use (TZ, else /etc/localtime) */
  timeZone?: string | undefined;
  /** environment whose TZ decides the zone (default process.env) */
  env?: NodeJS.ProcessEnv;
}

export interface TopRow {
  name: string;
  /** '', '(inline)' or '(partial-inline)' */
  inline: string;
  flat: number;
  flatFormatted: string;
  flatPercent: string;
  sumPercent: string;
  cum: number;
  cumFormatted: string;
  cumPercent: string;
}

export interface TopReport {
  sampleType: string;
  sampleUnit: string;
  outputUnit: string;
  total: number;
  labels: string[];
  rows: TopRow[];
  droppedNodes: number;
  shownNodes: number;
  totalNodes: number;
}

/** profile.SampleIndexByName */
export function sampleIndexByName(p: Profile, sampleIndex: string | undefined): number {
  if (p.sampleTypes.length === 0) throw inputError('profile has no sample types');
  if (sampleIndex === undefined || sampleIndex === '') {
    if (p.defaultSampleType !== '') {
      const i = p.sampleTypes.findIndex((t) => t.type === p.defaultSampleType);
      if (i >= 0) return i;
    }
    return p.sampleTypes.length - 1;
  }
  if (/^[+-]?\d+$/.test(sampleIndex)) {
    const i = Number(sampleIndex);
    if (i < 0 || i >= p.sampleTypes.length) {
      throw usageError(`sample index ${sampleIndex} is outside the range [0..${p.sampleTypes.length - 1}]`);
    }
    return i;
  }
  const noInuse = sampleIndex.startsWith('inuse_') ? sampleIndex.slice('inuse_'.length) : sampleIndex;
  const i = p.sampleTypes.findIndex((t) => t.type === sampleIndex || t.type === noInuse);
  if (i >= 0) return i;
  throw usageError(`sample index "${sampleIndex}" must be one of: ${p.sampleTypes.map((t) => t.type).join(', ')}`);
}

function abs(v: number): number {
  return v < 0 ? -v : v;
}

/** int64(float64(v) * f) in Go: truncation toward zero */
function truncMul(v: number, f: number): number {
  return Math.trunc(v * f);
}

export function topReport(p: Profile, options: TopOptions = {}, prepared?: Prepared): TopReport {
  const index = sampleIndexByName(p, options.sampleIndex);
  const sampleType = p.sampleTypes[index]!;
  const nodeFraction = options.nodeFraction ?? 0.005;
  const edgeFraction = options.edgeFraction ?? 0.001;
  const nodeCount = options.nodeCount ?? 0;
  const prep = prepared ?? prepare(p);
  const nTypes = p.sampleTypes.length;
  const sampleValues = p.samples.values;
  const values = new Float64Array(p.samples.count);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = sampleValues[i * nTypes + index]!;
    values[i] = v;
    total += abs(v);
  }
  const names = prep.nodes.map((n) => n.printable);
  const sortKeys = prep.nodes.map((n) => n.sortKey);

  // newTrimmedGraph: dropping nodes keeps the values of the others (see graph.ts)
  const g = buildGraph(prep, p.samples, values);
  let nodes: number[] = [];
  let totalValue = 0;
  for (let n = 0; n < prep.nodes.length; n++) {
    if (g.cum[n] !== 0 || g.flat[n] !== 0) {
      nodes.push(n);
      totalValue += g.flat[n]!;
    }
  }
  const nodeCutoff = abs(truncMul(totalValue, nodeFraction));
  const edgeCutoff = abs(truncMul(totalValue, edgeFraction));
  let droppedNodes = 0;
  if (nodeCutoff > 0) {
    const keep = nodes.filter((n) => abs(g.cum[n]!) >= nodeCutoff);
    if (keep.length !== nodes.length) {
      droppedNodes = nodes.length - keep.length;
      nodes = keep;
    }
  }
  const origCount = nodes.length;
  sortGraphNodes(nodes, g, names, sortKeys, options.cum ?? false);
  if (nodeCount > 0 && nodeCount < nodes.length) nodes = nodes.slice(0, nodeCount);

  // (inline) marks come from the in-edges that survive edge trimming
  const inlineIn = new Uint8Array(prep.nodes.length);
  const callIn = new Uint8Array(prep.nodes.length);
  // every node on a stack is among the graph's nodes (sample values are never negative), so before any
  // node is dropped, the edges between the graph's nodes are all the edges
  const edges = buildEdges(prep, p.samples, values, nodes);
  for (let e = 0; e < edges.count; e++) {
    if (abs(edges.weight[e]!) < edgeCutoff) continue;
    if (edges.inline[e]) inlineIn[edges.dst[e]!] = 1;
    else callIn[edges.dst[e]!] = 1;
  }

  // selectOutputUnit
  let outputUnit = 'minimum';
  if (nodes.length > 0) {
    let minValue = 0;
    for (const n of nodes) {
      let nodeMin = abs(g.flat[n]!);
      if (nodeMin === 0) nodeMin = abs(g.cum[n]!);
      if (nodeMin > 0 && (minValue === 0 || nodeMin < minValue)) minValue = nodeMin;
    }
    const maxValue = total;
    if (minValue === 0) minValue = maxValue;
    const [, minUnit] = scale(minValue, sampleType.unit, 'minimum');
    const [, maxUnit] = scale(maxValue, sampleType.unit, 'minimum');
    let unit = minUnit;
    if (minUnit !== maxUnit && minValue * 100 < maxValue) [, unit] = scale(100 * minValue, sampleType.unit, 'minimum');
    outputUnit = unit !== '' ? unit : sampleType.unit;
  }
  const fmt = (v: number) => scaledLabel(v, sampleType.unit, outputUnit);

  // ProfileLabels + reportLabels
  const labels: string[] = [];
  if (p.mappings.length > 0) {
    if (prep.mainFile !== '') labels.push(`File: ${baseName(prep.mainFile)}`);
    if (prep.mainBuildId !== '') labels.push(`Build ID: ${prep.mainBuildId}`);
  }
  for (const c of prep.comments) if (!c.startsWith('#')) labels.push(c);
  if (sampleType.type !== '') labels.push(`Type: ${sampleType.type}`);
  if (p.timeNanos !== 0n) labels.push(`Time: ${formatGoTime(p.timeNanos, options.timeZone, options.env)}`);
  if (p.durationNanos !== 0n) {
    const duration = measurementLabel(Number(p.durationNanos), 'nanoseconds');
    const [totalNanos, totalUnit] = scale(total, sampleType.unit, 'nanoseconds');
    let ratio = '';
    if (totalUnit === 'ns' && totalNanos !== 0) ratio = `(${percentage(Math.trunc(totalNanos), Number(p.durationNanos))})`;
    labels.push(`Duration: ${duration}, Total samples = ${fmt(total)} ${ratio}`);
  }
  let flatSum = 0;
  for (const n of nodes) flatSum += g.flat[n]!;
  labels.push(`Showing nodes accounting for ${fmt(flatSum)}, ${percentage(flatSum, total).trim()} of ${fmt(total)} total`);
  if (total !== 0) {
    if (droppedNodes > 0) {
      labels.push(`Dropped ${droppedNodes} ${droppedNodes > 1 ? 'nodes' : 'node'} (cum <= ${fmt(abs(truncMul(total, nodeFraction)))})`);
    }
    if (nodes.length > 0 && nodes.length < origCount) labels.push(`Showing top ${nodes.length} nodes out of ${origCount}`);
  }

  const rows: TopRow[] = [];
  let running = 0;
  for (const n of nodes) {
    const flat = g.flat[n]!;
    const cum = g.cum[n]!;
    running += flat;
    rows.push({
      name: names[n]!,
      inline: inlineIn[n] ? (callIn[n] ? '(partial-inline)' : '(inline)') : '',
      flat,
      flatFormatted: fmt(flat),
      flatPercent: percentage(flat, total),
      sumPercent: percentage(running, total),
      cum,
      cumFormatted: fmt(cum),
      cumPercent: percentage(cum, total),
    });
  }
  return {
    sampleType: sampleType.type,
    sampleUnit: sampleType.unit,
    outputUnit,
    total,
    labels,
    rows,
    droppedNodes,
    shownNodes: nodes.length,
    totalNodes: origCount,
  };
}

function sortGraphNodes(nodes: number[], g: Graph, names: string[], sortKeys: string[], cum: boolean): void {
  const { flat, cum: cumv } = g;
  const primary = cum ? cumv : flat;
  const secondary = cum ? flat : cumv;
  nodes.sort((l, r) => {
    const a = abs(primary[l]!);
    const b = abs(primary[r]!);
    if (a !== b) return a > b ? -1 : 1;
    const c = compareGoStrings(names[l]!, names[r]!);
    if (c !== 0) return c;
    const x = abs(secondary[l]!);
    const y = abs(secondary[r]!);
    if (x !== y) return x > y ? -1 : 1;
    return compareGoStrings(sortKeys[l]!, sortKeys[r]!);
  });
}

/** The report as `go tool pprof -top` prints it. */
export function renderTop(report: TopReport): string {
  const out: string[] = [];
  out.push(`${report.labels.join('\n')}\n`);
  out.push(`${padLeft('flat', 10)} ${padLeft('flat', 5)}% ${padLeft('sum', 5)}% ${padLeft('cum', 10)} ${padLeft('cum', 5)}%\n`);
  for (const r of report.rows) {
    const inl = r.inline !== '' ? ` ${r.inline}` : '';
    out.push(`${padLeft(r.flatFormatted, 10)} ${r.flatPercent} ${r.sumPercent} ${padLeft(r.cumFormatted, 10)} ${r.cumPercent}  ${r.name}${inl}\n`);
  }
  return out.join('');
}
