import { fork, type ChildProcess } from 'node:child_process';
import { createRunner } from '../src/iptables/runner.js';
import type { RuleSet } from '../src/model/ruleset.js';
import type { BenchBackend } from './apply.js';
import { Applier } from '../src/iptables/applier.js';
import { childScript } from './build.js';
import type { ApiProcessData, FromApiProcess, ToApiProcess } from './latency-api.js';
import type {
  ControllerChildParams,
  FromControllerChild,
  SyncSummary,
  ToControllerChild,
} from './latency-controller.js';
import { round, timedAsync } from './measure.js';
import { createNetns, deleteNetns } from './netns.js';
import type { BackendLatencyRecord } from './types.js';

/**
 * Network programming latency: kproxy's controller (bench/latency-controller.ts, a process of its
 * own, with a real runner into a fresh namespace) against the fake API server (another process,
 * bench/latency-api.ts) while one EndpointSlice changes every 1/rate s. Per update: from its
 * trigger time to the end of the first successful iptables-restore whose input holds the new
 * endpoint's DNAT. The controller process's peak RSS is kproxy's memory on that node.
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
  /** Node flags of the controller process (kproxy's, from the DaemonSet). */
  readonly nodeOptions: readonly string[];
}

const FIRST_SYNC_TIMEOUT_MS = 15 * 60_000;
const DRAIN_TIMEOUT_MS = 60_000;
const RESULT_TIMEOUT_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of ascending `sorted`; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}

const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const roundOrNull = (n: number | null): number | null => (n === null ? null : round(n));

/**
 * A compiled bench child (build.ts) under plain node, with an IPC channel: its messages go to
 * `onMessage`; an exit before `expectExit` is set, or a message-handler error, rejects `failed`.
 */
class Child<In, Out> {
  readonly process: ChildProcess;
  readonly failed: Promise<never>;
  expectExit = false;

  constructor(
    name: Parameters<typeof childScript>[0],
    arg: unknown,
    execArgv: readonly string[],
    onMessage: (msg: Out) => void,
  ) {
    this.process = fork(childScript(name), [JSON.stringify(arg)], {
      execArgv: [...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let reject: (err: Error) => void = () => undefined;
    this.failed = new Promise<never>((_, r) => (reject = r));
    this.failed.catch(() => undefined);
    this.process.on('message', (msg: Out) => {
      try {
        onMessage(msg);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    this.process.on('error', reject);
    this.process.on('exit', (code, signal) => {
      if (!this.expectExit) reject(new Error(`latency: ${name} exited (${signal ?? code})`));
    });
  }

  send(msg: In): void {
    this.process.send(msg as object);
  }

  /** Disconnects (the child exits on that) and waits for the exit; kills it after `timeoutMs`. */
  async end(timeoutMs = 10_000): Promise<void> {
    this.expectExit = true;
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    if (this.process.connected) this.process.disconnect();
    await Promise.race([exited, sleep(timeoutMs)]);
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGKILL');
      await exited;
    }
  }
}

async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
  failed: readonly Promise<never>[],
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let failure: Error | undefined;
  for (const f of failed)
    f.catch((err: unknown) => (failure ??= err instanceof Error ? err : new Error(String(err))));
  while (!condition()) {
    if (failure !== undefined) throw failure;
    if (performance.now() > deadline) throw new Error(`latency: timed out waiting for ${what}`);
    await sleep(20);
  }
}

type ControllerResult = Extract<FromControllerChild, { kind: 'result' }>;

function summarize(
  p: LatencyParams,
  parts: {
    readonly updates: readonly { readonly ip: string; readonly atMs: number }[];
    readonly appliedAt: ReadonlyMap<string, number>;
    readonly churn: { readonly updates: number; readonly elapsedMs: number };
    readonly controller: ControllerResult;
    readonly preloadMs: number;
    readonly firstSyncMs: number;
    readonly firstSyncLines: number;
  },
): BackendLatencyRecord {
  const during: readonly SyncSummary[] = parts.controller.during;
  const latencies = ascending(
    parts.updates.flatMap((u) => {
      const at = parts.appliedAt.get(u.ip);
      return at === undefined ? [] : [at - u.atMs];
    }),
  );
  const reported = ascending(during.flatMap((s) => s.programmingMs));
  const syncMs = ascending(during.map((s) => s.durationMs));
  const restoreMs = ascending(parts.controller.restoreMs);
  // kproxy's own share of each sync: the sync's duration minus its restores (one per sync here).
  const restoreTotal = restoreMs.reduce((n, ms) => n + ms, 0);
  const syncTotal = syncMs.reduce((n, ms) => n + ms, 0);
  const lines = ascending(during.map((s) => s.linesSent));
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
    syncs: during.length,
    syncFailures: parts.controller.syncFailures,
    syncP50Ms: roundOrNull(percentile(syncMs, 0.5)),
    syncP99Ms: roundOrNull(percentile(syncMs, 0.99)),
    syncLinesP50: percentile(lines, 0.5),
    restoreP50Ms: roundOrNull(percentile(restoreMs, 0.5)),
    ownShare: syncTotal > 0 && restoreTotal > 0 ? round((syncTotal - restoreTotal) / restoreTotal, 3) : null,
    preloadMs: round(parts.preloadMs),
    firstSyncMs: round(parts.firstSyncMs),
    firstSyncLines: parts.firstSyncLines,
    kproxyRssMb: round(parts.controller.rssMb),
    kproxyHeapMb: round(parts.controller.heapMb),
  };
}

/** One backend, in its own namespace (deleted afterwards, also on error, as are both children). */
export async function measureLatency(p: LatencyParams): Promise<BackendLatencyRecord> {
  await createNetns(p.netns);
  const children: Child<unknown, unknown>[] = [];
  try {
    // The node as kproxy leaves it: the full ruleset written by an Applier (on nft, staged), as a
    // kproxy that has run since the node booted wrote it. (How a table was written matters on
    // nft: iptables-nft-save of the 10k x 10 table takes ~5 s after this, ~205 s after one bare
    // flushing restore of the same rules.)
    const preload = createRunner({ backend: p.backend, netns: p.netns });
    await preload.version();
    const { ms: preloadMs } = await timedAsync(() => new Applier(preload).apply([p.base], { full: true }));

    let apiUrl: string | undefined;
    let churn: { updates: number; elapsedMs: number } | undefined;
    const updates: { ip: string; atMs: number }[] = [];
    const apiData: ApiProcessData = {
      services: p.services,
      endpointsPerService: p.endpointsPerService,
      seed: p.seed,
    };
    const api = new Child<ToApiProcess, FromApiProcess>('latency-api', apiData, [], (msg) => {
      if (msg.kind === 'ready') apiUrl = msg.url;
      else if (msg.kind === 'update') updates.push({ ip: msg.ip, atMs: msg.atMs });
      else if (msg.kind === 'churned') churn = { updates: msg.updates, elapsedMs: msg.elapsedMs };
      else throw new Error(`latency API process: ${msg.message}`);
    });
    children.push(api);
    await waitFor(() => apiUrl !== undefined, FIRST_SYNC_TIMEOUT_MS, 'the API server', [api.failed]);

    let first: { firstSyncMs: number; firstSyncLines: number } | undefined;
    let result: ControllerResult | undefined;
    const appliedAt = new Map<string, number>();
    const params: ControllerChildParams = {
      backend: p.backend,
      netns: p.netns,
      apiUrl: apiUrl ?? '',
      minSyncPeriodMs: p.minSyncPeriodMs,
    };
    const kproxy = new Child<ToControllerChild, FromControllerChild>(
      'latency-controller',
      params,
      p.nodeOptions,
      (msg) => {
        if (msg.kind === 'synced') first = msg;
        else if (msg.kind === 'applied') {
          for (const ip of msg.ips) if (!appliedAt.has(ip)) appliedAt.set(ip, msg.atMs);
        } else if (msg.kind === 'result') result = msg;
        else throw new Error(`latency: kproxy's controller: ${msg.message}`);
      },
    );
    children.push(kproxy);
    const failed = [api.failed, kproxy.failed];
    await waitFor(() => first !== undefined, FIRST_SYNC_TIMEOUT_MS, 'the first sync', failed);

    kproxy.send({ kind: 'watch' });
    api.send({ kind: 'churn', ratePerSecond: p.ratePerSecond, durationMs: p.churnMs });
    await waitFor(() => churn !== undefined, p.churnMs + DRAIN_TIMEOUT_MS, 'the churn', failed);
    const allApplied = (): boolean => updates.every((u) => appliedAt.has(u.ip));
    await waitFor(allApplied, DRAIN_TIMEOUT_MS, 'the last updates', failed).catch(() => undefined);
    kproxy.expectExit = true;
    kproxy.send({ kind: 'stop' });
    await waitFor(() => result !== undefined, RESULT_TIMEOUT_MS, "the controller's result", [kproxy.failed]);
    if (!first || !churn || !result) throw new Error('latency: unreachable');
    return summarize(p, {
      updates,
      appliedAt,
      churn,
      controller: result,
      preloadMs,
      firstSyncMs: first.firstSyncMs,
      firstSyncLines: first.firstSyncLines,
    });
  } finally {
    for (const child of children) await child.end();
    await deleteNetns(p.netns);
  }
}
