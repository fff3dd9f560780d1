import type { Argv } from 'yargs';
import { Applier } from '../../iptables/applier.js';
import { describePlan, summarizePlan } from '../../iptables/describe.js';
import { createRunner, type Runner } from '../../iptables/runner.js';
import type { RuleSet } from '../../model/ruleset.js';
import { render } from '../../render/render.js';
import type { CommandContext } from '../context.js';
import { liveHostFacts } from '../../sync/host-facts.js';
import { clusterFamilies, loadOfflineInputs } from '../inputs.js';
import { withIptablesBackend, type IptablesArgs } from '../iptables-options.js';

interface ObjectArgs extends IptablesArgs {
  config: string;
  objects: string[];
}

function objectOptions<T>(y: Argv<T>): Argv<T & ObjectArgs> {
  return withIptablesBackend(
    y
      .option('config', { type: 'string', demandOption: true, describe: 'KubeProxyConfiguration file' })
      .option('objects', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'YAML/JSON files or directories of Services, EndpointSlices, Endpoints and Nodes',
      }),
  );
}

/** Render every family the cluster uses, with this machine's facts. */
async function desiredRuleSets(args: ObjectArgs, runner: Runner, ctx: CommandContext): Promise<RuleSet[]> {
  const log = ctx.logger.child({ component: 'render' });
  const inputs = await loadOfflineInputs(args.config, args.objects, log);
  const host = await liveHostFacts(inputs.config, runner)();
  return clusterFamilies(inputs).map((family) => {
    const result = render({ ...inputs, family, host });
    for (const w of result.warnings) log.warn(`${w.object}: ${w.message}`);
    return result.ruleSet;
  });
}

export function registerApply(yargs: Argv, ctx: CommandContext): Argv {
  return yargs.command<ObjectArgs>(
    'apply',
    'Render a cluster and apply it to this node: one atomic iptables-restore per family, only what differs',
    (y) => objectOptions(y),
    async (args) => {
      const started = performance.now();
      const runner = createRunner({ backend: args['iptables-backend'] });
      const desired = await desiredRuleSets(args, runner, ctx);
      const result = await new Applier(runner).apply(desired, { full: true });
      const ms = Math.round(performance.now() - started);
      const parts = result.families.map((f) => summarizePlan(f.plan));
      ctx.stdout(`applied in ${ms} ms: ${parts.join('; ')}\n`);
    },
  );
}

interface DiffArgs extends ObjectArgs {
  'exit-code': boolean;
}

export function registerDiff(yargs: Argv, ctx: CommandContext): Argv {
  return yargs.command<DiffArgs>(
    'diff',
    'Show, chain by chain, what apply would change on this node (changes nothing)',
    (y) =>
      objectOptions(y).option('exit-code', {
        type: 'boolean',
        default: false,
        describe: 'exit 1 when there are changes',
      }),
    async (args) => {
      const runner = createRunner({ backend: args['iptables-backend'] });
      const desired = await desiredRuleSets(args, runner, ctx);
      const plans = await new Applier(runner).diff(desired);
      const lines = plans.flatMap((p) => (p.empty ? [`${p.family}: no changes`] : describePlan(p)));
      ctx.stdout(lines.join('\n') + '\n');
      if (args['exit-code'] && plans.some((p) => !p.empty)) process.exitCode = 1;
    },
  );
}

export function registerCleanup(yargs: Argv, ctx: CommandContext): Argv {
  return yargs.command<IptablesArgs>(
    'cleanup',
    "Remove every chain and jump kproxy or kube-proxy's iptables mode creates (KUBE-* in nat, filter, mangle), leaving other rules untouched",
    (y) => withIptablesBackend(y),
    async (args) => {
      const runner = createRunner({ backend: args['iptables-backend'] });
      const plans = await new Applier(runner).cleanup(['ipv4', 'ipv6']);
      ctx.stdout(`cleaned up: ${plans.map((p) => summarizePlan(p)).join('; ')}\n`);
    },
  );
}
