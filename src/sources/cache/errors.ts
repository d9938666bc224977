/**
 * A chunk file or compressed block that cannot be read the way Coroot reads it. Raised by the low-level
 * readers and turned into a MetricsQueryError (one query) by the source, so the caller sees which file
 * and which query went wrong without any stack trace.
 */
export class CacheFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheFormatError';
  }
}
