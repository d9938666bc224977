/**
 * `coroot-usage verify`: is the payload a valid v1.24.5 payload, does it carry anything that identifies
 * the instance, and has its shape changed from an approved baseline. Exit 1 on any open finding.
 */
import type { Argv } from 'yargs';
import { usageError } from '../errors.js';
import { applyAllowList, loadAllowFile } from '../verify/allow.js';
import { compareToBaseline, readBaseline, writeBaseline } from '../verify/baseline.js';
import type { Finding, FindingKind } from '../verify/finding.js';
import { identifyingNeedles } from '../verify/identifying.js';
import { loadVerifyInput } from '../verify/input.js';
import { readInstanceSecrets } from '../verify/instance-secrets.js';
import { scanProfiles } from '../verify/profile-strings.js';
import { FORMATS, render, type Format, type VerifyResult } from '../verify/report.js';
import { AnonymityScanner } from '../verify/scan.js';
import type { CommandSpec, GlobalArgs } from './command.js';
import { withSourceOptions, type SourceArgs } from './source-options.js';

interface VerifyArgs extends SourceArgs {
  payload?: string;
  format?: Format;
  allow?: string;
  baseline?: string;
  'write-baseline'?: string;
  profiles: boolean;
}

export const verifyCommand: CommandSpec<VerifyArgs> = {
  name: 'verify',
  usage: 'verify',
  summary: 'check a payload: schema, anything identifying the instance, changes from an approved baseline',
  examples: [
    ['$0 verify --data-dir /var/lib/coroot', 'the payload Coroot would send now'],
    ['$0 verify --payload reviewed.json --data-dir /var/lib/coroot --allow allow.yaml --format junit > verify.xml', 'in CI'],
    ['$0 verify --data-dir /var/lib/coroot --write-baseline baseline.json', 'approve the current shape'],
  ],
  builder: (y: Argv<GlobalArgs>) =>
    withSourceOptions(y)
      .option('payload', { type: 'string', describe: 'check this payload file (or - for stdin); the sources then only supply identifying values' })
      .option('format', { choices: FORMATS, describe: 'output format [default: text, or json with --json]' })
      .option('allow', { type: 'string', describe: 'YAML/JSON list of accepted findings: {path, rule, reason} (globs with *)' })
      .option('baseline', { type: 'string', describe: 'approved shape file: new fields, map keys or type changes are findings' })
      .option('write-baseline', { type: 'string', describe: 'write the shape of this payload as the approved baseline' })
      .option('profiles', { type: 'boolean', default: true, describe: 'also check every string of the decoded CPU and heap profiles (--no-profiles to skip)' }) as Argv<VerifyArgs & GlobalArgs>,
  async run(args, io) {
    if (args.json && args.format && args.format !== 'json') throw usageError(`--json cannot be combined with --format ${args.format}`);
    const format: Format = args.format ?? (args.json ? 'json' : 'text');
    const allow = args.allow ? loadAllowFile(args.allow) : [];
    const baseline = args.baseline ? readBaseline(args.baseline) : undefined;
    const input = await loadVerifyInput(args, io);

    const checks: FindingKind[] = ['schema', 'identifying'];
    const findings: Finding[] = input.schema.map((p) => ({
      kind: 'schema', rule: 'schema', severity: 'error', path: p.path, message: p.message,
    }));
    let needles: ReturnType<typeof identifyingNeedles>['needles'] = [];
    if (input.context) {
      const secrets = await readInstanceSecrets(input.context, { dbBusyTimeoutMs: args['db-busy-timeout'], pgTimeoutMs: args['pg-timeout'] });
      input.notes.push(...secrets.notes);
      needles = identifyingNeedles({ ...input.context, users: secrets.users, settings: secrets.settings }).needles;
    }
    if (input.context) input.notes.push(`${needles.length} identifying values from ${input.context.database} and the configuration`);
    const scanner = new AnonymityScanner(needles);
    const profiles = scanner.scanPayloadText(input.text);
    if (args.profiles) {
      checks.push('profile');
      findings.push(...scanProfiles(profiles, scanner));
    }
    findings.push(...scanner.findings);
    if (baseline) {
      checks.push('baseline');
      findings.push(...compareToBaseline(input.value(), baseline, (k) => scanner.mask(k)));
    }
    if (args['write-baseline']) {
      writeBaseline(args['write-baseline'], input.value());
      input.notes.push(`baseline written to ${args['write-baseline']}`);
    }
    const unused = applyAllowList(findings, allow);
    const result: VerifyResult = { source: input.source, findings, checks, unusedAllowances: unused, notes: input.notes };
    io.out(render(format, result, io.color));
    return findings.some((f) => !f.accepted) ? 1 : 0;
  },
};
