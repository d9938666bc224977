/** The command line itself: help with examples everywhere, the lazy command list, unknown input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commands } from '../src/commands/index.js';
import { runCli } from './helpers/cli.js';

test('the command list matches every command it loads', async () => {
  for (const entry of commands) {
    const spec = await entry.load();
    assert.equal(spec.name, entry.name);
    assert.equal(spec.usage, entry.usage, `${entry.name} usage`);
    assert.equal(spec.summary, entry.summary, `${entry.name} summary`);
    assert.ok(spec.examples.length > 0, `${entry.name} has examples`);
  }
});

test('--help of the program and of every command, with examples', async () => {
  const root = await runCli(['--help']);
  assert.equal(root.code, 0);
  for (const entry of commands) assert.match(root.stdout.toString(), new RegExp(`coroot-usage ${entry.usage.split(' ')[0]}`));
  for (const entry of commands) {
    const help = await runCli([entry.name, '--help']);
    assert.equal(help.code, 0, `${entry.name}: ${help.stderr}`);
    assert.match(help.stdout.toString(), /Examples:/, entry.name);
    assert.match(help.stdout.toString(), /--json/, entry.name);
  }
});

test('an unknown command or a missing one is a usage error (exit 2), one line', async () => {
  for (const argv of [['frobnicate'], [], ['--debugg']]) {
    const result = await runCli(argv);
    assert.equal(result.code, 2, argv.join(' '));
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

test('a single-value option given twice is a usage error; repeatable ones repeat', async () => {
  for (const argv of [['show', '--format', 'raw', '--format', 'table'], ['show', '--data-dir', 'a', '--data-dir', 'b'], ['profile', '-', '--which', 'cpu', '--which', 'all']]) {
    const result = await runCli(argv, { stdin: '{}' });
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.stderr, /^error: --(format|data-dir|which) was given more than once; it takes a single value\n$/);
  }
  // --prometheus-header is declared as an array: both reach the command, which then finds no Prometheus asked for
  const headers = await runCli(['show', '--payload', '-', '--format', 'raw', '--prometheus-header', 'A: b', '--prometheus-header', 'C: d'], { stdin: '{}' });
  assert.doesNotMatch(headers.stderr, /more than once/);
});

test('colours never reach a pipe, and NO_COLOR beats --color', async () => {
  const piped = await runCli(['show', '--payload', '-', '--format', 'annotated'], { stdin: '{}' });
  assert.doesNotMatch(piped.stderr, /\x1b\[/);
  const forced = await runCli(['schema', '--color'], { env: { NO_COLOR: '1' } });
  assert.doesNotMatch(forced.stdout.toString(), /\x1b\[/);
});
