import type { Argv } from 'yargs';
import { parseSave } from '../../iptables/parse.js';
import { createRunner } from '../../iptables/runner.js';
import type { IpFamily } from '../../model/family.js';
import { parseIp } from '../../model/ip.js';
import { render } from '../../render/render.js';
import {
  TraceInputError,
  formatTrace,
  tracePacket,
  traceTablesFromRuleSet,
  traceTablesFromSaved,
  type TraceProtocol,
  type TraceTables,
} from '../../trace/index.js';
import { ConfigError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { interfaceAddresses } from '../../sync/host-facts.js';
import { loadOfflineInputs, offlineHostFacts } from '../inputs.js';
import { withIptablesBackend, type IptablesArgs } from '../iptables-options.js';

interface TraceArgs extends IptablesArgs {
  config?: string;
  objects?: string[];
  live: boolean;
  from: string;
  to: string;
  origin: 'remote' | 'local';
  'in-interface'?: string;
}

interface Destination {
  readonly ip: string;
  readonly port: number;
  readonly protocol: TraceProtocol;
  readonly family: IpFamily;
}

const DESTINATION = /^(?:\[([^\]]+)\]|([^:/\]]+)):(\d{1,5})(?:\/(tcp|udp|sctp))?$/i;

/** `IP:PORT[/PROTO]`, `[IPv6]:PORT[/PROTO]`; the protocol defaults to tcp. */
export function parseDestination(text: string): Destination {
  const m = DESTINATION.exec(text.trim());
  const ip = m ? parseIp(m[1] ?? m[2] ?? '') : undefined;
  const port = m ? Number(m[3]) : 0;
  if (!m || !ip || port < 1 || port > 65535) {
    throw new ConfigError(`--to ${JSON.stringify(text)} is not IP:PORT[/tcp|udp|sctp] (IPv6 as [IP]:PORT)`);
  }
  return {
    ip: ip.canonical,
    port,
    protocol: (m[4]?.toLowerCase() ?? 'tcp') as TraceProtocol,
    family: ip.family,
  };
}

async function tablesAndHost(
  args: TraceArgs,
  family: IpFamily,
  ctx: CommandContext,
): Promise<{ tables: TraceTables; localAddresses: readonly string[] }> {
  if (args.live) {
    const runner = createRunner({ backend: args['iptables-backend'] });
    const live = parseSave(await runner.save(family), family);
    return { tables: traceTablesFromSaved(live), localAddresses: interfaceAddresses() };
  }
  if (!args.config || !args.objects) throw new ConfigError('trace needs --config and --objects, or --live');
  const inputs = await loadOfflineInputs(args.config, args.objects, ctx.logger.child({ component: 'trace' }));
  const host = offlineHostFacts(inputs);
  const { ruleSet } = render({ ...inputs, family, host });
  return { tables: traceTablesFromRuleSet(ruleSet), localAddresses: host.localAddresses };
}

export function registerTrace(yargs: Argv, ctx: CommandContext): Argv {
  return yargs.command<TraceArgs>(
    'trace',
    'Walk a new connection through the rules: every endpoint it can reach with its probability, masquerade, or where it is rejected/dropped',
    (y) =>
      withIptablesBackend(
        y
          .option('config', { type: 'string', describe: 'KubeProxyConfiguration file (with --objects)' })
          .option('objects', { type: 'string', array: true, describe: 'object files or directories' })
          .option('live', {
            type: 'boolean',
            default: false,
            describe: "trace this node's live ruleset instead",
          })
          .option('from', { type: 'string', demandOption: true, describe: 'source IP' })
          .option('to', {
            type: 'string',
            demandOption: true,
            describe: 'destination IP:PORT[/tcp|udp|sctp]',
          })
          .option('origin', {
            choices: ['remote', 'local'] as const,
            default: 'remote' as const,
            describe: 'remote: arrives on an interface; local: sent by a process on the node',
          })
          .option('in-interface', {
            type: 'string',
            describe: 'input interface of a remote packet (for -i rules)',
          }),
      ),
    async (args) => {
      const to = parseDestination(args.to);
      const src = parseIp(args.from);
      if (!src) throw new ConfigError(`--from ${JSON.stringify(args.from)} is not an IP address`);
      const { tables, localAddresses } = await tablesAndHost(args, to.family, ctx);
      try {
        const result = tracePacket(
          tables,
          {
            src: src.canonical,
            dst: to.ip,
            dport: to.port,
            protocol: to.protocol,
            origin: args.origin,
            ...(args['in-interface'] ? { inInterface: args['in-interface'] } : {}),
          },
          { localAddresses },
        );
        ctx.stdout(formatTrace(result));
      } catch (err) {
        if (err instanceof TraceInputError) throw new ConfigError(err.message, undefined, { cause: err });
        throw err;
      }
    },
  );
}
