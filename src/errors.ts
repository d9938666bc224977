/**
 * Every failure the user can cause or meet is a CliError with a kind; the kind alone decides the exit
 * code, so the table in the README and this file are the only places exit codes are defined.
 */
export const ExitCode = {
  ok: 0,
  /** verify found problems, diff found differences */
  findings: 1,
  /** bad flag, bad option value, unknown command */
  usage: 2,
  /** bad input: missing or corrupt data-dir, database, config, payload or profile file */
  input: 3,
  /** a source or peer could not be reached or answered badly: PostgreSQL, Prometheus, collector */
  unavailable: 4,
  /** the payload could not be delivered (send) */
  send: 5,
  /** a bug in coroot-usage itself */
  internal: 70,
} as const;

export type ErrorKind = Exclude<keyof typeof ExitCode, 'ok' | 'findings'>;

export class CliError extends Error {
  readonly kind: ErrorKind;
  override readonly cause?: unknown;

  constructor(kind: ErrorKind, message: string, cause?: unknown) {
    super(message);
    this.name = 'CliError';
    this.kind = kind;
    this.cause = cause;
  }

  get exitCode(): number {
    return ExitCode[this.kind];
  }
}

export const usageError = (message: string, cause?: unknown) => new CliError('usage', message, cause);
export const inputError = (message: string, cause?: unknown) => new CliError('input', message, cause);
export const unavailableError = (message: string, cause?: unknown) => new CliError('unavailable', message, cause);

/** The message of any thrown value, on one line. */
export function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
