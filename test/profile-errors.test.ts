/**
 * Bad input to `profile`: each case must end with exit code 3 and one line on stderr naming the problem,
 * never a stack trace; a profile with no samples and a 50 MB profile are not errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { bigProfile, goProfile, goToolPprof, handProfile, Pb, runCli } from './helpers/pprof-go.js';
import { decodeProfile } from '../src/profile/decode.js';
import { renderTop, topReport } from '../src/profile/top.js';
import { CliError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'coroot-usage-profile-err-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'coroot-usage');

let n = 0;
function file(content: Buffer | string, ext = 'bin'): string {
  const path = join(dir, `input-${++n}.${ext}`);
  writeFileSync(path, content);
  return path;
}

function payload(profile: unknown): string {
  return file(JSON.stringify({ instance: { uuid: 'x' }, profile }), 'json');
}

async function assertInputError(args: string[], message: RegExp): Promise<void> {
  const r = await runCli(['profile', ...args]);
  assert.equal(r.code, 3, `exit code for ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: [^\n]+\n$/, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.match(r.stderr, message);
}

const cpuFile = () => goProfile('cpu-inline');

describe('profile rejects bad input with exit code 3 and one line', () => {
  test('invalid base64', async () => {
    await assertInputError([payload({ from: 1, to: 2, cpu: 'H4sI$$$$', memory: '' })], /profile\.cpu: invalid base64 \('\$' at offset 4\)/);
    await assertInputError([payload({ from: 1, to: 2, cpu: 'H4sIAA', memory: '' })], /invalid base64 \(length 6/);
  });

  test('empty strings', async () => {
    await assertInputError([payload({ from: 0, to: 0, cpu: '', memory: '' })], /profile\.cpu and profile\.memory are empty/);
    const good = readFileSync(cpuFile()).toString('base64');
    await assertInputError([payload({ from: 0, to: 0, cpu: '', memory: good }), '--which', 'cpu'], /profile\.cpu is empty/);
    // the other profile is still shown when only one is empty
    const r = await runCli(['profile', payload({ from: 0, to: 0, cpu: good, memory: '' })]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /profile\.memory: empty/);
    await assertInputError([file('')], /empty file/);
  });

  test('truncated gzip, gzip header only, gzip of garbage, bad deflate data', async () => {
    const gz = readFileSync(cpuFile());
    await assertInputError([file(gz.subarray(0, Math.floor(gz.length / 2)))], /truncated gzip data/);
    // the placeholder in the payload reference examples: a gzip header and nothing else
    await assertInputError([payload({ from: 1, to: 2, cpu: 'H4sIAAAAAAAE/w==', memory: '' })], /profile\.cpu: truncated gzip data/);
    await assertInputError([file(gzipSync(Buffer.from('this is not a profile, just some text\n'.repeat(20))))], /not a (pprof profile|protobuf)|truncated protobuf/);
    await assertInputError([file(gzipSync(randomBytes(4096)))], /protobuf|pprof|string/);
    await assertInputError([file(Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(64, 0xff)]))], /not valid gzip data/);
  });

  test('truncated protobuf', async () => {
    const raw = decodeProfile(readFileSync(cpuFile()), 'cpu').raw;
    await assertInputError([file(raw.subarray(0, Math.floor(raw.length * 0.6)))], /truncated protobuf/);
    await assertInputError([file(gzipSync(raw.subarray(0, raw.length - 3)))], /truncated protobuf|string/);
  });

  test('dangling references', async () => {
    await assertInputError([file(handProfile({ functionNameIndex: 99 }))], /function #1 \(id 1\) name refers to string 99, but the string table has 6 entries/);
    await assertInputError([file(handProfile({ samples: [[[1, 7], 1]] }))], /sample #1 refers to location 7, which is not in the profile/);
    const p = new Pb().bytes(1, new Pb().int(1, 1).int(2, 2)).bytes(2, new Pb().int(1, 1).int(2, 1));
    p.bytes(4, new Pb().int(1, 1).bytes(4, new Pb().int(1, 9)));
    for (const s of ['', 'samples', 'count']) p.bytes(6, s);
    await assertInputError([file(p.done())], /location 1 refers to function 9/);
    const noStrings = new Pb().bytes(1, new Pb().int(1, 1).int(2, 2)).done();
    await assertInputError([file(noStrings)], /string table is missing/);
  });

  test('negative and huge values', async () => {
    await assertInputError([file(handProfile({ samples: [[[1], -1n]] }))], /a sample value is negative \(-1\)/);
    await assertInputError([file(handProfile({ samples: [[[1], 2n ** 60n]] }))], /a sample value is too large \(1152921504606846976\)/);
    await assertInputError([file(handProfile({ samples: [[[1], 2 ** 52], [[2], 2 ** 52]] }))], /values add up to more than 2\^53/);
    const bad = new Pb().bytes(5, new Pb().int(1, 2n ** 62n)).bytes(6, '').done();
    await assertInputError([file(bad)], /a function id is too large/);
    const negDuration = Buffer.concat([handProfile(), new Pb().int(10, -5n).done()]);
    await assertInputError([file(negDuration)], /the duration is negative/);
  });

  test('payload profile field missing or not a string', async () => {
    await assertInputError([payload(undefined)], /the payload has no "profile" field/);
    await assertInputError([payload('x')], /"profile" field is a string, not an object/);
    await assertInputError([payload({ from: 1, to: 2, cpu: 5, memory: '' })], /"profile\.cpu" is a number, not a base64 string/);
    await assertInputError([payload({ from: 1, to: 2, cpu: null, memory: '' })], /"profile\.cpu" is null/);
    await assertInputError([payload({ from: 1, to: 2, memory: '' }), '--which', 'cpu'], /no "profile\.cpu" field/);
    await assertInputError([file('{"profile": ', 'json')], /looks like JSON but does not parse/);
    await assertInputError([join(dir, 'does-not-exist.json')], /cannot read .*ENOENT/);
  });

  test('the whole process exits with 3 and no stack trace', () => {
    const r = spawnSync(process.execPath, [bin, 'profile', file(handProfile({ functionNameIndex: 50 }))], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /^error: [^\n]+\n$/);
  });

  test('a bad --sample-index is a usage error', async () => {
    const r = await runCli(['profile', cpuFile(), '--top', '--sample-index', 'inuse_space']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /sample index "inuse_space" must be one of: samples, cpu/);
  });
});

describe('randomly corrupted profiles', () => {
  test('are refused exactly when go tool pprof refuses them, and otherwise reported identically', () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const sources = [goProfile('cpu-inline'), goProfile('heap'), goProfile('cpu-labels')].map((f) => decodeProfile(readFileSync(f), f).raw);
    const tally = { same: 0, bothRefuse: 0 };
    for (let i = 0; i < 36; i++) {
      const bytes = Buffer.from(sources[i % sources.length]!);
      for (let j = 0; j <= rand(2); j++) bytes[rand(bytes.length)] = rand(256);
      const path = file(bytes, 'pb');
      const go = goToolPprof(['-top', path]);
      let ours: string | undefined;
      let refusal = '';
      try {
        ours = renderTop(topReport(decodeProfile(bytes, path).profile, { env: { TZ: 'UTC' } }));
      } catch (err) {
        assert.ok(err instanceof CliError, `not a CliError: ${String(err)}`);
        refusal = err.message;
      }
      if (go.status === 0) {
        assert.equal(ours, go.stdout, `mutation ${i}: ${refusal || 'different output'}`);
        tally.same++;
      } else {
        assert.equal(ours, undefined, `mutation ${i}: go tool pprof refuses it (${go.stderr.trim()}) but we accept it`);
        tally.bothRefuse++;
      }
    }
    assert.ok(tally.same > 0 && tally.bothRefuse > 0, JSON.stringify(tally));
  });
});

describe('profiles that are unusual but valid', () => {
  test('zero samples are reported, not refused', async () => {
    const r = await runCli(['profile', goProfile('cpu-empty')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /samples +0 \(the profile recorded nothing\)/);
    const hand = await runCli(['profile', file(handProfile({ samples: [] })), '--top']);
    assert.equal(hand.code, 0, hand.stderr);
    assert.match(hand.stdout, /Showing nodes accounting for 0, 0% of 0 total/);
  });

  test('a 50 MB profile decodes and reports in bounded time', async () => {
    const path = join(dir, 'big.pb');
    writeFileSync(path, bigProfile(50 * 1024 * 1024));
    const t = Date.now();
    const r = await runCli(['profile', path, '--top', '--nodecount', '10']);
    const ms = Date.now() - t;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Showing top 10 nodes out of/);
    assert.ok(ms < 60_000, `took ${ms} ms`);
    const gz = join(dir, 'big.pb.gz');
    writeFileSync(gz, gzipSync(readFileSync(path), { level: 1 }));
    const s = await runCli(['profile', gz, '--json']);
    assert.equal(s.code, 0, s.stderr);
    const doc = JSON.parse(s.stdout) as { profiles: Array<{ summary: { sizes: { raw: number } } }> };
    assert.ok(doc.profiles[0]!.summary.sizes.raw >= 50 * 1024 * 1024);
  });
});
