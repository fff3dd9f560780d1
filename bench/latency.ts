import { Worker } from 'node:worker_threads';
import winston from 'winston';
import type { ProxyConfig } from '../src/config/types.js';
import { createRunner, type Runner } from '../src/iptables/runner.js';
import type { RuleSet } from '../src/model/ruleset.js';
import { createMetrics } from '../src/server/metrics.js';
import { Controller } from '../src/sync/controller.js';
import type { SyncReport } from '../src/sync/observer.js';
import { fakeKubeConfig } from '../test/support/fake-apiserver/index.js';
import type { BenchBackend } from './apply.js';
import { Applier } from '../src/iptables/applier.js';
import { generateCluster } from './generate.js';
import type { ApiWorkerData, FromApiWorker, ToApiWorker } from './latency-api.js';
import { round, timedAsync } from './measure.js';
import { createNetns, deleteNetns } from './netns.js';
import type { BackendLatencyRecord } from './types.js';

/**
 * Network programming latency: the controller (src/sync/controller.ts, in-process, with a real
 * runner into a fresh namespace) against the fake API server (in a worker thread, bench/latency-api.ts)
 * while one EndpointSlice changes every 1/rate s. Per update: from its trigger time to the end of
 * the first successful iptables-restore whose input holds the new endpoint's DNAT.
 */

export interface LatencyParams {
  readonly services: number;
  readonly endpointsPerService: number;
  readonly seed: number;
  readonly backend: BenchBackend;
  readonly netns: string;
  /** The scenario's full ruleset, restored (flushing) before the controller starts. */
  readonly base: RuleSet;
  readonly churnMs: number;
  readonly ratePerSecond: number;
  readonly minSyncPeriodMs: number;
}

const FIRST_SYNC_TIMEOUT_MS = 15 * 60_000;
const FIRST_SYNC_MAX_FAILURES = 3;
const DRAIN_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const DNAT_TARGET = /--to-destination (\d+\.\d+\.\d+\.\d+):/g;

const epochMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of ascending `sorted`; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}

const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const roundOrNull = (n: number | null): number | null => (n === null ? null : round(n));

/** Delegates to `inner`; after each successful restore started once `watching`, notes each DNAT target. */
class ObservingRunner implements Runner {
  watching = false;
  /** Endpoint IP -> epoch ms at which a restore holding its DNAT first completed. */
  readonly appliedAt = new Map<string, number>();
  /** Duration of every restore call made while watching, ms. */
  readonly restoreMs: number[] = [];

  constructor(private readonly inner: Runner) {}

  get backend(): Runner['backend'] {
    return this.inner.backend;
  }

  save(...args: Parameters<Runner['save']>): ReturnType<Runner['save']> {
    return this.inner.save(...args);
  }

  async restore(...args: Parameters<Runner['restore']>): Promise<void> {
    const watched = this.watching;
    const started = epochMs();
    await this.inner.restore(...args);
    if (!watched) return;
    const at = epochMs();
    this.restoreMs.push(at - started);
    for (const m of args[1].matchAll(DNAT_TARGET)) {
      const ip = m[1] ?? '';
      if (!this.appliedAt.has(ip)) this.appliedAt.set(ip, at);
    }
  }

  version(): ReturnType<Runner['version']> {
    return this.inner.version();
  }

  supportsRandomFully(): ReturnType<Runner['supportsRandomFully']> {
    return this.inner.supportsRandomFully();
  }
}

/** The syncer's reports and failures, taken by wrapping the controller's syncer (it has no observer option). */
class SyncLog {
  readonly reports: { readonly report: SyncReport; readonly atMs: number }[] = [];
  failures = 0;
  lastError: unknown;

  attach(controller: Controller): void {
    const syncer = controller.syncer;
    const inner = syncer.sync.bind(syncer);
    syncer.sync = async (request) => {
      try {
        const report = await inner(request);
        this.reports.push({ report, atMs: epochMs() });
        return report;
      } catch (error) {
        this.failures++;
        this.lastError = error;
        throw error;
      }
    };
  }
}

interface ApiWorker {
  readonly worker: Worker;
  readonly ready: Promise<Extract<FromApiWorker, { kind: 'ready' }>>;
  readonly churned: Promise<Extract<FromApiWorker, { kind: 'churned' }>>;
  readonly updates: { readonly ip: string; readonly atMs: number }[];
}

/**
 * A worker does not get tsx's loader for its entry module (Node 20), so a plain-JS entry registers
 * tsx first and then imports the TypeScript module.
 */
function tsWorker(url: URL, workerData: unknown): Worker {
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(entry, { eval: true, workerData });
}

function startApiWorker(data: ApiWorkerData): ApiWorker {
  const worker = tsWorker(new URL('./latency-api.ts', import.meta.url), data);
  const updates: ApiWorker['updates'] = [];
  let onReady: (msg: Extract<FromApiWorker, { kind: 'ready' }>) => void = () => undefined;
  let onChurned: (msg: Extract<FromApiWorker, { kind: 'churned' }>) => void = () => undefined;
  let onError: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (onError = reject));
  failed.catch(() => undefined);
  const ready = Promise.race([
    new Promise<Extract<FromApiWorker, { kind: 'ready' }>>((r) => (onReady = r)),
    failed,
  ]);
  const churned = Promise.race([
    new Promise<Extract<FromApiWorker, { kind: 'churned' }>>((r) => (onChurned = r)),
    failed,
  ]);
  ready.catch(() => undefined);
  churned.catch(() => undefined);
  worker.on('message', (msg: FromApiWorker) => {
    if (msg.kind === 'ready') onReady(msg);
    else if (msg.kind === 'update') updates.push({ ip: msg.ip, atMs: msg.atMs });
    else if (msg.kind === 'churned') onChurned(msg);
    else onError(new Error(`latency API worker: ${msg.message}`));
  });
  worker.on('error', onError);
  worker.on('exit', (code) => onError(new Error(`latency API worker exited (${code})`)));
  return { worker, ready, churned, updates };
}

function controllerConfig(base: ProxyConfig, minSyncPeriodMs: number): ProxyConfig {
  return {
    ...base,
    healthzBindAddress: '127.0.0.1:0',
    metricsBindAddress: '127.0.0.1:0',
    iptables: { ...base.iptables, minSyncPeriodMs },
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`latency: timed out waiting for ${what}`);
    await sleep(20);
  }
}

function firstSyncFailed(log: SyncLog): boolean {
  if (log.reports.length > 0 || log.failures < FIRST_SYNC_MAX_FAILURES) return false;
  const cause = log.lastError instanceof Error ? log.lastError.message : String(log.lastError);
  throw new Error(`latency: the controller's first sync failed ${log.failures} times: ${cause}`);
}

function summarize(
  p: LatencyParams,
  parts: {
    readonly updates: ApiWorker['updates'];
    readonly appliedAt: ReadonlyMap<string, number>;
    readonly restoreMs: readonly number[];
    readonly churn: { readonly updates: number; readonly elapsedMs: number };
    readonly during: SyncLog['reports'];
    readonly syncFailures: number;
    readonly preloadMs: number;
    readonly firstSyncMs: number;
    readonly firstSyncLines: number;
  },
): BackendLatencyRecord {
  const latencies = ascending(
    parts.updates.flatMap((u) => {
      const at = parts.appliedAt.get(u.ip);
      return at === undefined ? [] : [at - u.atMs];
    }),
  );
  const reported = ascending(
    parts.during.flatMap(({ report }) =>
      report.families.flatMap((f) => f.networkProgrammingSeconds.map((s) => s * 1000)),
    ),
  );
  const syncMs = ascending(parts.during.map(({ report }) => report.durationMs));
  const restoreMs = ascending(parts.restoreMs);
  // kproxy's own share of each sync: the sync's duration minus its restores (one per sync here).
  const restoreTotal = parts.restoreMs.reduce((n, ms) => n + ms, 0);
  const syncTotal = syncMs.reduce((n, ms) => n + ms, 0);
  const lines = ascending(parts.during.map(({ report }) => report.linesSent));
  const need = (n: number | null): number => {
    if (n === null) throw new Error('latency: no update was seen applied');
    return round(n);
  };
  return {
    p50: need(percentile(latencies, 0.5)),
    p90: need(percentile(latencies, 0.9)),
    p99: need(percentile(latencies, 0.99)),
    max: need(percentile(latencies, 1)),
    updates: parts.updates.length,
    applied: latencies.length,
    perSecond: round(parts.churn.updates / (parts.churn.elapsedMs / 1000), 2),
    churnSeconds: round(parts.churn.elapsedMs / 1000, 2),
    minSyncPeriodMs: p.minSyncPeriodMs,
    reportedP50: roundOrNull(percentile(reported, 0.5)),
    reportedP99: roundOrNull(percentile(reported, 0.99)),
    syncs: parts.during.length,
    syncFailures: parts.syncFailures,
    syncP50Ms: roundOrNull(percentile(syncMs, 0.5)),
    syncP99Ms: roundOrNull(percentile(syncMs, 0.99)),
    syncLinesP50: percentile(lines, 0.5),
    restoreP50Ms: roundOrNull(percentile(restoreMs, 0.5)),
    ownShare: syncTotal > 0 && restoreTotal > 0 ? round((syncTotal - restoreTotal) / restoreTotal, 3) : null,
    preloadMs: round(parts.preloadMs),
    firstSyncMs: round(parts.firstSyncMs),
    firstSyncLines: parts.firstSyncLines,
  };
}

/** One backend, in its own namespace (deleted afterwards, also on error). */
export async function measureLatency(p: LatencyParams): Promise<BackendLatencyRecord> {
  await createNetns(p.netns);
  const api = startApiWorker({
    services: p.services,
    endpointsPerService: p.endpointsPerService,
    seed: p.seed,
  });
  const abort = new AbortController();
  let done: Promise<void> | undefined;
  try {
    const inner = createRunner({ backend: p.backend, netns: p.netns });
    await inner.version();
    // The node as kproxy leaves it: the full ruleset written by an Applier (on nft, staged), as a
    // kproxy that has run since the node booted wrote it. (How a table was written matters on
    // nft: iptables-nft-save of the 10k x 10 table takes ~5 s after this, ~205 s after one bare
    // flushing restore of the same rules.)
    const { ms: preloadMs } = await timedAsync(() => new Applier(inner).apply([p.base], { full: true }));
    const ready = await api.ready;
    const cluster = generateCluster(p);
    const runner = new ObservingRunner(inner);
    const logger = winston.createLogger({
      level: 'error',
      transports: [new winston.transports.Console({ stderrLevels: ['error'] })],
    });
    const controller = new Controller({
      kubeConfig: fakeKubeConfig(ready.url),
      config: controllerConfig(cluster.config, p.minSyncPeriodMs),
      runner,
      logger,
      metrics: createMetrics({ processMetrics: false }),
      hostFacts: () => Promise.resolve(cluster.host),
      serviceHealthAddresses: ['127.0.0.1'],
    });
    const log = new SyncLog();
    log.attach(controller);
    const startedAt = performance.now();
    done = controller.start(abort.signal);
    done.catch(() => undefined);
    await waitFor(
      () => log.reports.length > 0 || firstSyncFailed(log),
      FIRST_SYNC_TIMEOUT_MS,
      'the first sync',
    );
    const firstSyncMs = performance.now() - startedAt;
    const firstSyncLines = log.reports[0]?.report.linesSent ?? 0;

    const before = { reports: log.reports.length, failures: log.failures };
    runner.watching = true;
    const msg: ToApiWorker = { kind: 'churn', ratePerSecond: p.ratePerSecond, durationMs: p.churnMs };
    api.worker.postMessage(msg);
    const churn = await api.churned;
    const allApplied = (): boolean => api.updates.every((u) => runner.appliedAt.has(u.ip));
    await waitFor(allApplied, DRAIN_TIMEOUT_MS, 'the last updates').catch(() => undefined);
    return summarize(p, {
      updates: api.updates,
      appliedAt: runner.appliedAt,
      restoreMs: runner.restoreMs,
      churn,
      during: log.reports.slice(before.reports),
      syncFailures: log.failures - before.failures,
      preloadMs,
      firstSyncMs,
      firstSyncLines,
    });
  } finally {
    abort.abort();
    if (done) await Promise.race([done.catch(() => undefined), sleep(STOP_TIMEOUT_MS)]);
    await api.worker.terminate();
    await deleteNetns(p.netns);
  }
}
