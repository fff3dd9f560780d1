import type { KubeConfig } from '@kubernetes/client-node';
import { realClock, type BackoffOptions, type Clock } from './informer-clock.js';
import type { InformerSignal, ObjectWithMeta } from './informer-types.js';

export interface SupervisedInformerOptions<T extends ObjectWithMeta = ObjectWithMeta> {
  readonly kubeConfig: KubeConfig;
  /** The collection, e.g. `/api/v1/services` or `/apis/discovery.k8s.io/v1/endpointslices`. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** `limit` of each list page. Default 500. */
  readonly pageSize?: number;
  /** Per list page. Default 60 s. */
  readonly listTimeoutMs?: number;
  /** Asked of the server per watch; default a random 5-10 min, as client-go does. */
  readonly watchTimeoutSeconds?: number;
  /**
   * The watchdog restarts a watch that has sent nothing (bookmarks count) for this long. Servers
   * since 1.27 send a bookmark about every minute. Default 130 s.
   */
  readonly silenceTimeoutMs?: number;
  /** A watch the server closes sooner than this without any event counts as a failure. Default 1 s. */
  readonly minWatchMs?: number;
  readonly backoff?: BackoffOptions;
  readonly clock?: Clock;
  /** In [0, 1); jitters backoff delays and watch timeouts. Default Math.random. */
  readonly random?: () => number;
  /** Every lifecycle signal, for logs and metrics. Must not throw. */
  readonly onSignal?: (signal: InformerSignal) => void;
  /**
   * What the cache keeps of each object (e.g. `metadataOnly`), for callers that convert objects on
   * arrival and need the cache only to dedupe and to notice deletions. Subscribers still get the
   * objects as sent; only `old` and relist deletes carry this form. It must keep metadata.name,
   * namespace and resourceVersion (dedupe compares it). Default: the whole object.
   */
  readonly cacheAs?: (obj: T) => T;
}

export type ResolvedOptions<T extends ObjectWithMeta = ObjectWithMeta> = Required<
  Omit<SupervisedInformerOptions<T>, 'labelSelector' | 'fieldSelector' | 'watchTimeoutSeconds'>
> &
  Pick<SupervisedInformerOptions<T>, 'labelSelector' | 'fieldSelector' | 'watchTimeoutSeconds'>;

export function resolveOptions<T extends ObjectWithMeta>(
  options: SupervisedInformerOptions<T>,
): ResolvedOptions<T> {
  return {
    pageSize: 500,
    listTimeoutMs: 60_000,
    silenceTimeoutMs: 130_000,
    minWatchMs: 1000,
    backoff: {},
    clock: realClock,
    random: Math.random,
    onSignal: () => undefined,
    cacheAs: (obj) => obj,
    ...options,
  };
}
