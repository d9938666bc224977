/** The one payload schema: strict, documented on every field, and the source of the wire encoding. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { textMatchesGoType } from '../src/model/gotype-text.js';
import { payloadGoType, schemaProblems } from '../src/model/payload-codec.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';

type JsonSchema = { properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[]; additionalProperties?: JsonSchema | boolean; items?: JsonSchema; description?: string; 'x-fidelity'?: string; 'x-source'?: string };

/** Every named property below a node, with its documentation (looking through null unions, maps and arrays). */
function properties(node: JsonSchema, path: string, out: Array<[string, JsonSchema]>): void {
  for (const branch of node.anyOf ?? [node]) {
    for (const [key, child] of Object.entries(branch.properties ?? {})) {
      out.push([`${path}${key}`, child]);
      properties(child, `${path}${key}.`, out);
    }
    if (typeof branch.additionalProperties === 'object') properties(branch.additionalProperties, `${path}*.`, out);
    if (branch.items) properties(branch.items, `${path}[].`, out);
  }
}

test('`schema` prints JSON Schema with a description, source and fidelity class on every field', async () => {
  const result = await runCli(['schema']);
  assert.equal(result.code, 0);
  const schema = JSON.parse(result.stdout.toString()) as JsonSchema;
  const fields: Array<[string, JsonSchema]> = [];
  properties(schema, '', fields);
  // destination statistics are documented once on the object, not per counter
  const documented = fields.filter(([path]) => !/\.(destination|actual_destination)\.[a-z_]+$/.test(path));
  assert.ok(documented.length > 90, `${documented.length} fields`);
  for (const [path, node] of documented) {
    const doc = node.anyOf ? { ...node.anyOf[0], ...node } : node;
    assert.ok(doc.description, `${path} has no description`);
    assert.match(String(doc['x-fidelity']), /^(exact|rebuilt|runtime|memory-only)$/, `${path} fidelity`);
    assert.ok(doc['x-source'], `${path} has no source`);
  }
});

test('the schema is strict: unknown, missing and mistyped fields are reported with their path', () => {
  const payload = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'golden', 'no-projects-B.json'), 'utf8'));
  assert.deepEqual(schemaProblems(payload), []);
  payload.stack.instrumented_service = [];
  delete payload.infra.gpus;
  payload.ux.world_load_time_avg = 'fast';
  const problems = schemaProblems(payload).map((p) => p.path).sort();
  assert.deepEqual(problems, ['infra.gpus', 'stack', 'ux.world_load_time_avg']);
});

test("the documentation page's commented example is read, and refused as not v1.24.5 with the reasons", async () => {
  const example = `{
  "instance": {
    "uuid": "4423595b-9d97-4e01-a19f-8e3d60c83b2a", // generated upon the first startup
    "version": "0.20.0", // Coroot version
    "database_type": "sqlite" // the type of database being used
  },
}`;
  const result = await runCli(['show', '--payload', '-'], { stdin: example });
  assert.equal(result.code, 3);
  assert.match(result.stderr, /not a Coroot v1\.24\.5 payload: instance\.edition/);
});

test('--out writes the file atomically and nothing to stdout; --json gives indented JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coroot-usage-out-'));
  try {
    const out = join(dir, 'payload.json');
    const golden = readFileSync(join(REPO_ROOT, 'test', 'golden', 'no-projects-B.json'));
    const result = await runCli(['show', '--payload', '-', '--format', 'raw', '--out', out], { stdin: golden });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.length, 0);
    assert.deepEqual(readFileSync(out), golden);
    assert.deepEqual(readdirSync(dir), ['payload.json']);
    const json = await runCli(['show', '--payload', '-', '--json'], { stdin: golden });
    assert.deepEqual(JSON.parse(json.stdout.toString()), JSON.parse(golden.toString()));
    assert.match(json.stdout.toString(), /^\{\n {2}"instance": \{\n {4}"uuid"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the fast validity checks, on the value and on the text, agree with the zod schema on mutated payloads', async () => {
  const { payloadSchema } = await import('../src/model/payload-schema.js');
  const base = readFileSync(join(REPO_ROOT, 'test', 'golden', 'demo.json'), 'utf8');
  const replacements: unknown[] = [null, 0, 1.5, -1, 2 ** 60, '', 'x', true, [], [1], ['a'], {}, { a: 1 }, { a: null }];
  let seed = 7;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const paths: string[][] = [];
  const walk = (v: unknown, path: string[]) => {
    paths.push(path);
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
  };
  walk(JSON.parse(base), []);
  let checked = 0;
  for (const path of paths.slice(1)) {
    for (let r = 0; r < 4; r++) {
      const payload = JSON.parse(base);
      const parent = path.slice(0, -1).reduce((o: Record<string, unknown>, k) => o[k] as Record<string, unknown>, payload);
      const key = path.at(-1)!;
      if (r === 3) delete parent[key];
      else parent[key] = replacements[random(replacements.length)];
      if (r === 2) parent[`extra_${key}`] = 1;
      const valid = payloadSchema.safeParse(payload).success;
      assert.equal(schemaProblems(payload).length === 0, valid, `${path.join('.')} variant ${r}`);
      assert.equal(textMatchesGoType(JSON.stringify(payload, null, r), payloadGoType), valid, `${path.join('.')} variant ${r} as text`);
      checked++;
    }
  }
  assert.ok(checked > 300);
});

test('the Go type written at build time is the one the schema gives', async () => {
  const { goTypeOf } = await import('../src/model/go-zod.js');
  const { payloadSchema } = await import('../src/model/payload-schema.js');
  const { payloadGoType } = await import('../src/model/payload-wire.js');
  assert.deepEqual(payloadGoType, goTypeOf(payloadSchema));
});
