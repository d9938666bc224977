/**
 * What `go tool pprof` does to a profile between reading it and building a report, as far as it changes a
 * -top report: demangled/simplified function names (internal/symbolizer Demangle), drop_frames/keep_frames
 * pruning (profile.Prune), file names of URL-only mappings cleared (driver unsourceMappings), comments
 * de-duplicated (profile.Merge). The result is a per-location list of report nodes at function granularity
 * (profile.Aggregate with inlines kept, addresses, files and line numbers dropped).
 */
import type { Profile } from './model.js';

/** One line of the report: a function, or a location without symbols. */
export interface NodeInfo {
  name: string;
  objfile: string;
  startLine: number;
  /** NodeInfo.PrintableName */
  printable: string;
  /** fmt.Sprint(NodeInfo), pprof's last tie-breaker when sorting */
  sortKey: string;
}

export interface Prepared {
  nodes: NodeInfo[];
  /**
   * The report nodes of the location at position x, innermost line first:
   * locationNodes[nodeStart[x] .. nodeStart[x + 1]). All but the last were inlined into the next.
   */
  nodeStart: Int32Array;
  locationNodes: Int32Array;
  /**
   * The stack of sample s after drop_frames pruning: Samples.locations[stackStart[s] .. locStart[s + 1]),
   * leaf first; pprof walks it from the end (the root), and each location's lines from the last.
   */
  stackStart: Int32Array;
  comments: string[];
  /** Mapping[0] file (after unsourcing) and build id, for the File/Build ID header lines */
  mainFile: string;
  mainBuildId: string;
}

function looksLikeDemangledCPlusPlus(name: string): boolean {
  if (name.includes('.<')) return false; // Skip java names of the form "class.<init>"
  if (name.includes(']).')) return false; // Skip Go names of the form "foo.(*Bar[...]).Method"
  return /[<>[\]]/.test(name) || name.includes('::');
}

function removeMatching(name: string, start: string, end: string): string {
  let nesting = 0;
  let first = 0;
  let current = 0;
  for (;;) {
    let index = -1;
    for (let i = current; i < name.length; i++) {
      if (name[i] === start || name[i] === end) {
        index = i;
        break;
      }
    }
    if (index === -1) break;
    current = index;
    if (name[current] === start) {
      nesting++;
      if (nesting === 1) first = current;
    } else {
      nesting--;
      if (nesting < 0) return name;
      if (nesting === 0) {
        name = name.slice(0, first) + name.slice(current + 1);
        current = first - 1;
      }
    }
    current++;
  }
  return name;
}

/**
 * The name pprof shows for a function. pprof demangles C++/Rust symbols first; usage profiles hold Go and
 * JavaScript names only, so that step is not reproduced (see docs/profile.md).
 */
export function displayName(name: string, systemName: string): string {
  if (name !== '' && systemName !== name) return name;
  let n = systemName;
  if (looksLikeDemangledCPlusPlus(n)) {
    n = removeMatching(n, '(', ')');
    n = removeMatching(n, '<', '>');
  }
  return n;
}

function isAbsoluteUrl(file: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(file) && !/[\s\x00-\x1f]/.test(file);
}

function baseName(path: string): string {
  // filepath.Base: trailing slashes removed, "" → ".", "/" → "/"
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  const i = trimmed.lastIndexOf('/');
  return i >= 0 ? trimmed.slice(i + 1) : trimmed;
}

export { baseName };

const RESERVED = ['(anonymous namespace)', 'operator()'];

function simplifyFunc(f: string): string {
  let name = f.startsWith('.') ? f.slice(1) : f;
  const rx = /\(anonymous namespace\)|operator\(\)|\(/g;
  for (let m = rx.exec(name); m; m = rx.exec(name)) {
    if (!RESERVED.includes(m[0])) {
      name = name.slice(0, m.index);
      break;
    }
  }
  return name;
}

function compileFrames(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(${pattern})$`);
  } catch {
    return undefined;
  }
}

export function prepare(p: Profile): Prepared {
  const funcNames = new Map<number, string>();
  for (const f of p.functions) funcNames.set(f.id, displayName(f.name, f.systemName));
  const mappingFile = new Map<number, string>();
  for (const m of p.mappings) mappingFile.set(m.id, m.buildId === '' && isAbsoluteUrl(m.file) ? '' : m.file);

  // drop_frames / keep_frames (profile.Prune)
  let locLines = new Map<number, number[]>(); // location id → function ids
  for (const l of p.locations) locLines.set(l.id, l.lines.map((ln) => ln.functionId));
  const prune = new Set<number>();
  const pruneBeneath = new Set<number>();
  const drop = p.dropFrames !== '' ? compileFrames(p.dropFrames) : undefined;
  if (drop) {
    const keep = p.keepFrames !== '' ? compileFrames(p.keepFrames) : undefined;
    const next = new Map<number, number[]>();
    for (const [id, fns] of locLines) {
      let i: number;
      for (i = fns.length - 1; i >= 0; i--) {
        const name = funcNames.get(fns[i]!) ?? '';
        if (name === '') continue;
        const simple = simplifyFunc(name);
        if (drop.test(simple) && !(keep && keep.test(simple))) break;
      }
      if (i >= 0) {
        pruneBeneath.add(id);
        if (i === fns.length - 1) prune.add(id);
        else next.set(id, fns.slice(i + 1));
      }
      if (!next.has(id)) next.set(id, fns);
    }
    locLines = next;
  }

  const nodes: NodeInfo[] = [];
  const byKey = new Map<string, number>();
  const node = (name: string, objfile: string, startLine: number): number => {
    const key = `${name}\u0000${objfile}\u0000${startLine}`;
    let i = byKey.get(key);
    if (i === undefined) {
      i = nodes.length;
      let printable: string;
      if (name !== '') printable = name;
      else if (objfile !== '') printable = `[${baseName(objfile)}]`;
      else printable = '<unknown>';
      nodes.push({ name, objfile, startLine, printable, sortKey: `{${name}  0  ${startLine} 0 ${objfile}}` });
      byKey.set(key, i);
    }
    return i;
  };
  const functions = new Map(p.functions.map((f) => [f.id, f]));
  const locationNodes = new Map<number, number[]>();
  for (const l of p.locations) {
    const objfile = l.mappingId !== 0 ? mappingFile.get(l.mappingId) ?? '' : '';
    const fns = locLines.get(l.id)!;
    if (fns.length === 0) {
      locationNodes.set(l.id, [node('', objfile, 0)]);
      continue;
    }
    locationNodes.set(
      l.id,
      fns.map((fid) => {
        const name = funcNames.get(fid) ?? '';
        // pprof keeps the binary name and start line only for functions without a name
        return name === '' ? node('', objfile, functions.get(fid)?.startLine ?? 0) : node(name, '', 0);
      }),
    );
  }

  const { locStart, locations } = p.samples;
  let stackStart = locStart;
  if (drop) {
    stackStart = locStart.slice();
    for (let s = 0; s < p.samples.count; s++) {
      const first = locStart[s]!;
      let foundUser = false;
      for (let i = locStart[s + 1]! - 1; i >= first; i--) {
        const id = p.locations[locations[i]!]!.id;
        if (!prune.has(id) && !pruneBeneath.has(id)) {
          foundUser = true;
          continue;
        }
        if (!foundUser) continue;
        stackStart[s] = prune.has(id) ? i + 1 : i;
        break;
      }
    }
  }

  const nodeStart = new Int32Array(p.locations.length + 1);
  const nodeList: number[] = [];
  for (let i = 0; i < p.locations.length; i++) {
    nodeStart[i] = nodeList.length;
    nodeList.push(...locationNodes.get(p.locations[i]!.id)!);
  }
  nodeStart[p.locations.length] = nodeList.length;

  const comments = [...new Set(p.comments)];
  const main = p.mappings[0];
  return {
    nodes,
    nodeStart,
    locationNodes: Int32Array.from(nodeList),
    stackStart,
    comments,
    mainFile: main ? mappingFile.get(main.id) ?? '' : '',
    mainBuildId: main?.buildId ?? '',
  };
}
