import type { KubeConfig } from '@kubernetes/client-node';
import type winston from 'winston';
import type { ProxyConfig } from '../config/types.js';
import { Applier } from '../iptables/applier.js';
import type { Conntrack } from '../iptables/conntrack.js';
import type { Runner } from '../iptables/runner.js';
import {
  ClusterWatch,
  type ClusterChange,
  type ClusterWatchOptions,
  type EndpointsSource,
} from '../k8s/cluster-watch.js';
import { HealthzServer } from '../server/healthz.js';
import type { Metrics } from '../server/metrics.js';
import { MetricsServer } from '../server/metrics-server.js';
import { isProxyHealthy, type HealthState } from '../server/proxy-health.js';
import { ServiceHealthServers, type ServiceHealthInfo } from '../server/service-health.js';
import { CanaryMonitor } from './canary.js';
import { realClock, type Clock } from './clock.js';
import { liveHostFacts, type HostFactsProvider } from './host-facts.js';
import { metricsObserver } from './metrics-observer.js';
import type { LocalHealthService, ServiceHealthSink } from './observer.js';
import { SyncScheduler, type SchedulerOptions } from './scheduler.js';
import { Syncer } from './syncer.js';
import { ApplyTarget, DryRunTarget, type RuleTarget } from './targets.js';
import { watchMetrics } from './watch-metrics.js';

/**
 * `kproxy run` without the CLI: the cluster watch feeding the scheduler, the syncer writing rules,
 * the canary check, and the health / metrics / health-check-NodePort servers. Constructing it
 * starts nothing; `start(signal)` does, in the order servers -> informers -> (all listed) ->
 * scheduler ready, and resolves once everything has stopped after `signal` aborts. Rules are left
 * in place on stop.
 */

export interface ControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly config: ProxyConfig;
  readonly runner: Runner;
  /** Absent: no UDP conntrack hygiene. */
  readonly conntrack?: Conntrack;
  readonly logger: winston.Logger;
  readonly metrics: Metrics;
  readonly endpointsSource?: EndpointsSource;
  /** Print each sync's changes instead of applying them. */
  readonly dryRun?: { readonly print: (text: string) => void };
  readonly clock?: Clock;
  /** Default: the interfaces of this process's network namespace, the runner, /proc. */
  readonly hostFacts?: HostFactsProvider;
  readonly informer?: ClusterWatchOptions['informer'];
  readonly scheduler?: Partial<Pick<SchedulerOptions, 'retryInitialMs' | 'retryMaxMs' | 'fullSyncPeriodMs'>>;
  /** Health-check NodePorts listen on these addresses (default every address). */
  readonly serviceHealthAddresses?: readonly string[];
}

export class Controller {
  readonly applier: Applier;
  readonly watch: ClusterWatch;
  readonly syncer: Syncer;
  readonly scheduler: SyncScheduler;
  /** Bound ports, known once `start` has started the servers. */
  healthzPort: number | undefined;
  metricsPort: number | undefined;
  private readonly clock: Clock;
  private readonly log: winston.Logger;
  private readonly healthz: HealthzServer;
  private readonly metricsServer: MetricsServer;
  private readonly serviceHealth: ServiceHealthServers;
  private readonly canary: CanaryMonitor;
  private readonly healthTimeoutMs: number;
  private nodeEligible = true;

  constructor(private readonly options: ControllerOptions) {
    const { config, runner, logger, metrics } = options;
    this.clock = options.clock ?? realClock;
    this.log = logger.child({ component: 'controller' });
    this.healthTimeoutMs = 2 * config.iptables.syncPeriodMs;
    this.applier = new Applier(runner);
    this.watch = new ClusterWatch({
      kubeConfig: options.kubeConfig,
      hostname: config.hostname,
      endpointsSource: options.endpointsSource ?? 'endpointslices',
      logger,
      informer: { clock: this.clock, ...options.informer },
      onChange: (change) => this.onChange(change),
      onNodeEligible: (eligible) => (this.nodeEligible = eligible),
      onSkippedObject: (resource) => metrics.skippedObjectsTotal.inc({ kind: resource, reason: 'invalid' }),
      onInformerSignal: watchMetrics(metrics, this.clock),
    });
    this.serviceHealth = new ServiceHealthServers({
      logger: logger.child({ component: 'service-health' }),
      addresses: options.serviceHealthAddresses,
      proxyHealthy: () => isProxyHealthy(this.healthState(), this.clock.now(), this.healthTimeoutMs),
    });
    this.syncer = new Syncer({
      source: this.watch,
      config,
      hostFacts: options.hostFacts ?? liveHostFacts(config, runner),
      target: this.target(),
      conntrack: options.dryRun ? undefined : options.conntrack,
      clock: this.clock,
      logger,
      observer: metricsObserver(metrics),
      serviceHealth: this.serviceHealthSink(),
    });
    this.scheduler = new SyncScheduler({
      ...options.scheduler,
      sync: async (kind, reasons) => {
        try {
          await this.syncer.sync({ full: kind === 'full', reasons });
        } finally {
          this.updatePendingGauges();
        }
      },
      minSyncPeriodMs: config.iptables.minSyncPeriodMs,
      syncPeriodMs: config.iptables.syncPeriodMs,
      onPeriodic: options.dryRun ? undefined : async () => void (await this.canary.check()),
      clock: this.clock,
      logger: logger.child({ component: 'scheduler' }),
    });
    this.canary = new CanaryMonitor({
      runner,
      families: () => this.syncer.syncedFamilies,
      onMissing: (family) => {
        this.applier.invalidate(family);
        this.scheduler.requestFullSync(`canary missing (${family})`);
      },
      logger,
    });
    this.healthz = new HealthzServer({
      bindAddress: config.healthzBindAddress,
      healthTimeoutMs: this.healthTimeoutMs,
      state: () => this.healthState(),
      clock: this.clock,
      metrics,
    });
    this.metricsServer = new MetricsServer({
      bindAddress: config.metricsBindAddress,
      registry: metrics.registry,
    });
  }

  healthState(): HealthState {
    const { lastQueuedAt, lastSyncedAt } = this.scheduler.state();
    return { lastQueuedAt, lastSyncedAt, nodeEligible: this.nodeEligible };
  }

  /** Runs until `signal` aborts. Rejects only on start-up errors (a server cannot listen). */
  async start(signal: AbortSignal): Promise<void> {
    const { config } = this.options;
    this.healthzPort = await this.healthz.start(signal);
    this.metricsPort = await this.metricsServer.start(signal);
    this.serviceHealth.start(signal);
    this.log.info('servers listening', {
      healthz: config.healthzBindAddress,
      healthzPort: this.healthzPort,
      metrics: config.metricsBindAddress,
      metricsPort: this.metricsPort,
    });
    this.scheduler.start(signal);
    const { synced, done } = this.watch.start(signal);
    this.log.info('waiting for the caches to sync', { hostname: config.hostname });
    if (await synced) this.scheduler.ready();
    await done;
    await this.scheduler.whenIdle();
    await Promise.all([this.healthz.stop(), this.metricsServer.stop(), this.serviceHealth.stop()]);
    this.log.info('stopped; rules left in place');
  }

  private target(): RuleTarget {
    const { dryRun, logger } = this.options;
    if (!dryRun) return new ApplyTarget(this.applier);
    return new DryRunTarget(this.applier, dryRun.print, logger.child({ component: 'dry-run' }));
  }

  private serviceHealthSink(): ServiceHealthSink {
    return {
      update: (services: readonly LocalHealthService[]) => {
        const byPort = new Map<number, ServiceHealthInfo>(
          services.map((s) => [
            s.healthCheckNodePort,
            { namespace: s.namespace, name: s.name, localEndpoints: s.localEndpoints },
          ]),
        );
        this.serviceHealth.sync(byPort).catch((error: unknown) => {
          this.log.error('updating health check servers failed', { error: String(error) });
        });
      },
    };
  }

  private onChange(change: ClusterChange): void {
    const { metrics } = this.options;
    if (change.kind === 'service') metrics.serviceChangesTotal.inc();
    if (change.kind === 'endpoints') metrics.endpointChangesTotal.inc();
    this.updatePendingGauges();
    if (change.full) this.scheduler.requestFullSync(change.reason);
    else this.scheduler.markDirty(change.reason);
    const queuedAt = this.scheduler.state().lastQueuedAt;
    if (queuedAt !== undefined) {
      for (const ip_family of ['IPv4', 'IPv6'])
        metrics.syncProxyRulesLastQueuedTimestamp.set({ ip_family }, queuedAt / 1000);
    }
  }

  private updatePendingGauges(): void {
    const { services, endpoints } = this.watch.pendingCounts();
    this.options.metrics.serviceChangesPending.set(services);
    this.options.metrics.endpointChangesPending.set(endpoints);
  }
}
