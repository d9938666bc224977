/**
 * `coroot-usage status`: whether Coroot would send usage statistics and which setting decided it, what
 * would be sent where, and the other vendor-bound calls that the opt-out leaves on.
 */
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { describe } from '../errors.js';
import type { IO } from '../io.js';
import { loadCorootConfig, type Setting } from '../sources/coroot-config.js';
import { describeOptOut, resolveOptOut, withOptOutOption, type OptOutArgs } from '../send/opt-out.js';
import { proxyFor } from '../send/proxy.js';
import { COROOT_COLLECTOR_URL, parseCollectorUrl, safeUrl, sha256 } from '../send/target.js';
import { otherOutboundCalls, type OtherCall } from '../status/other-calls.js';
import type { CommandSpec, GlobalArgs } from './command.js';
import { buildPayloadFromArgs, withSourceOptions, type SourceArgs } from './source-options.js';

interface StatusArgs extends SourceArgs, OptOutArgs {
  'collector-url': string;
  'do-not-check-for-updates'?: boolean;
}

type PayloadInfo = { bytes: number; sha256: string; source: string } | { unavailable: string };

interface StatusReport {
  usage_statistics: {
    enabled: boolean;
    decided_by: { source: Setting<boolean>['source']; origin: string };
    explanation: string;
    inputs: { flag: boolean | null; env: string | null; config_file: string | null; config_value: boolean | null };
  };
  send: {
    method: 'POST';
    url: string;
    content_type: 'application/json';
    schedule: string;
    route: string;
    payload: PayloadInfo;
  };
  other_outbound_calls: OtherCall[];
}

/** The opt-out inputs one by one, each resolved with Coroot's own rules. */
function optOutInputs(args: StatusArgs, env: NodeJS.ProcessEnv): StatusReport['usage_statistics']['inputs'] {
  const withoutVariable = { ...env, DISABLE_USAGE_STATISTICS: undefined };
  const fromFile = loadCorootConfig({ config: args.config }, withoutVariable);
  return {
    flag: args['disable-usage-statistics'] ?? null,
    env: env.DISABLE_USAGE_STATISTICS ?? null,
    config_file: fromFile.configFile ?? null,
    config_value: fromFile.configFile ? fromFile.disableUsageStatistics.value : null,
  };
}

/** The payload size when the sources can be read; status never fails because they cannot. */
async function payloadInfo(args: StatusArgs, io: IO, dataDir: string, hasPg: boolean): Promise<PayloadInfo> {
  if (!hasPg && !existsSync(dataDir)) return { unavailable: `data-dir ${dataDir} does not exist (pass --data-dir to see the payload size)` };
  try {
    const built = await buildPayloadFromArgs(args, io);
    return { bytes: built.bytes.length, sha256: sha256(built.bytes), source: built.context.database };
  } catch (err) {
    return { unavailable: describe(err) };
  }
}

function renderText(report: StatusReport, io: IO): string {
  const c = io.color;
  const u = report.usage_statistics;
  const s = report.send;
  const lines: string[] = [];
  lines.push(`${c.bold('Usage statistics:')} ${u.enabled ? c.yellow('ENABLED') : c.green('DISABLED')}`);
  lines.push(`  ${u.explanation}`);
  lines.push(`  decided by: ${u.decided_by.source === 'default' ? 'nothing set (the default is to send)' : `${u.decided_by.origin} (${u.decided_by.source})`}`);
  const flag = u.inputs.flag === null ? 'not given' : String(u.inputs.flag);
  const env = u.inputs.env === null ? 'unset' : JSON.stringify(u.inputs.env);
  const file = u.inputs.config_file === null ? 'none' : `${u.inputs.config_file} (disable_usage_statistics: ${u.inputs.config_value})`;
  lines.push(`  inputs: --disable-usage-statistics ${flag}; DISABLE_USAGE_STATISTICS ${env}; config file ${file}`);
  lines.push('');
  lines.push(c.bold(u.enabled ? 'What Coroot sends' : 'What Coroot would send if enabled (nothing is sent now)'));
  lines.push(`  ${s.method} ${s.url}  Content-Type: ${s.content_type}`);
  lines.push(`  when: ${s.schedule}`);
  lines.push(`  route: ${s.route}`);
  const p = s.payload;
  lines.push('bytes' in p
    ? `  payload: ${p.bytes} bytes, sha256 ${p.sha256}, from ${p.source} (review it with \`coroot-usage show\`)`
    : `  payload: unknown: ${p.unavailable}`);
  lines.push('');
  lines.push(c.bold('Other outbound calls the opt-out does not cover'));
  for (const call of report.other_outbound_calls) {
    const mark = call.active === true ? c.yellow('on ') : call.active === false ? c.green('off') : c.dim(' ? ');
    lines.push(`  [${mark}] ${call.method} ${call.url}  (${call.from})`);
    lines.push(`        ${call.what}`);
    lines.push(`        state: ${call.state}`);
    lines.push(`        to stop it: ${call.control}`);
  }
  return `${lines.join('\n')}\n`;
}

export const statusCommand: CommandSpec<StatusArgs> = {
  name: 'status',
  usage: 'status',
  summary: 'is sending on or off and why, what goes where, and the other outbound calls the opt-out leaves on',
  examples: [
    ['$0 status --config /etc/coroot/coroot.yaml --data-dir /var/lib/coroot', 'the state of an installed Coroot'],
    ['DISABLE_USAGE_STATISTICS=true $0 status --json', 'machine-readable'],
  ],
  builder: (y: Argv<GlobalArgs>) =>
    withOptOutOption(withSourceOptions(y))
      .option('collector-url', { type: 'string', default: COROOT_COLLECTOR_URL, describe: 'where the payload goes (as for send)' })
      .option('do-not-check-for-updates', { type: 'boolean', group: 'Opt-out:', describe: "Coroot's flag for the browser's version check [env DO_NOT_CHECK_FOR_UPDATES; config do_not_check_for_updates]" }) as Argv<StatusArgs & GlobalArgs>,
  async run(args, io) {
    const optOut = resolveOptOut(args, io.env);
    const config = loadCorootConfig({ config: args.config, dataDir: args['data-dir'], pgConnectionString: args['pg-connection-string'] }, io.env);
    const url = parseCollectorUrl(args['collector-url']);
    const proxy = proxyFor(url, io.env);
    const report: StatusReport = {
      usage_statistics: {
        enabled: !optOut.value,
        decided_by: { source: optOut.source, origin: optOut.origin },
        explanation: describeOptOut(optOut),
        inputs: optOutInputs(args, io.env),
      },
      send: {
        method: 'POST',
        url: safeUrl(url),
        content_type: 'application/json',
        schedule: 'once at Coroot start-up, then every hour; one attempt each, no retry, status ignored',
        route: proxy ? `through proxy ${safeUrl(proxy.url)} (from ${proxy.origin})` : 'direct (no HTTPS_PROXY/HTTP_PROXY applies here; Coroot reads its own environment)',
        payload: await payloadInfo(args, io, config.dataDir.value, config.pgConnectionString !== undefined),
      },
      other_outbound_calls: otherOutboundCalls({
        configFile: config.configFile,
        doNotCheckForUpdates: args['do-not-check-for-updates'],
        dataDir: config.dataDir.value,
        postgres: config.pgConnectionString !== undefined,
        env: io.env,
      }),
    };
    io.out(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report, io));
    return 0;
  },
};
