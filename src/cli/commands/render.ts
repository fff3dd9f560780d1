import type { Argv } from 'yargs';
import { serializeRuleSet } from '../../iptables/serialize.js';
import type { IpFamily } from '../../model/family.js';
import { render } from '../../render/render.js';
import { formatSummary } from '../../render/summary.js';
import type { CommandContext } from '../context.js';
import { loadOfflineInputs, offlineHostFacts } from '../inputs.js';

interface RenderArgs {
  config: string;
  objects: string[];
  'ip-family': IpFamily;
  format: 'restore' | 'summary';
}

export function registerRender(yargs: Argv, ctx: CommandContext): Argv {
  return yargs.command<RenderArgs>(
    'render',
    'Print the iptables-restore input kproxy would write for a cluster (offline dry run)',
    (y) =>
      y
        .option('config', { type: 'string', demandOption: true, describe: 'KubeProxyConfiguration file' })
        .option('objects', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'YAML/JSON files or directories of Services, EndpointSlices, Endpoints and Nodes',
        })
        .option('ip-family', { choices: ['ipv4', 'ipv6'] as const, default: 'ipv4' as const })
        .option('format', {
          choices: ['restore', 'summary'] as const,
          default: 'restore' as const,
          describe: 'restore: the complete iptables-restore input; summary: a per-service table',
        }),
    async (args) => {
      const log = ctx.logger.child({ component: 'render' });
      const inputs = await loadOfflineInputs(args.config, args.objects, log);
      const input = { ...inputs, family: args['ip-family'], host: offlineHostFacts(inputs) };
      const result = render(input);
      for (const w of result.warnings) log.warn(`${w.object}: ${w.message}`);
      if (args.format === 'summary') {
        ctx.stdout(formatSummary(input));
      } else {
        ctx.stdout(serializeRuleSet(result.ruleSet));
      }
    },
  );
}
