/** The part of json-diff 1.0.6 (plain CommonJS, no bundled types) that coroot-usage uses. */
declare module 'json-diff' {
  export interface DiffOptions {
    /** include equal parts too */
    full?: boolean;
    keysOnly?: boolean;
    excludeKeys?: string[];
    outputKeys?: string[];
    sort?: boolean;
    precision?: number;
    maxElisions?: number;
  }

  export type ThemeFunction = (text: string) => string;

  export interface ColorizeOptions {
    /** false: no escape codes at all */
    color?: boolean;
    /** line decorators by change marker: ' ' unchanged, '+' added, '-' removed */
    theme?: Partial<Record<' ' | '+' | '-', ThemeFunction>>;
    maxElisions?: number;
  }

  /**
   * undefined when equal; otherwise objects carry `key__added` / `key__deleted` members and
   * `{__old, __new}` pairs, and arrays are lists of [op, value] with op one of ' ', '-', '+', '~'.
   */
  export function diff(a: unknown, b: unknown, options?: DiffOptions): unknown;
  export function diffString(a: unknown, b: unknown, options?: DiffOptions & ColorizeOptions): string;
  export function colorize(diff: unknown, options?: ColorizeOptions): string;
}
