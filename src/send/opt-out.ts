/**
 * Whether Coroot would send at all, decided from the opt-out settings alone (flag, variable, config file)
 * with loadCorootConfig's Coroot rules; nothing here reads the data-dir or touches the network.
 */
import type { Argv } from 'yargs';
import { loadCorootConfig, type Setting } from '../sources/coroot-config.js';

export interface OptOutArgs {
  config?: string;
  'disable-usage-statistics'?: boolean;
}

/** The flag has no default: "not given" must let DISABLE_USAGE_STATISTICS decide, as in kingpin. */
export function withOptOutOption<T>(y: Argv<T>): Argv<T & OptOutArgs> {
  return y.option('disable-usage-statistics', {
    type: 'boolean',
    group: 'Opt-out:',
    describe: "Coroot's opt-out flag: when set, nothing is sent [env DISABLE_USAGE_STATISTICS; config disable_usage_statistics]",
  }) as Argv<T & OptOutArgs>;
}

export function resolveOptOut(args: OptOutArgs, env: NodeJS.ProcessEnv): Setting<boolean> {
  return loadCorootConfig({ config: args.config, disableUsageStatistics: args['disable-usage-statistics'] }, env).disableUsageStatistics;
}

export function describeOptOut(setting: Setting<boolean>): string {
  if (!setting.value) return 'usage statistics are enabled (no opt-out set: not by --disable-usage-statistics, DISABLE_USAGE_STATISTICS nor disable_usage_statistics in a config file)';
  switch (setting.source) {
    case 'flag':
      return 'usage statistics are disabled by the flag --disable-usage-statistics';
    case 'env':
      return 'usage statistics are disabled by the environment variable DISABLE_USAGE_STATISTICS';
    case 'config':
      return `usage statistics are disabled by the config file (${setting.origin})`;
    default:
      return `usage statistics are disabled (${setting.origin})`;
  }
}
