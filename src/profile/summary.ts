/**
 * The facts about one profile that the default `profile` output shows: what it measures, when and for how
 * long, how big it is, and the totals per sample type.
 */
import type { DecodedProfile } from './decode.js';
import { label, scaledLabel } from './measurement.js';
import { sampleIndexByName } from './top.js';

export interface ProfileSummary {
  sampleTypes: Array<{ type: string; unit: string; total: number; totalFormatted: string }>;
  /** the sample type reports use when none is asked for */
  defaultSampleType: string;
  periodType: { type: string; unit: string } | null;
  period: number;
  /** ISO 8601 UTC, or null when the profile has no time */
  time: string | null;
  timeNanos: string;
  durationNanos: string;
  duration: string;
  counts: { samples: number; locations: number; functions: number; mappings: number; strings: number };
  sizes: { compressed: number; raw: number; gzipped: boolean };
  labelKeys: string[];
  comments: string[];
}

export function summarize(d: DecodedProfile): ProfileSummary {
  const p = d.profile;
  const nTypes = p.sampleTypes.length;
  const totals = new Array<number>(nTypes).fill(0);
  const values = p.samples.values;
  for (let s = 0; s < p.samples.count; s++) for (let i = 0; i < nTypes; i++) totals[i]! += values[s * nTypes + i]!;
  const labelKeys = new Set<string>();
  for (const labels of p.samples.labels.values()) for (const l of labels) labelKeys.add(l.key);
  const defaultIndex = p.sampleTypes.length > 0 ? sampleIndexByName(p, undefined) : -1;
  return {
    sampleTypes: p.sampleTypes.map((t, i) => ({ type: t.type, unit: t.unit, total: totals[i]!, totalFormatted: scaledLabel(totals[i]!, t.unit, 'auto') })),
    defaultSampleType: defaultIndex >= 0 ? p.sampleTypes[defaultIndex]!.type : '',
    periodType: p.periodType ? { type: p.periodType.type, unit: p.periodType.unit } : null,
    period: p.period,
    time: p.timeNanos !== 0n ? new Date(Number(p.timeNanos / 1_000_000n)).toISOString() : null,
    timeNanos: p.timeNanos.toString(),
    durationNanos: p.durationNanos.toString(),
    duration: label(Number(p.durationNanos), 'nanoseconds'),
    counts: {
      samples: p.samples.count,
      locations: p.locations.length,
      functions: p.functions.length,
      mappings: p.mappings.length,
      strings: p.stringTable.length,
    },
    sizes: { compressed: d.compressedSize, raw: d.rawSize, gzipped: d.gzipped },
    labelKeys: [...labelKeys],
    comments: p.comments,
  };
}
