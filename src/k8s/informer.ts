import { childAbort } from './informer-abort.js';
import { cacheKey, InformerCache } from './informer-cache.js';
import { backoffDelay, sleep } from './informer-clock.js';
import { WatchError } from './informer-error.js';
import { listAll } from './informer-list.js';
import { resolveOptions, type ResolvedOptions, type SupervisedInformerOptions } from './informer-options.js';
import {
  emptyStats,
  type InformerEvent,
  type InformerSignal,
  type InformerStats,
  type ObjectWithMeta,
  type WatchEndReason,
} from './informer-types.js';
import { watchOnce, type RawWatchEvent } from './informer-watch.js';
import { startWatchdog } from './informer-watchdog.js';

export { metadataOnly, type MetadataOnly } from './informer-cache.js';
export type { SupervisedInformerOptions } from './informer-options.js';
export type { InformerEvent, InformerSignal, InformerStats, ObjectWithMeta } from './informer-types.js';

type InformerHandler<T> = (event: InformerEvent<T>) => void;

/** How one list or watch attempt ended, and whether it made progress (resets the backoff). */
type Step =
  | { readonly kind: 'listed' }
  | { readonly kind: 'list-failed' }
  | { readonly kind: 'watched'; readonly reason: WatchEndReason; readonly productive: boolean }
  | { readonly kind: 'aborted' };

function hasMetadata(value: unknown): value is ObjectWithMeta & { metadata: Record<string, unknown> } {
  if (typeof value !== 'object' || value === null || !('metadata' in value)) return false;
  const { metadata } = value;
  return (
    typeof metadata === 'object' &&
    metadata !== null &&
    'name' in metadata &&
    typeof metadata.name === 'string'
  );
}

/**
 * A list/watch cache for one resource that never gives up: a paginated list, then a watch (with
 * bookmarks) from its resourceVersion; any failure restarts it with jittered exponential backoff,
 * 410 Gone relists (deleting what vanished meanwhile), and a watchdog restarts a watch gone silent.
 * Subscribers get add/update/delete with the objects as the server sent them; the cache may keep
 * less of each (`cacheAs`). Nothing runs until `start`.
 */
export class SupervisedInformer<T extends ObjectWithMeta> {
  /** Resolves once the first complete list is in the cache; rejects if stopped before that. */
  readonly synced: Promise<void>;
  private readonly options: ResolvedOptions<T>;
  private readonly cache: InformerCache<T>;
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly counters = emptyStats();
  private resourceVersion = '';
  private syncedFlag = false;
  private started = false;
  private settleSynced: (error?: Error) => void = () => undefined;

  constructor(options: SupervisedInformerOptions<T>) {
    this.options = resolveOptions(options);
    this.cache = new InformerCache<T>(this.options.cacheAs);
    this.synced = new Promise<void>((resolve, reject) => {
      this.settleSynced = (error) => (error ? reject(error) : resolve());
    });
    this.synced.catch(() => undefined);
  }

  get hasSynced(): boolean {
    return this.syncedFlag;
  }

  /** The resourceVersion the next watch starts from ('' before the first list). */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  get stats(): Readonly<InformerStats> {
    return { ...this.counters };
  }

  /** The cached form: as much as `cacheAs` keeps. */
  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(name, namespace);
  }

  list(): T[] {
    return this.cache.list();
  }

  /** Events from now on; returns the unsubscribe function. Handlers must not block. */
  subscribe(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Runs until `signal` aborts; resolves once every connection and timer is gone. Never rejects. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`informer for ${this.options.path} already started`);
    this.started = true;
    try {
      await this.run(signal);
    } finally {
      if (!this.syncedFlag)
        this.settleSynced(new Error(`informer for ${this.options.path} stopped before it synced`));
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    let freshList = false;
    let failures = 0;
    while (!signal.aborted) {
      const step = needList ? await this.listStep(signal) : await this.watchStep(signal);
      switch (step.kind) {
        case 'aborted':
          return;
        case 'listed':
          needList = false;
          freshList = true;
          continue;
        case 'list-failed':
          break;
        case 'watched': {
          const fromFreshList = freshList;
          freshList = false;
          if (step.productive) failures = 0;
          if (step.reason !== 'closed') this.counters.restarts++;
          if (step.reason === 'gone') {
            needList = true;
            // Relist at once, unless the resourceVersion of a list we just made was already gone.
            if (step.productive || !fromFreshList) continue;
          } else if (step.reason === 'closed' && step.productive) {
            continue;
          }
          break;
        }
      }
      failures++;
      const delayMs = backoffDelay(failures, this.options.backoff, this.options.random);
      this.signal({ kind: 'retry', attempt: failures, delayMs, relist: needList });
      await sleep(this.options.clock, delayMs, signal);
    }
  }

  private async listStep(signal: AbortSignal): Promise<Step> {
    const { kubeConfig, path, labelSelector, fieldSelector, pageSize, listTimeoutMs, clock } = this.options;
    try {
      const request = {
        kubeConfig,
        path,
        labelSelector,
        fieldSelector,
        pageSize,
        timeoutMs: listTimeoutMs,
        clock,
      };
      // Each page is applied as it arrives (adds and updates); what the complete list no longer
      // has is deleted once it is complete. A list that fails halfway deletes nothing.
      const listed = new Set<string>();
      const result = await listAll(request, signal, (items) => {
        for (const item of items) {
          const object = this.checkObject(item);
          listed.add(cacheKey(object));
          const event = this.cache.upsert(object);
          if (event) this.emit(event);
        }
      });
      const deletions = this.cache.removeMissing(listed);
      this.resourceVersion = result.resourceVersion;
      this.counters.lists++;
      this.counters.listPages += result.pages;
      this.signal({
        kind: 'listed',
        items: result.items,
        pages: result.pages,
        resourceVersion: result.resourceVersion,
      });
      for (const event of deletions) this.emit(event);
      if (!this.syncedFlag) {
        this.syncedFlag = true;
        this.settleSynced();
        this.signal({ kind: 'synced' });
      }
      return { kind: 'listed' };
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      this.counters.errors++;
      this.signal({ kind: 'list-failed', error });
      return { kind: 'list-failed' };
    }
  }

  private async watchStep(signal: AbortSignal): Promise<Step> {
    const { clock, silenceTimeoutMs, minWatchMs, random } = this.options;
    const abort = childAbort(signal);
    const startedAt = clock.now();
    let events = 0;
    let watchdogFired = false;
    const watchdog = startWatchdog(clock, silenceTimeoutMs, (idleMs) => {
      watchdogFired = true;
      abort.abort(new WatchError(`watch silent for ${idleMs} ms`, this.options.path));
    });
    const { kubeConfig, path, labelSelector, fieldSelector } = this.options;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + random()));
    const request = {
      kubeConfig,
      path,
      labelSelector,
      fieldSelector,
      resourceVersion: this.resourceVersion,
      timeoutSeconds,
    };
    this.counters.watches++;
    this.signal({ kind: 'watch-started', resourceVersion: this.resourceVersion });
    const onEvent = (event: RawWatchEvent): void => {
      watchdog.touch();
      events++;
      this.applyWatchEvent(event);
    };
    try {
      const outcome = await watchOnce(request, abort.signal, onEvent);
      const productive = events > 0 || clock.now() - startedAt >= minWatchMs;
      if (outcome.kind === 'gone') this.counters.gone++;
      this.signal({ kind: 'watch-ended', reason: outcome.kind, events });
      return { kind: 'watched', reason: outcome.kind, productive };
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      const reason = watchdogFired ? 'watchdog' : 'error';
      this.counters.errors++;
      if (watchdogFired) this.counters.watchdogRestarts++;
      this.signal({ kind: 'watch-ended', reason, events, error });
      return { kind: 'watched', reason, productive: events > 0 };
    } finally {
      watchdog.cancel();
      abort.dispose();
    }
  }

  private applyWatchEvent(event: RawWatchEvent): void {
    const object = this.checkObject(event.object, event.type === 'BOOKMARK');
    const rv = object.metadata?.resourceVersion;
    switch (event.type) {
      case 'BOOKMARK':
        break;
      case 'ADDED':
      case 'MODIFIED': {
        const change = this.cache.upsert(object);
        if (change) this.emit(change);
        break;
      }
      case 'DELETED': {
        const change = this.cache.remove(object);
        if (change) this.emit(change);
        break;
      }
      default: {
        const never: never = event.type;
        throw new WatchError(`unexpected event ${String(never)}`, this.options.path);
      }
    }
    if (rv) this.resourceVersion = rv;
  }

  /** Objects must have metadata.name (bookmarks only metadata); they are otherwise passed on as sent. */
  private checkObject(value: unknown, bookmark = false): T {
    if (hasMetadata(value)) return value as unknown as T;
    const hasMeta = typeof value === 'object' && value !== null && 'metadata' in value;
    if (bookmark && hasMeta) return value as T;
    throw new WatchError(
      `object without metadata.name: ${JSON.stringify(value)?.slice(0, 200)}`,
      this.options.path,
    );
  }

  private emit(event: InformerEvent<T>): void {
    this.counters.events++;
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (error) {
        this.signal({ kind: 'handler-failed', error });
      }
    }
  }

  private signal(signal: InformerSignal): void {
    this.options.onSignal(signal);
  }
}
