/**
 * Consistency checks on a decoded profile: google/pprof's Profile.CheckValid (value counts, reserved and
 * duplicate ids, references that lead nowhere) plus what an audit needs on top: dangling mapping ids
 * (pprof silently drops them), a negative duration and totals that no longer fit a double exactly.
 * The first problem is returned as one sentence; a valid profile's samples come back trimmed to size.
 */
import type { Profile, Samples } from './model.js';

/** The samples as decoded (see Samples), with any number of values each and not yet validated. */
export interface RawSamples {
  count: number;
  /** sample s has the locations locations[locStart[s] .. locStart[s + 1]) */
  locStart: Int32Array;
  locations: Int32Array;
  /** and the values values[valStart[s] .. valStart[s + 1]) */
  valStart: Int32Array;
  values: Float64Array;
  /** the first reference to a location that is not in the profile */
  dangling: { sample: number; id: number } | undefined;
}

export type Checked = { problem: string } | { samples: Omit<Samples, 'labels'> };

export function validate(p: Omit<Profile, 'samples'>, raw: RawSamples): Checked {
  const problem = (text: string): Checked => ({ problem: text });
  const nTypes = p.sampleTypes.length;
  if (nTypes === 0 && raw.count > 0) return problem(`${raw.count} samples but no sample types`);

  const mappings = new Set<number>();
  // indexed loops: entries() allocates a pair per element, and this runs before anything is optimised
  for (let i = 0; i < p.mappings.length; i++) {
    const m = p.mappings[i]!;
    if (m.id === 0) return problem(`mapping #${i + 1} has the reserved id 0`);
    if (mappings.has(m.id)) return problem(`two mappings have id ${m.id}`);
    mappings.add(m.id);
  }
  const functions = new Set<number>();
  for (let i = 0; i < p.functions.length; i++) {
    const f = p.functions[i]!;
    if (f.id === 0) return problem(`function #${i + 1} has the reserved id 0`);
    if (functions.has(f.id)) return problem(`two functions have id ${f.id}`);
    functions.add(f.id);
  }
  const locations = new Set<number>();
  for (let i = 0; i < p.locations.length; i++) {
    const l = p.locations[i]!;
    if (l.id === 0) return problem(`location #${i + 1} has the reserved id 0`);
    if (locations.has(l.id)) return problem(`two locations have id ${l.id}`);
    locations.add(l.id);
    if (l.mappingId !== 0 && !mappings.has(l.mappingId)) return problem(`location ${l.id} refers to mapping ${l.mappingId}, which is not in the profile`);
    for (const ln of l.lines) {
      if (ln.functionId === 0) return problem(`location ${l.id} has a line without a function`);
      if (!functions.has(ln.functionId)) return problem(`location ${l.id} refers to function ${ln.functionId}, which is not in the profile`);
    }
  }

  const { locStart, valStart, values, dangling } = raw;
  const totals = new Float64Array(nTypes);
  for (let s = 0; s < raw.count; s++) {
    const v = valStart[s]!;
    const nValues = valStart[s + 1]! - v;
    if (nValues !== nTypes) return problem(`sample #${s + 1} has ${nValues} values but there are ${nTypes} sample types`);
    if (dangling?.sample === s) return problem(`sample #${s + 1} refers to location ${dangling.id}, which is not in the profile`);
    for (let t = 0; t < nTypes; t++) totals[t]! += values[v + t]!;
  }
  for (let t = 0; t < nTypes; t++) {
    if (totals[t]! > Number.MAX_SAFE_INTEGER) return problem(`the ${p.sampleTypes[t]!.type} values add up to more than 2^53`);
  }
  if (p.durationNanos < 0n) return problem(`the duration is negative (${p.durationNanos} ns)`);
  if (p.timeNanos < 0n) return problem(`the time is negative (${p.timeNanos} ns)`);
  const frames = locStart[raw.count]!;
  return {
    samples: {
      count: raw.count,
      locStart: locStart.subarray(0, raw.count + 1),
      locations: raw.locations.subarray(0, frames),
      values: values.subarray(0, raw.count * nTypes),
    },
  };
}
