/**
 * Every sub-command, in the order `--help` lists them. Only the command that runs is loaded: each pulls in
 * its own libraries (SQLite, PostgreSQL, zod, json-diff, pprof), and loading all of them would multiply
 * the start-up time of every call. The usage and summary here must match the command's own (a test checks).
 */
import type { CommandSpec } from './command.js';

export interface CommandEntry {
  name: string;
  usage: string;
  summary: string;
  load(): Promise<CommandSpec>;
}

export const commands: CommandEntry[] = [
  { name: 'show', usage: 'show', summary: 'print the payload Coroot v1.24.5 would send', load: async () => (await import('./show.js')).showCommand },
  { name: 'schema', usage: 'schema', summary: 'print the JSON Schema of the v1.24.5 payload (descriptions, x-source, x-fidelity)', load: async () => (await import('./schema.js')).schemaCommand },
  { name: 'profile', usage: 'profile [file]', summary: 'decode, check and report the pprof profiles inside a payload', load: async () => (await import('./profile.js')).profileCommand },
  { name: 'send', usage: 'send', summary: "POST the payload to Coroot's collector as Coroot v1.24.5 does (honours the opt-out)", load: async () => (await import('./send.js')).sendCommand },
  { name: 'status', usage: 'status', summary: 'is sending on or off and why, what goes where, and the other outbound calls the opt-out leaves on', load: async () => (await import('./status.js')).statusCommand },
  { name: 'diff', usage: 'diff <a> <b>', summary: 'differences between two payloads: files, - (stdin) or live', load: async () => (await import('./diff.js')).diffCommand },
  { name: 'verify', usage: 'verify', summary: 'check a payload: schema, anything identifying the instance, changes from an approved baseline', load: async () => (await import('./verify.js')).verifyCommand },
];
