import winston from 'winston';
import { createRunner, inputText, type Backend, type Runner } from '../src/iptables/runner.js';
import { createMetrics } from '../src/server/metrics.js';
import { Controller } from '../src/sync/controller.js';
import { fakeKubeConfig } from '../test/support/fake-apiserver/kubeconfig.js';
import { syntheticNodeSetup } from './generate.js';
import { peakRssMb } from './measure.js';

/**
 * kproxy's side of the latency benchmark, in a process of its own (forked with an IPC channel by
 * bench/latency.ts, compiled, under plain node): the controller kproxy run starts
 * (src/sync/controller.ts: informers, ClusterWatch, Syncer, Applier, health and metrics servers)
 * against the fake API server's URL, with a real runner into the benchmark's namespace. Its peak
 * RSS is kproxy's memory on a node it restarts on: reading the live rules, the first full sync,
 * then syncs under churn. argv[2] is the ControllerChildParams JSON.
 */

export interface ControllerChildParams {
  readonly backend: Backend;
  readonly netns: string;
  readonly apiUrl: string;
  readonly minSyncPeriodMs: number;
}

/** Parent -> child: `watch` starts noting applied endpoints; `stop` ends the controller and reports. */
export type ToControllerChild = { readonly kind: 'watch' } | { readonly kind: 'stop' };

/** A successful sync, as far as the benchmark needs it. */
export interface SyncSummary {
  readonly durationMs: number;
  readonly linesSent: number;
  /** The report's networkProgrammingSeconds, in ms. */
  readonly programmingMs: readonly number[];
}

export type FromControllerChild =
  | { readonly kind: 'synced'; readonly firstSyncMs: number; readonly firstSyncLines: number }
  /** Endpoint IPs whose DNAT a watched restore held, and when that restore completed (epoch ms). */
  | { readonly kind: 'applied'; readonly ips: readonly string[]; readonly atMs: number }
  | {
      readonly kind: 'result';
      /** Successful syncs and restore durations since `watch`, and syncs that failed meanwhile. */
      readonly during: readonly SyncSummary[];
      readonly restoreMs: readonly number[];
      readonly syncFailures: number;
      readonly rssMb: number;
      readonly heapMb: number;
    }
  | { readonly kind: 'error'; readonly message: string };

const FIRST_SYNC_MAX_FAILURES = 3;
const STOP_TIMEOUT_MS = 30_000;
const DNAT_TARGET = /--to-destination (\d+\.\d+\.\d+\.\d+):/g;

const epochMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function send(msg: FromControllerChild): void {
  process.send?.(msg);
}

/** Delegates to `inner`; once `watching`, times each successful restore and reports its DNAT targets. */
class ObservingRunner implements Runner {
  watching = false;
  readonly restoreMs: number[] = [];

  constructor(private readonly inner: Runner) {}

  get backend(): Runner['backend'] {
    return this.inner.backend;
  }

  save(...args: Parameters<Runner['save']>): ReturnType<Runner['save']> {
    return this.inner.save(...args);
  }

  saveTo(...args: Parameters<Runner['saveTo']>): ReturnType<Runner['saveTo']> {
    return this.inner.saveTo(...args);
  }

  async restore(...args: Parameters<Runner['restore']>): Promise<void> {
    const watched = this.watching;
    const started = epochMs();
    await this.inner.restore(...args);
    if (!watched) return;
    const atMs = epochMs();
    this.restoreMs.push(atMs - started);
    const ips = [...inputText(args[1]).matchAll(DNAT_TARGET)].map((m) => m[1] ?? '');
    if (ips.length > 0) send({ kind: 'applied', ips, atMs });
  }

  version(): ReturnType<Runner['version']> {
    return this.inner.version();
  }

  supportsRandomFully(): ReturnType<Runner['supportsRandomFully']> {
    return this.inner.supportsRandomFully();
  }
}

function main(): void {
  if (!process.send) throw new Error('bench/latency-controller.ts runs as a forked child (IPC channel)');
  const p = JSON.parse(process.argv[2] ?? '') as ControllerChildParams;
  const { config, host } = syntheticNodeSetup();
  const runner = new ObservingRunner(createRunner({ backend: p.backend, netns: p.netns }));
  const controller = new Controller({
    kubeConfig: fakeKubeConfig(p.apiUrl),
    config: {
      ...config,
      healthzBindAddress: '127.0.0.1:0',
      metricsBindAddress: '127.0.0.1:0',
      iptables: { ...config.iptables, minSyncPeriodMs: p.minSyncPeriodMs },
    },
    runner,
    logger: winston.createLogger({
      level: 'error',
      transports: [new winston.transports.Console({ stderrLevels: ['error'] })],
    }),
    metrics: createMetrics({ processMetrics: false }),
    hostFacts: () => Promise.resolve(host),
    serviceHealthAddresses: ['127.0.0.1'],
  });

  // The syncer's reports and failures, taken by wrapping it (the controller has no observer option).
  const during: SyncSummary[] = [];
  let failures = 0;
  let watchedFailures = 0;
  let synced = false;
  const startedAt = performance.now();
  const syncer = controller.syncer;
  const inner = syncer.sync.bind(syncer);
  syncer.sync = async (request) => {
    try {
      const report = await inner(request);
      if (!synced) {
        synced = true;
        send({
          kind: 'synced',
          firstSyncMs: performance.now() - startedAt,
          firstSyncLines: report.linesSent,
        });
      } else if (runner.watching) {
        const programmingMs = report.families.flatMap((f) =>
          f.networkProgrammingSeconds.map((s) => s * 1000),
        );
        during.push({ durationMs: report.durationMs, linesSent: report.linesSent, programmingMs });
      }
      return report;
    } catch (error) {
      failures++;
      if (runner.watching) watchedFailures++;
      if (!synced && failures >= FIRST_SYNC_MAX_FAILURES) {
        send({
          kind: 'error',
          message: `the controller's first sync failed ${failures} times: ${message(error)}`,
        });
      }
      throw error;
    }
  };

  const abort = new AbortController();
  const done = controller.start(abort.signal);
  done.catch((err: unknown) => send({ kind: 'error', message: `the controller stopped: ${message(err)}` }));
  process.on('disconnect', () => abort.abort());
  process.on('message', (msg: ToControllerChild) => {
    if (msg.kind === 'watch') {
      runner.watching = true;
      return;
    }
    abort.abort();
    void Promise.race([done.catch(() => undefined), sleep(STOP_TIMEOUT_MS)]).then(() => {
      send({
        kind: 'result',
        during,
        restoreMs: runner.restoreMs,
        syncFailures: watchedFailures,
        rssMb: peakRssMb(),
        heapMb: process.memoryUsage().heapUsed / 2 ** 20,
      });
      process.disconnect();
    });
  });
}

try {
  main();
} catch (err) {
  send({ kind: 'error', message: message(err) });
  process.exitCode = 1;
}
