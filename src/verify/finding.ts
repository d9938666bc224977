/** What every check of `verify` reports. Excerpts and paths are masked: a finding never repeats a secret. */
export type Severity = 'error' | 'warning';

export type FindingKind = 'schema' | 'identifying' | 'pattern' | 'baseline' | 'profile';

export interface Finding {
  kind: FindingKind;
  /** e.g. "schema", "source:slack-channel", "pattern:ipv4", "baseline:new-key" */
  rule: string;
  severity: Severity;
  /** payload path, with identifying parts masked */
  path: string;
  message: string;
  /** the string around the match, the match itself replaced by «what» */
  excerpt?: string;
  /** set for known Coroot behaviour */
  note?: string;
  /** set when an --allow entry accepts it */
  accepted?: string;
}
