/**
 * Consistency checks on a decoded profile: google/pprof's Profile.CheckValid (value counts, reserved and
 * duplicate ids, references that lead nowhere) plus what an audit needs on top: dangling mapping ids
 * (pprof silently drops them), a negative duration and totals that no longer fit a double exactly.
 * Returns the first problem as one sentence, or undefined.
 */
import { idIndex } from './ids.js';
import type { Profile } from './model.js';

export function validate(p: Profile): string | undefined {
  const nTypes = p.sampleTypes.length;
  if (nTypes === 0 && p.samples.length > 0) return `${p.samples.length} samples but no sample types`;

  const mappings = new Set<number>();
  for (const [i, m] of p.mappings.entries()) {
    if (m.id === 0) return `mapping #${i + 1} has the reserved id 0`;
    if (mappings.has(m.id)) return `two mappings have id ${m.id}`;
    mappings.add(m.id);
  }
  const functions = new Set<number>();
  for (const [i, f] of p.functions.entries()) {
    if (f.id === 0) return `function #${i + 1} has the reserved id 0`;
    if (functions.has(f.id)) return `two functions have id ${f.id}`;
    functions.add(f.id);
  }
  const locations = new Set<number>();
  for (const [i, l] of p.locations.entries()) {
    if (l.id === 0) return `location #${i + 1} has the reserved id 0`;
    if (locations.has(l.id)) return `two locations have id ${l.id}`;
    locations.add(l.id);
    if (l.mappingId !== 0 && !mappings.has(l.mappingId)) return `location ${l.id} refers to mapping ${l.mappingId}, which is not in the profile`;
    for (const ln of l.lines) {
      if (ln.functionId === 0) return `location ${l.id} has a line without a function`;
      if (!functions.has(ln.functionId)) return `location ${l.id} refers to function ${ln.functionId}, which is not in the profile`;
    }
  }

  const locationIndex = idIndex(p.locations.map((l) => l.id));
  const totals = new Array<number>(nTypes).fill(0);
  for (let i = 0; i < p.samples.length; i++) {
    const s = p.samples[i]!;
    if (s.values.length !== nTypes) return `sample #${i + 1} has ${s.values.length} values but there are ${nTypes} sample types`;
    const ids = s.locationIds;
    const table = locationIndex.table;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      const found = table !== undefined ? id < table.length && table[id]! >= 0 : locationIndex.get(id) >= 0;
      if (!found) return `sample #${i + 1} refers to location ${id}, which is not in the profile`;
    }
    for (let t = 0; t < nTypes; t++) totals[t]! += s.values[t]!;
  }
  for (let t = 0; t < nTypes; t++) {
    if (totals[t]! > Number.MAX_SAFE_INTEGER) return `the ${p.sampleTypes[t]!.type} values add up to more than 2^53`;
  }
  if (p.durationNanos < 0n) return `the duration is negative (${p.durationNanos} ns)`;
  if (p.timeNanos < 0n) return `the time is negative (${p.timeNanos} ns)`;
  return undefined;
}
