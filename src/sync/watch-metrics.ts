import type { InformerSignal } from '../k8s/informer.js';
import type { WatchedResource } from '../k8s/cluster-watch.js';
import type { Metrics } from '../server/metrics.js';

/** Informer lifecycle signals -> kproxy_watch_* metrics. */
export function watchMetrics(
  metrics: Metrics,
  clock: { now(): number },
): (resource: WatchedResource, signal: InformerSignal) => void {
  return (resource, signal) => {
    switch (signal.kind) {
      case 'listed':
        metrics.watchLastEventTimestamp.set({ resource }, clock.now() / 1000);
        return;
      case 'watch-ended':
        if (signal.events > 0) metrics.watchLastEventTimestamp.set({ resource }, clock.now() / 1000);
        if (signal.reason !== 'closed') {
          metrics.watchRestartsTotal.inc({ resource });
          if (signal.reason !== 'gone') metrics.watchErrorsTotal.inc({ resource });
        }
        return;
      case 'list-failed':
        metrics.watchErrorsTotal.inc({ resource });
        return;
      case 'synced':
      case 'watch-started':
      case 'retry':
      case 'handler-failed':
        return;
      default: {
        const never: never = signal;
        throw new Error(`unexpected signal ${String(never)}`);
      }
    }
  };
}
