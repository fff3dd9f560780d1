/** Runs the controller in-process against a FakeApiServer, for the controller and e2e tests. */
import winston from 'winston';
import { DEFAULT_CONFIG, type ProxyConfig } from '../../src/config/types.js';
import type { Conntrack } from '../../src/iptables/conntrack.js';
import { planRestore } from '../../src/iptables/diff.js';
import type { RestorePlan } from '../../src/iptables/restore-plan.js';
import type { Runner } from '../../src/iptables/runner.js';
import { convertObjects } from '../../src/k8s/convert.js';
import type { IpFamily } from '../../src/model/family.js';
import { buildSnapshot } from '../../src/model/snapshot.js';
import type { HostFacts } from '../../src/render/input.js';
import { render } from '../../src/render/render.js';
import { createMetrics, type Metrics } from '../../src/server/metrics.js';
import { Controller, type ControllerOptions } from '../../src/sync/controller.js';
import type { FakeApiServer } from './fake-apiserver/index.js';

export const TEST_HOST: HostFacts = { localAddresses: ['127.0.0.1'], randomFully: true, tcpBeLiberal: false };

export function testConfig(overrides: Partial<ProxyConfig> = {}): ProxyConfig {
  return {
    ...DEFAULT_CONFIG,
    hostname: 'node-a',
    clusterCIDRs: ['10.244.0.0/16'],
    healthzBindAddress: '127.0.0.1:0',
    metricsBindAddress: '127.0.0.1:0',
    ...overrides,
    iptables: { ...DEFAULT_CONFIG.iptables, syncPeriodMs: 300, minSyncPeriodMs: 30, ...overrides.iptables },
  };
}

export interface RunningController {
  readonly controller: Controller;
  readonly metrics: Metrics;
  readonly config: ProxyConfig;
  stop(): Promise<void>;
}

export function startController(
  api: FakeApiServer,
  runner: Runner,
  opts: {
    readonly config?: ProxyConfig;
    readonly host?: HostFacts;
    readonly conntrack?: Conntrack;
    readonly extra?: Partial<ControllerOptions>;
  } = {},
): RunningController {
  const config = opts.config ?? testConfig();
  const metrics = createMetrics({ processMetrics: false });
  const level = process.env.KPROXY_TEST_LOG ?? '';
  const logger = winston.createLogger({
    silent: level === '',
    level: level || 'info',
    transports: [
      new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'verbose', 'debug'] }),
    ],
  });
  const controller = new Controller({
    kubeConfig: api.kubeConfig(),
    config,
    runner,
    conntrack: opts.conntrack,
    logger,
    metrics,
    hostFacts: () => Promise.resolve(opts.host ?? TEST_HOST),
    informer: { backoff: { initialMs: 20, maxMs: 200 }, minWatchMs: 50 },
    scheduler: { retryInitialMs: 50 },
    ...opts.extra,
  });
  const abort = new AbortController();
  const done = controller.start(abort.signal);
  done.catch(() => undefined);
  return {
    controller,
    metrics,
    config,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/** What `render` gives for the objects the API server holds now. */
export function expectedPlan(
  api: FakeApiServer,
  config: ProxyConfig,
  live: Parameters<typeof planRestore>[1],
  family: IpFamily = 'ipv4',
  host: HostFacts = TEST_HOST,
): RestorePlan {
  const objects = [...api.list('services'), ...api.list('endpointslices'), ...api.list('nodes')];
  const converted = convertObjects(objects);
  const snapshot = buildSnapshot(converted.services, converted.endpointSlices, converted.nodes);
  return planRestore(render({ snapshot, config, family, host }).ruleSet, live);
}

/** Polls an async condition. */
export async function eventually(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
