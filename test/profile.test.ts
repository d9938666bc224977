/**
 * `profile --top` against the real `go tool pprof -top` (Debian golang-go), byte for byte, on profiles
 * that Go programs generate during the run, with every option; plus summary, strings, --write and JSON.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { goProfile, goToolPprof, runCli, type GoProfileName } from './helpers/pprof-go.js';
import { startSelfProfile } from '../src/profile/self.js';
import { decodeProfile } from '../src/profile/decode.js';
import { profileStrings } from '../src/profile/strings.js';
import { profileCommand } from '../src/commands/profile.js';
import { directArgs } from '../src/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'coroot-usage-profile-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** go tool pprof flags → ours */
function ourFlags(flags: string[]): string[] {
  return flags.map((f) =>
    f.replace(/^-sample_index=/, '--sample-index=').replace(/^-nodecount=/, '--nodecount=').replace(/^-nodefraction=/, '--nodefraction=').replace(/^-cum$/, '--cum'),
  );
}

async function assertSameTop(file: string, flags: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const want = goToolPprof(['-top', ...flags, file], env);
  assert.equal(want.status, 0, `go tool pprof failed: ${want.stderr}`);
  const got = await runCli(['profile', file, '--top', ...ourFlags(flags)], env);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(got.stdout, want.stdout, `profile --top ${flags.join(' ')} differs from go tool pprof -top on ${file}`);
  return got.stdout;
}

const COMMON: string[][] = [
  [],
  ['-cum'],
  ['-nodecount=5'],
  ['-nodecount=3', '-cum'],
  ['-nodefraction=0'],
  ['-nodefraction=0.05'],
  ['-nodefraction=0.2', '-nodecount=2'],
  ['-sample_index=0'],
  ['-sample_index=1', '-cum', '-nodecount=4'],
];

const CASES: Array<[GoProfileName, string[][]]> = [
  ['cpu-inline', [...COMMON, ['-sample_index=cpu'], ['-sample_index=samples', '-nodefraction=0']]],
  ['cpu-labels', COMMON],
  ['cpu-empty', [[], ['-cum'], ['-sample_index=0']]],
  [
    'heap',
    [
      ...COMMON,
      ['-sample_index=alloc_objects'],
      ['-sample_index=alloc_space'],
      ['-sample_index=inuse_objects', '-cum'],
      ['-sample_index=inuse_space', '-nodefraction=0'],
      ['-sample_index=inuse_objects', '-nodecount=3'],
      ['-sample_index=3', '-nodecount=1'],
    ],
  ],
  ['cpu-large', [...COMMON, ['-nodecount=50'], ['-nodecount=300', '-cum', '-nodefraction=0'], ['-nodefraction=0.001']]],
];

describe('profile --top is go tool pprof -top', () => {
  const files = new Map<GoProfileName, string>();
  before(() => {
    for (const [name] of CASES) files.set(name, goProfile(name));
  });
  for (const [name, variants] of CASES) {
    test(`${name}: ${variants.length} option sets`, async () => {
      const file = files.get(name)!;
      for (const flags of variants) await assertSameTop(file, flags);
    });
  }

  test('inlined functions are marked and the large profile has 300+ functions', async () => {
    const inline = await assertSameTop(files.get('cpu-inline')!, ['-nodefraction=0']);
    assert.match(inline, /\(inline\)/);
    assert.match(inline, /main\.mix \(partial-inline\)/);
    assert.match(inline, /main\.sumOf\[\.\.\.\]/);
    const large = decodeProfile(readFileSync(files.get('cpu-large')!), 'large').profile;
    assert.ok(large.functions.length >= 300, `only ${large.functions.length} functions`);
    const labels = decodeProfile(readFileSync(files.get('cpu-labels')!), 'labels').profile;
    assert.ok([...labels.samples.labels.values()].some((ls) => ls.some((l) => l.key === 'worker')));
  });

  test('the Time line follows TZ as Go does', async () => {
    if (!existsSync('/usr/share/zoneinfo/America/New_York')) return;
    const out = await assertSameTop(files.get('cpu-inline')!, [], { TZ: 'America/New_York' });
    assert.match(out, /\((EST|EDT)\)/);
    await assertSameTop(files.get('heap')!, [], { TZ: '' });
  });

  test('a payload with both profiles, base64-embedded', async () => {
    const cpu = readFileSync(files.get('cpu-inline')!);
    const memory = readFileSync(files.get('heap')!);
    const payload = join(dir, 'payload.json');
    writeFileSync(payload, JSON.stringify({ instance: {}, profile: { from: 1767225600, to: 1767225601, cpu: cpu.toString('base64'), memory: memory.toString('base64') } }));
    const want = goToolPprof(['-top', '-sample_index=alloc_space', files.get('heap')!]).stdout;
    const mem = await runCli(['profile', payload, '--which', 'memory', '--top', '--sample-index', 'alloc_space']);
    assert.equal(mem.stdout, want);

    const summary = await runCli(['profile', payload]);
    assert.equal(summary.code, 0, summary.stderr);
    assert.match(summary.stdout, /profile\.cpu\n/);
    assert.match(summary.stdout, /profile\.memory\n/);
    assert.match(summary.stdout, /sample types +samples\/count, cpu\/nanoseconds \(default cpu\)/);
    assert.match(summary.stdout, /sample types +alloc_objects\/count, alloc_space\/bytes, inuse_objects\/count, inuse_space\/bytes \(default inuse_space\)/);
    assert.match(summary.stdout, /from 1767225600 to 1767225601/);

    const json = await runCli(['profile', payload, '--json', '--top', '--strings']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { origin: string; profiles: Array<{ profile: string; summary: { counts: { samples: number } }; top: { rows: unknown[] }; strings: { functionNames: string[] } }> };
    assert.equal(doc.origin, 'payload');
    assert.deepEqual(doc.profiles.map((p) => p.profile), ['cpu', 'memory']);
    assert.ok(doc.profiles[0]!.summary.counts.samples > 0);
    assert.ok(doc.profiles[0]!.top.rows.length > 0);
    assert.ok(doc.profiles[0]!.strings.functionNames.includes('main.hashLoop'));

    const piped = await runCli(['profile', '-', '--top'], {}, cpu);
    assert.equal(piped.stdout, goToolPprof(['-top', files.get('cpu-inline')!]).stdout);
    const pipedPayload = await runCli(['profile', '-', '--which', 'cpu', '--top'], {}, readFileSync(payload));
    assert.equal(pipedPayload.stdout, piped.stdout);
    const nothing = await runCli(['profile', '-'], {}, Buffer.alloc(0));
    assert.equal(nothing.code, 3);
    assert.match(nothing.stderr, /stdin: empty file/);
  });

  test('--strings groups every string', async () => {
    const p = decodeProfile(readFileSync(files.get('cpu-labels')!), 'labels').profile;
    const s = profileStrings(p);
    assert.ok(s.functionNames.includes('main.spin'));
    assert.ok(s.fileNames.some((f) => f.endsWith('main.go')));
    assert.ok(s.mappingFiles.some((f) => f.endsWith('pprof-cpu-labels')));
    assert.deepEqual([...s.labelKeys].sort(), ['kind', 'worker']);
    assert.deepEqual([...s.labelValues].sort(), ['alpha', 'batch', 'beta', 'online']);
    assert.ok(s.types.includes('nanoseconds'));
    const all = new Set(Object.values(s).flat());
    for (const str of p.stringTable) if (str !== '') assert.ok(all.has(str), `string ${str} is in no group`);
    const out = await runCli(['profile', files.get('cpu-labels')!, '--strings']);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /label keys \(2\)\n/);
    assert.match(out.stdout, /\n {4}main\.spin\n/);
  });

  test('--write produces files go tool pprof reads', async () => {
    const cpu = readFileSync(files.get('cpu-inline')!);
    const payload = join(dir, 'payload-write.json');
    writeFileSync(payload, JSON.stringify({ profile: { from: 1, to: 2, cpu: cpu.toString('base64'), memory: readFileSync(files.get('heap')!).toString('base64') } }));
    const out = join(dir, 'written');
    const r = await runCli(['profile', payload, '--write', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /written to +.*cpu\.pb\.gz/);
    await assertSameTop(join(out, 'cpu.pb.gz'), []);
    await assertSameTop(join(out, 'memory.pb.gz'), ['-sample_index=alloc_objects']);
    // a raw (not gzipped) protobuf comes out gzipped
    const raw = join(dir, 'raw.pb');
    writeFileSync(raw, decodeProfile(cpu, 'cpu').raw);
    await assertSameTop(raw, ['-cum']);
    const r2 = await runCli(['profile', raw, '--write', join(dir, 'w2')]);
    assert.equal(r2.code, 0, r2.stderr);
    await assertSameTop(join(dir, 'w2', 'profile.pb.gz'), []);
  });
});

describe('profile without FILE: the payload built from the sources', () => {
  const demo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'demo');

  test("carries this process's own CPU and heap profiles, which go tool pprof reads", async () => {
    const out = join(dir, 'built');
    const r = await runCli(['profile', '--data-dir', demo, '--at', '2026-11-20T12:00:00Z', '--write', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { origin: string; from: number; to: number; profiles: Array<{ profile: string; summary: { sampleTypes: Array<{ type: string }> } }> };
    assert.equal(doc.origin, 'payload');
    assert.ok(doc.to >= doc.from && doc.from > 1_700_000_000);
    assert.deepEqual(doc.profiles.map((p) => p.profile), ['cpu', 'memory']);
    assert.deepEqual(doc.profiles[0]!.summary.sampleTypes.map((t) => t.type), ['samples', 'cpu']);
    assert.deepEqual(doc.profiles[1]!.summary.sampleTypes.map((t) => t.type), ['objects', 'space']);
    await assertSameTop(join(out, 'cpu.pb.gz'), []);
    await assertSameTop(join(out, 'memory.pb.gz'), ['-sample_index=objects']);
  });

  test('--no-profile leaves nothing to show', async () => {
    const r = await runCli(['profile', '--data-dir', demo, '--no-profile']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /profile\.cpu and profile\.memory are empty/);
  });
});

describe('self profile', () => {
  test('CPU and heap profiles of this process, readable by go tool pprof', async () => {
    const self = await startSelfProfile();
    const keep: object[] = [];
    const t = Date.now();
    const busy = (n: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.sqrt(i) * Math.sin(i);
      return s;
    };
    while (Date.now() - t < 400) {
      busy(50000);
      for (let i = 0; i < 500; i++) keep.push({ i, s: 'x'.repeat(i % 50) });
      await new Promise((r) => setImmediate(r));
    }
    const r = await self.stop();
    assert.ok(r.to >= r.from && r.from > 1_700_000_000);
    const cpu = decodeProfile(r.cpu, 'self cpu');
    const mem = decodeProfile(r.memory, 'self memory');
    assert.ok(cpu.gzipped && mem.gzipped);
    assert.deepEqual(cpu.profile.sampleTypes, [{ type: 'samples', unit: 'count' }, { type: 'cpu', unit: 'nanoseconds' }]);
    assert.deepEqual(cpu.profile.periodType, { type: 'cpu', unit: 'nanoseconds' });
    assert.deepEqual(mem.profile.sampleTypes, [{ type: 'objects', unit: 'count' }, { type: 'space', unit: 'bytes' }]);
    assert.deepEqual(mem.profile.periodType, { type: 'space', unit: 'bytes' });
    assert.ok(cpu.profile.samples.count > 0);
    assert.ok(mem.profile.samples.count > 0);
    writeFileSync(join(dir, 'self-cpu.pb.gz'), r.cpu);
    writeFileSync(join(dir, 'self-memory.pb.gz'), r.memory);
    const top = await assertSameTop(join(dir, 'self-cpu.pb.gz'), []);
    assert.match(top, /busy/);
    await assertSameTop(join(dir, 'self-cpu.pb.gz'), ['-sample_index=samples', '-cum']);
    await assertSameTop(join(dir, 'self-memory.pb.gz'), []);
    await assertSameTop(join(dir, 'self-memory.pb.gz'), ['-sample_index=objects']);
    assert.ok(keep.length > 0);
  });
});

describe('command lines parsed without yargs', () => {
  test('hand run() exactly what yargs does', async () => {
    const seen: unknown[] = [];
    const run = profileCommand.run;
    profileCommand.run = async (args) => (seen.push(args), 0);
    try {
      // `--x=...` is left to yargs; the plain form of the same command line is parsed directly
      for (const [direct, viaYargs] of [
        [['profile', 'p.pb.gz', '--top'], ['profile', 'p.pb.gz', '--top=true']],
        [['profile', '--json', 'p.pb.gz', '--cum', '--strings', '--debug'], ['profile', '--json=true', 'p.pb.gz', '--cum', '--strings', '--debug']],
        [['profile', 'p.pb.gz'], ['profile', 'p.pb.gz', '--top=false']],
        [['profile'], ['profile', '--json=false']],
        [['profile', '-', '--top'], ['profile', '-', '--top=true']],
      ]) {
        seen.length = 0;
        assert.ok(directArgs(profileCommand, direct!), direct!.join(' '));
        assert.equal(directArgs(profileCommand, viaYargs!), undefined, viaYargs!.join(' '));
        for (const argv of [direct!, viaYargs!]) assert.equal((await runCli(argv)).code, 0);
        assert.deepEqual(seen[0], seen[1], direct!.join(' '));
      }
    } finally {
      profileCommand.run = run;
    }
    for (const argv of [['profile', 'a', 'b'], ['profile', '--top', '--top'], ['profile', '-t'], ['profile', '--nodecount', '3'], ['profile', '--help'], ['show', 'x']]) {
      assert.equal(directArgs(profileCommand, argv), undefined, argv.join(' '));
    }
  });
});
