/**
 * --log FILE: one JSON line per attempt, appended (O_APPEND, so concurrent runs never interleave within a
 * line), written whatever the outcome so that the log is a complete record of what left the machine.
 */
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { describe, inputError } from '../errors.js';

export interface AttemptRecord {
  time: string;
  outcome: 'delivered' | 'http-error' | 'failed' | 'disabled';
  method?: 'POST';
  url?: string;
  proxy?: string | null;
  attempt?: number;
  status?: number;
  /** after 307/308 redirects */
  final_url?: string;
  error?: string;
  sha256?: string;
  bytes?: number;
  duration_ms?: number;
  /** for `disabled`: the setting that turned sending off */
  disabled_by?: string;
}

export function appendLog(path: string | undefined, record: AttemptRecord): void {
  if (!path) return;
  try {
    appendFileSync(path, `${JSON.stringify(record)}\n`, { flag: 'a', mode: 0o600 });
  } catch (err) {
    throw inputError(`--log ${path}: ${describe(err)}`, err);
  }
}

/** Checked before sending, so that a log that cannot be written never turns a delivered payload into an error. */
export function ensureLogWritable(path: string | undefined): void {
  if (!path) return;
  try {
    closeSync(openSync(path, 'a', 0o600));
  } catch (err) {
    throw inputError(`--log ${path}: ${describe(err)}`, err);
  }
}
