/**
 * Every piece of text inside a profile, grouped by what it is, so that a reviewer (or `verify`) can see
 * exactly which names, paths and identifiers a usage payload carries. Strings in the table that nothing
 * refers to are listed under `others` too: they are sent all the same.
 */
import type { Profile } from './model.js';

export interface ProfileStrings {
  /** Function.name */
  functionNames: string[];
  /** Function.system_name, where it differs from the name */
  systemNames: string[];
  /** Function.filename: source file paths */
  fileNames: string[];
  /** Mapping.filename: binaries and libraries */
  mappingFiles: string[];
  buildIds: string[];
  labelKeys: string[];
  /** string label values */
  labelValues: string[];
  /** sample and period types and units, numeric label units, default_sample_type */
  types: string[];
  comments: string[];
  /** drop_frames, keep_frames and strings nothing refers to */
  others: string[];
}

export const STRING_GROUPS: Array<[keyof ProfileStrings, string]> = [
  ['functionNames', 'function names'],
  ['systemNames', 'system names'],
  ['fileNames', 'file names'],
  ['mappingFiles', 'mapping files'],
  ['buildIds', 'build ids'],
  ['labelKeys', 'label keys'],
  ['labelValues', 'label values'],
  ['types', 'sample/period types'],
  ['comments', 'comments'],
  ['others', 'others'],
];

/** Unique non-empty strings of each group, in order of first appearance. */
export function profileStrings(p: Profile): ProfileStrings {
  const groups = new Map<keyof ProfileStrings, Set<string>>(STRING_GROUPS.map(([k]) => [k, new Set<string>()]));
  const seen = new Set<string>();
  const add = (group: keyof ProfileStrings, s: string | undefined) => {
    if (s === undefined || s === '') return;
    groups.get(group)!.add(s);
    seen.add(s);
  };
  for (const f of p.functions) {
    add('functionNames', f.name);
    if (f.systemName !== f.name) add('systemNames', f.systemName);
    else seen.add(f.systemName);
    add('fileNames', f.filename);
  }
  for (const m of p.mappings) {
    add('mappingFiles', m.file);
    add('buildIds', m.buildId);
  }
  for (const labels of p.samples.labels.values()) {
    for (const l of labels) {
      add('labelKeys', l.key);
      add('labelValues', l.str);
      add('types', l.numUnit);
    }
  }
  for (const t of p.sampleTypes) {
    add('types', t.type);
    add('types', t.unit);
  }
  add('types', p.periodType?.type);
  add('types', p.periodType?.unit);
  add('types', p.defaultSampleType);
  for (const c of p.comments) add('comments', c);
  add('others', p.dropFrames);
  add('others', p.keepFrames);
  for (const s of p.stringTable) if (!seen.has(s)) add('others', s);
  const out = {} as ProfileStrings;
  for (const [k] of STRING_GROUPS) out[k] = [...groups.get(k)!];
  return out;
}
