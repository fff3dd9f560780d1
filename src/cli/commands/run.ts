import type { Argv } from 'yargs';
import { createConntrack } from '../../iptables/conntrack.js';
import { createRunner, type Backend } from '../../iptables/runner.js';
import type { EndpointsSource } from '../../k8s/cluster-watch.js';
import { createMetrics } from '../../server/metrics.js';
import { healthCheckAddresses } from '../../server/health-addresses.js';
import { Controller } from '../../sync/controller.js';
import { interfaceAddresses } from '../../sync/host-facts.js';
import type { CommandContext } from '../context.js';
import { levelForVerbosity } from '../logger.js';
import { loadKubeConfig } from '../run/kubeconfig.js';
import { loadRunConfig, type ConfigFlags } from '../run/settings.js';

interface RunArgs extends ConfigFlags {
  kubeconfig: string | undefined;
  master: string | undefined;
  v: number | undefined;
  'iptables-backend': Backend;
  'endpoints-source': EndpointsSource;
  'dry-run': boolean;
}

function options(y: Argv): Argv<RunArgs> {
  return y
    .option('config', { type: 'string', describe: 'KubeProxyConfiguration file (flags override it)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig file (default: in-cluster configuration)' })
    .option('master', { type: 'string', describe: 'API server address (overrides the kubeconfig)' })
    .option('hostname-override', { type: 'string', describe: 'Node name, instead of the hostname' })
    .option('cluster-cidr', { type: 'string', describe: 'Pod CIDRs (comma-separated, one per family)' })
    .option('masquerade-all', { type: 'boolean', describe: 'SNAT all traffic sent to service IPs' })
    .option('iptables-sync-period', { type: 'string', describe: 'Canary check / retry interval (e.g. 30s)' })
    .option('iptables-min-sync-period', {
      type: 'string',
      describe: 'Minimum interval between syncs (e.g. 1s)',
    })
    .option('nodeport-addresses', {
      type: 'string',
      array: true,
      describe: 'CIDRs (or "primary") NodePorts accept',
    })
    .option('detect-local-mode', {
      type: 'string',
      describe: 'ClusterCIDR | NodeCIDR | BridgeInterface | InterfaceNamePrefix',
    })
    .option('healthz-bind-address', { type: 'string', describe: 'IP:port of /healthz and /livez' })
    .option('metrics-bind-address', { type: 'string', describe: 'IP:port of /metrics' })
    .option('v', { type: 'number', describe: 'Log verbosity (2: verbose, 4: debug)' })
    .option('iptables-backend', {
      choices: ['auto', 'nft', 'legacy'] as const,
      default: 'auto' as const,
      describe: 'auto: iptables-restore as installed; nft / legacy: iptables-<backend>-restore',
    })
    .option('endpoints-source', {
      choices: ['endpointslices', 'endpoints'] as const,
      default: 'endpointslices' as const,
      describe: 'Read EndpointSlices, or legacy v1 Endpoints',
    })
    .option('dry-run', {
      type: 'boolean',
      default: false,
      describe: "Print each sync's changes instead of applying them (needs no root)",
    });
}

export function registerRun(yargs: Argv, ctx: CommandContext): Argv {
  return yargs.command<RunArgs>(
    'run',
    "Keep this node's iptables rules in sync with the cluster (the kube-proxy daemon)",
    options,
    async (args) => {
      if (args.v !== undefined) ctx.logger.level = levelForVerbosity(args.v);
      const log = ctx.logger.child({ component: 'run' });
      const config = await loadRunConfig(args, log);
      const kubeConfig = loadKubeConfig(args.kubeconfig, args.master);
      const runner = createRunner({ backend: args['iptables-backend'] });
      const health = healthCheckAddresses(config.nodePortAddresses, interfaceAddresses());
      if (health.reason !== undefined) {
        log.warn('health check NodePorts listen on every address', { reason: health.reason });
      }
      const controller = new Controller({
        kubeConfig,
        config,
        runner,
        conntrack: createConntrack(),
        logger: ctx.logger,
        metrics: createMetrics(),
        endpointsSource: args['endpoints-source'],
        dryRun: args['dry-run'] ? { print: ctx.stdout } : undefined,
        serviceHealthAddresses: health.addresses,
      });
      const abort = new AbortController();
      const stop = (signal: NodeJS.Signals): void => {
        log.info('shutting down', { signal });
        abort.abort();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      log.info('starting', {
        hostname: config.hostname,
        dryRun: args['dry-run'],
        backend: args['iptables-backend'],
      });
      try {
        await controller.start(abort.signal);
      } finally {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        abort.abort();
      }
    },
  );
}
