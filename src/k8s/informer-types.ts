/**
 * Shapes shared by the supervised informer's files. Objects are delivered as the API server sent
 * them (parsed JSON, not client-node's deserialized models: timestamps stay strings); converting
 * them is convert.ts's job.
 */

/** The least an object must have for the informer to key and version it. */
export interface ObjectWithMeta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/**
 * `object` is what the server sent for add, update and a watched delete. `old`, and the object of a
 * delete found by a relist, come from the cache: with `cacheAs` only what that keeps.
 */
export type InformerEvent<T> =
  | { readonly kind: 'add'; readonly object: T }
  | { readonly kind: 'update'; readonly object: T; readonly old: T }
  | { readonly kind: 'delete'; readonly object: T };

/** Why a watch connection ended; anything but `closed` leads to a backoff or a relist. */
export type WatchEndReason = 'closed' | 'gone' | 'error' | 'watchdog';

/** What the informer reports for logs and metrics. */
export type InformerSignal =
  | {
      readonly kind: 'listed';
      readonly items: number;
      readonly pages: number;
      readonly resourceVersion: string;
    }
  | { readonly kind: 'synced' }
  | { readonly kind: 'watch-started'; readonly resourceVersion: string }
  | {
      readonly kind: 'watch-ended';
      readonly reason: WatchEndReason;
      readonly events: number;
      readonly error?: unknown;
    }
  | { readonly kind: 'list-failed'; readonly error: unknown }
  | { readonly kind: 'retry'; readonly attempt: number; readonly delayMs: number; readonly relist: boolean }
  | { readonly kind: 'handler-failed'; readonly error: unknown };

/** Counters since start, as plain numbers (the caller exports them as metrics). */
export interface InformerStats {
  /** Completed full lists (the initial one and every relist). */
  lists: number;
  listPages: number;
  /** Watch connections opened. */
  watches: number;
  /** Watch or list restarts after anything other than a clean server-side close. */
  restarts: number;
  /** Failed lists and watches (network, HTTP status, ERROR events, bad JSON, watchdog). */
  errors: number;
  /** Relists caused by 410 Gone. */
  gone: number;
  /** Watches the watchdog killed for silence. */
  watchdogRestarts: number;
  /** add/update/delete events delivered to subscribers. */
  events: number;
}

export function emptyStats(): InformerStats {
  return {
    lists: 0,
    listPages: 0,
    watches: 0,
    restarts: 0,
    errors: 0,
    gone: 0,
    watchdogRestarts: 0,
    events: 0,
  };
}
