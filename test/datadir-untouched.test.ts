/**
 * coroot-usage never writes to a data-dir: after running the commands on the bundled demo data-dir every
 * file is byte-identical with the same mtime, and no file appears or disappears.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { commands } from '../src/commands/index.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';

const DEMO = join(REPO_ROOT, 'fixtures', 'demo');

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      const st = statSync(path);
      if (st.isDirectory()) {
        files.set(`${relative(dir, path)}/`, `dir ${st.mtimeMs}`);
        walk(path);
      } else {
        files.set(relative(dir, path), `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return files;
}

test('every command leaves the demo data-dir byte-identical', async () => {
  const before = snapshot(DEMO);
  assert.ok(before.has('db.sqlite'), 'the demo data-dir has a db.sqlite');
  const ran: string[] = [];
  for (const format of ['raw', 'json', 'annotated', 'table']) {
    const result = await runCli(['show', '--data-dir', DEMO, '--at', '2026-11-20T12:00:00Z', '--format', format]);
    assert.equal(result.code, 0, result.stderr);
    ran.push(`show --format ${format}`);
  }
  // Every other command that reads a data-dir, run the way a user would (unknown ones must still not write).
  for (const spec of commands.filter((c) => !['show', 'schema', 'send'].includes(c.name))) {
    await runCli([spec.name, '--data-dir', DEMO, '--at', '2026-11-20T12:00:00Z']);
    ran.push(spec.name);
  }
  await runCli(['send', '--data-dir', DEMO, '--dry-run']);
  ran.push('send --dry-run');
  assert.deepEqual(snapshot(DEMO), before, `after: ${ran.join(', ')}`);
});
