import type { ClusterSnapshot, EndpointSlice, Node, Service } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';
import { buildSnapshot } from '../model/snapshot.js';

/**
 * The converted cluster objects the controller knows, keyed by the API object they came from, plus
 * what changed since the last snapshot was taken. Synchronous and free of I/O: the watch feeds it,
 * the syncer takes snapshots from it.
 */

/** What changed between two snapshots, for metrics (kube-proxy's *_changes_* and latency). */
export interface PendingChanges {
  /** Services (`ns/name`) whose Service object changed. */
  readonly services: ReadonlySet<string>;
  /** Services (`ns/name`) whose EndpointSlices (or Endpoints) changed. */
  readonly endpoints: ReadonlySet<string>;
  /** last-change-trigger-time (ms since epoch) of every slice that changed. */
  readonly triggerTimes: readonly TriggerTime[];
}

export interface TriggerTime {
  readonly family: IpFamily;
  readonly ms: number;
}

export interface TakenSnapshot {
  readonly snapshot: ClusterSnapshot;
  readonly changes: PendingChanges;
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class ClusterState {
  private readonly services = new Map<string, Service>();
  /** Keyed by `kind/ns/name` of the API object; legacy Endpoints convert to several slices. */
  private readonly slices = new Map<string, readonly EndpointSlice[]>();
  private node: Node | undefined;
  private changedServices = new Set<string>();
  private changedEndpoints = new Set<string>();
  private triggerTimes: TriggerTime[] = [];

  /** Sets (or, with undefined, removes) a service; true when the model changed. */
  setService(key: string, service: Service | undefined): boolean {
    const old = this.services.get(key);
    if (sameValue(old, service)) return false;
    if (service) this.services.set(key, service);
    else this.services.delete(key);
    this.changedServices.add(key);
    return true;
  }

  /** Sets (or removes) the slices converted from one API object; true when the model changed. */
  setSlices(key: string, slices: readonly EndpointSlice[] | undefined): boolean {
    const old = this.slices.get(key) ?? [];
    const next = slices ?? [];
    if (sameValue(old, next)) return false;
    if (next.length > 0) this.slices.set(key, next);
    else this.slices.delete(key);
    for (const slice of [...old, ...next])
      this.changedEndpoints.add(`${slice.namespace}/${slice.serviceName}`);
    for (const slice of next) {
      if (slice.triggerTimeMs !== undefined)
        this.triggerTimes.push({ family: slice.family, ms: slice.triggerTimeMs });
    }
    return true;
  }

  /** The local Node (undefined when it does not exist); returns the previous one. */
  setNode(node: Node | undefined): Node | undefined {
    const old = this.node;
    this.node = node;
    return old;
  }

  get localNode(): Node | undefined {
    return this.node;
  }

  pending(): PendingChanges {
    return {
      services: new Set(this.changedServices),
      endpoints: new Set(this.changedEndpoints),
      triggerTimes: [...this.triggerTimes],
    };
  }

  /** Services with pending Service / endpoint changes (cheap, for the *_changes_pending gauges). */
  pendingCounts(): { readonly services: number; readonly endpoints: number } {
    return { services: this.changedServices.size, endpoints: this.changedEndpoints.size };
  }

  /**
   * Puts back the changes of a take whose sync failed, so the next sync still counts them (and
   * their trigger times) as pending.
   */
  requeue(changes: PendingChanges): void {
    for (const key of changes.services) this.changedServices.add(key);
    for (const key of changes.endpoints) this.changedEndpoints.add(key);
    this.triggerTimes = [...changes.triggerTimes, ...this.triggerTimes];
  }

  /** The current snapshot, and the changes since the previous take (which are then cleared). */
  take(): TakenSnapshot {
    const changes = this.pending();
    this.changedServices = new Set();
    this.changedEndpoints = new Set();
    this.triggerTimes = [];
    const slices = [...this.slices.values()].flat();
    const nodes = this.node ? [this.node] : [];
    return { snapshot: buildSnapshot([...this.services.values()], slices, nodes), changes };
  }
}
