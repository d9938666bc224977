/** verify's output formats: text for people, JSON for tools, JUnit XML for CI test views, GitHub annotations. */
import type { ChalkInstance } from 'chalk';
import type { Finding, FindingKind } from './finding.js';

export const FORMATS = ['text', 'json', 'junit', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export interface VerifyResult {
  source: string;
  findings: Finding[];
  checks: FindingKind[];
  /** --allow entries that matched nothing */
  unusedAllowances: Array<{ path: string; rule?: string }>;
  notes: string[];
}

const open = (r: VerifyResult) => r.findings.filter((f) => !f.accepted);

export function summaryLine(r: VerifyResult): string {
  const o = open(r);
  const errors = o.filter((f) => f.severity === 'error').length;
  const accepted = r.findings.length - o.length;
  const head = o.length === 0 ? 'clean' : `${o.length} finding${o.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${o.length - errors} warning${o.length - errors === 1 ? '' : 's'})`;
  return `${head}${accepted ? `, ${accepted} accepted` : ''}; checked: ${r.checks.join(', ')}`;
}

function text(r: VerifyResult, c: ChalkInstance): string {
  const lines: string[] = [`verify ${r.source}`];
  for (const f of r.findings) {
    const sev = f.accepted ? c.dim('accepted') : f.severity === 'error' ? c.red('error   ') : c.yellow('warning ');
    lines.push(`${sev} ${c.bold(f.path)}  ${c.cyan(f.rule)}: ${f.message}`);
    if (f.excerpt !== undefined) lines.push(`         ${c.dim('excerpt:')} ${f.excerpt}`);
    if (f.note) lines.push(`         ${c.dim('note:')} ${f.note}`);
    if (f.accepted) lines.push(`         ${c.dim('accepted:')} ${f.accepted}`);
  }
  for (const n of r.notes) lines.push(c.dim(`note: ${n}`));
  for (const u of r.unusedAllowances) lines.push(c.dim(`note: --allow entry ${u.path}${u.rule ? ` (${u.rule})` : ''} matched nothing`));
  lines.push(summaryLine(r));
  return `${lines.join('\n')}\n`;
}

function json(r: VerifyResult): string {
  const o = open(r);
  return `${JSON.stringify({
    ok: o.length === 0,
    source: r.source,
    checks: r.checks,
    summary: { findings: o.length, errors: o.filter((f) => f.severity === 'error').length, warnings: o.filter((f) => f.severity === 'warning').length, accepted: r.findings.length - o.length },
    findings: r.findings,
    unused_allowances: r.unusedAllowances,
    notes: r.notes,
  }, null, 2)}\n`;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!)
  // XML 1.0 cannot carry most control characters at all
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\uFFFD');

function junit(r: VerifyResult): string {
  const suites = r.checks.map((check) => {
    const mine = r.findings.filter((f) => f.kind === check || (check === 'identifying' && f.kind === 'pattern'));
    const cases = mine.length === 0
      ? [`    <testcase classname="${check}" name="${xml(`${check}: no findings`)}"/>`]
      : mine.map((f) => {
        const name = xml(`${f.path} ${f.rule}`);
        if (f.accepted) return `    <testcase classname="${check}" name="${name}"><skipped message="${xml(`accepted: ${f.accepted}`)}"/></testcase>`;
        const body = xml([f.message, f.excerpt && `excerpt: ${f.excerpt}`, f.note && `note: ${f.note}`].filter(Boolean).join('\n'));
        return `    <testcase classname="${check}" name="${name}"><failure type="${xml(f.rule)}" message="${xml(`${f.severity}: ${f.message}`)}">${body}</failure></testcase>`;
      });
    const failures = mine.filter((f) => !f.accepted).length;
    const skipped = mine.length - failures;
    return `  <testsuite name="${check}" tests="${cases.length}" failures="${failures}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const total = r.findings.filter((f) => !f.accepted).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="coroot-usage verify" failures="${total}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** GitHub workflow commands: data escapes %, CR, LF; properties also : and ,. */
const ghData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProp = (s: string) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function github(r: VerifyResult): string {
  const lines = open(r).map((f) => {
    const detail = [f.message, f.excerpt && `excerpt: ${f.excerpt}`, f.note].filter(Boolean).join(' | ');
    return `::${f.severity} title=${ghProp(`coroot-usage verify ${f.rule}`)}::${ghData(`${f.path}: ${detail}`)}`;
  });
  lines.push(summaryLine(r));
  return `${lines.join('\n')}\n`;
}

export function render(format: Format, r: VerifyResult, color: ChalkInstance): string {
  switch (format) {
    case 'text':
      return text(r, color);
    case 'json':
      return json(r);
    case 'junit':
      return junit(r);
    case 'github':
      return github(r);
  }
}
