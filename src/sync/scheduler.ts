import type winston from 'winston';
import { realClock, type Clock, type TimerHandle } from './clock.js';

export type SyncKind = 'full' | 'partial';

/** One sync of the dataplane. A rejection counts as a failed sync (retried with backoff, full). */
export type SyncFn = (kind: SyncKind, reasons: readonly string[]) => Promise<void>;

export interface SchedulerOptions {
  readonly sync: SyncFn;
  /** At most one sync starts per this interval (kube-proxy's iptables.minSyncPeriod). */
  readonly minSyncPeriodMs: number;
  /** Interval of the `onPeriodic` tick and the cap of the retry backoff (iptables.syncPeriod). */
  readonly syncPeriodMs: number;
  /** A full sync is forced this long after the last successful one. Default 1 h. */
  readonly fullSyncPeriodMs?: number;
  /** First retry delay after a failed sync, doubling per consecutive failure. Default 1 s. */
  readonly retryInitialMs?: number;
  /** Upper bound of the retry delay. Default `syncPeriodMs`. */
  readonly retryMaxMs?: number;
  /** Called every `syncPeriodMs` once ready (canary checks); errors are logged. */
  readonly onPeriodic?: () => void | Promise<void>;
  readonly clock?: Clock;
  readonly logger?: winston.Logger;
}

/** What the health server and metrics need to know. Times are clock milliseconds. */
export interface SchedulerState {
  readonly ready: boolean;
  readonly running: boolean;
  /** Work is waiting for the next sync. */
  readonly pending: boolean;
  /** When the oldest change not yet applied was queued; undefined when everything is applied. */
  readonly lastQueuedAt: number | undefined;
  /** End of the last successful sync. */
  readonly lastSyncedAt: number | undefined;
  /** Outcome of the last sync; undefined before the first one. */
  readonly lastSyncOk: boolean | undefined;
  readonly consecutiveFailures: number;
}

const MAX_REASONS = 32;
const HOUR_MS = 3_600_000;

/**
 * Coalesces change events into syncs, like kube-proxy's BoundedFrequencyRunner (without its burst
 * of 2: syncs start at least `minSyncPeriodMs` apart). Nothing runs before `start()` and `ready()`;
 * one sync at a time; the first sync, the one after a failure and the hourly one are full.
 */
export class SyncScheduler {
  private readonly clock: Clock;
  private readonly fullSyncPeriodMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;

  private started = false;
  private stopped = false;
  private isReady = false;
  private running = false;
  private dirty = false;
  private fullRequested = true;
  private readonly reasons = new Set<string>(['initial sync']);
  private queuedAt: number | undefined;
  private inFlightQueuedAt: number | undefined;
  private lastStartAt: number | undefined;
  private lastFullAt: number | undefined;
  private lastSyncedAt: number | undefined;
  private lastSyncOk: boolean | undefined;
  private failures = 0;
  private retryAt: number | undefined;
  private wake: { readonly handle: TimerHandle; readonly at: number } | undefined;
  private periodic: TimerHandle | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? realClock;
    this.fullSyncPeriodMs = options.fullSyncPeriodMs ?? HOUR_MS;
    this.retryInitialMs = options.retryInitialMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? options.syncPeriodMs;
  }

  /** Arms the timers; everything stops when `signal` aborts (an in-flight sync is awaited by nobody). */
  start(signal: AbortSignal): void {
    if (this.started) throw new Error('SyncScheduler already started');
    this.started = true;
    if (signal.aborted) return this.stop();
    signal.addEventListener('abort', () => this.stop(), { once: true });
    this.armPeriodic();
    this.schedule();
  }

  /** The caches are complete (all informers listed): syncs may run from now on. */
  ready(): void {
    this.isReady = true;
    this.schedule();
  }

  /** Records a change; a sync follows within `minSyncPeriodMs`. Cheap: never syncs itself. */
  markDirty(reason: string): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.reasons.size < MAX_REASONS) this.reasons.add(reason);
    this.queuedAt ??= this.clock.now();
    this.schedule();
  }

  /** As `markDirty`, and the next sync is full (canary gone, own node's labels changed). */
  requestFullSync(reason: string): void {
    if (this.stopped) return;
    this.fullRequested = true;
    this.markDirty(reason);
  }

  state(): SchedulerState {
    return {
      ready: this.isReady,
      running: this.running,
      pending: this.dirty || this.fullRequested,
      lastQueuedAt: this.inFlightQueuedAt ?? this.queuedAt,
      lastSyncedAt: this.lastSyncedAt,
      lastSyncOk: this.lastSyncOk,
      consecutiveFailures: this.failures,
    };
  }

  /** Resolves once no sync is running (for shutdown: let an in-flight restore finish). */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private stop(): void {
    this.stopped = true;
    this.cancelWake();
    if (this.periodic !== undefined) this.clock.clearTimeout(this.periodic);
    this.periodic = undefined;
  }

  private armPeriodic(): void {
    this.periodic = this.clock.setTimeout(() => {
      this.armPeriodic();
      if (this.isReady) this.runPeriodic();
    }, this.options.syncPeriodMs);
  }

  private runPeriodic(): void {
    const { onPeriodic, logger } = this.options;
    if (onPeriodic === undefined) return;
    void Promise.resolve()
      .then(onPeriodic)
      .catch((err: unknown) => logger?.error('periodic check failed', { error: String(err) }));
  }

  /** When the next sync may start: pending work after min period and backoff, else the full resync. */
  private dueAt(): number {
    const now = this.clock.now();
    if (!this.dirty && !this.fullRequested) return (this.lastFullAt ?? now) + this.fullSyncPeriodMs;
    let at = this.lastStartAt === undefined ? now : this.lastStartAt + this.options.minSyncPeriodMs;
    if (this.retryAt !== undefined) at = Math.max(at, this.retryAt);
    return at;
  }

  private schedule(): void {
    if (!this.started || this.stopped || !this.isReady || this.running) return;
    const at = this.dueAt();
    if (this.wake !== undefined && this.wake.at <= at) return; // it fires first and re-checks
    this.cancelWake();
    const handle = this.clock.setTimeout(
      () => {
        this.wake = undefined;
        this.onWake();
      },
      Math.max(0, at - this.clock.now()),
    );
    this.wake = { handle, at };
  }

  private cancelWake(): void {
    if (this.wake !== undefined) this.clock.clearTimeout(this.wake.handle);
    this.wake = undefined;
  }

  private onWake(): void {
    if (this.stopped || this.running) return;
    if (this.dueAt() > this.clock.now()) return this.schedule();
    if (!this.dirty && !this.fullRequested) {
      this.fullRequested = true;
      this.reasons.add('periodic full resync');
    }
    void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    const startedAt = this.clock.now();
    const fullDue = this.lastFullAt !== undefined && startedAt >= this.lastFullAt + this.fullSyncPeriodMs;
    if (fullDue && !this.fullRequested) this.reasons.add('periodic full resync');
    const kind: SyncKind = this.fullRequested || fullDue ? 'full' : 'partial';
    const reasons = [...this.reasons];
    this.reasons.clear();
    this.dirty = false;
    this.fullRequested = false;
    this.inFlightQueuedAt = this.queuedAt;
    this.queuedAt = undefined;
    this.lastStartAt = startedAt;
    try {
      await this.options.sync(kind, reasons);
      this.succeeded(kind, startedAt);
    } catch (err) {
      this.failed(err, kind, reasons, startedAt);
    } finally {
      this.running = false;
      this.idleWaiters.splice(0).forEach((resolve) => resolve());
      this.schedule();
    }
  }

  private succeeded(kind: SyncKind, startedAt: number): void {
    this.failures = 0;
    this.retryAt = undefined;
    this.lastSyncOk = true;
    this.lastSyncedAt = this.clock.now();
    if (kind === 'full') this.lastFullAt = startedAt;
    this.inFlightQueuedAt = undefined;
  }

  private failed(err: unknown, kind: SyncKind, reasons: readonly string[], startedAt: number): void {
    this.failures++;
    const retryInMs = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** (this.failures - 1));
    this.retryAt = this.clock.now() + retryInMs;
    this.lastSyncOk = false;
    this.fullRequested = true;
    for (const reason of ['retry after failed sync', ...reasons]) {
      if (this.reasons.size < MAX_REASONS) this.reasons.add(reason);
    }
    // What the failed sync should have applied is still unapplied; a failed sync with no queued
    // change (an hourly resync) counts from its start, so persistent failure turns unhealthy.
    const failedQueuedAt = this.inFlightQueuedAt ?? startedAt;
    this.queuedAt = Math.min(failedQueuedAt, this.queuedAt ?? failedQueuedAt);
    this.inFlightQueuedAt = undefined;
    this.options.logger?.warn('sync failed, will retry', {
      full: kind === 'full',
      failures: this.failures,
      retryInMs,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
