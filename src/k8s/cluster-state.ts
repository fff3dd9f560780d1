import type { ClusterSnapshot, EndpointSlice, Node, Service } from '../model/cluster.js';
import type { IpFamily } from '../model/family.js';
import { buildSnapshot, patchSnapshot, type ServiceObjects } from '../model/snapshot.js';

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

/** Above this share of services changed, a take rebuilds the snapshot instead of patching it. */
const PATCH_LIMIT = 0.25;

interface ServiceName {
  readonly namespace: string;
  readonly name: string;
}

export class ClusterState {
  private readonly services = new Map<string, Service>();
  /** Keyed by `kind/ns/name` of the API object; legacy Endpoints convert to several slices. */
  private readonly slices = new Map<string, readonly EndpointSlice[]>();
  /** The API objects (keys of `slices`) whose slices are labelled for a service (`ns/name`). */
  private readonly sliceKeysByService = new Map<string, Set<string>>();
  private node: Node | undefined;
  /** The snapshot series this state hands out, and the last snapshot taken. */
  private readonly series = {};
  private last: ClusterSnapshot | undefined;
  /** Services whose objects changed since the last take (for the snapshot, not for metrics). */
  private dirty = new Map<string, ServiceName>();
  private nodeDirty = false;
  private changedServices = new Set<string>();
  private changedEndpoints = new Set<string>();
  private triggerTimes: TriggerTime[] = [];

  /** Sets (or, with undefined, removes) the service `key` (`ns/name`); true when the model changed. */
  setService(key: string, service: Service | undefined): boolean {
    const old = this.services.get(key);
    if (sameValue(old, service)) return false;
    if (service) this.services.set(key, service);
    else this.services.delete(key);
    this.changedServices.add(key);
    const named = service ?? old;
    if (named) this.markDirty(named.namespace, named.name);
    return true;
  }

  private markDirty(namespace: string, name: string): void {
    this.dirty.set(`${namespace}/${name}`, { namespace, name });
  }

  /** Sets (or removes) the slices converted from one API object; true when the model changed. */
  setSlices(key: string, slices: readonly EndpointSlice[] | undefined): boolean {
    const old = this.slices.get(key) ?? [];
    const next = slices ?? [];
    if (sameValue(old, next)) return false;
    if (next.length > 0) this.slices.set(key, next);
    else this.slices.delete(key);
    for (const slice of old)
      this.sliceKeysByService.get(`${slice.namespace}/${slice.serviceName}`)?.delete(key);
    for (const slice of next) {
      const owner = `${slice.namespace}/${slice.serviceName}`;
      let keys = this.sliceKeysByService.get(owner);
      if (!keys) {
        keys = new Set();
        this.sliceKeysByService.set(owner, keys);
      }
      keys.add(key);
    }
    for (const slice of [...old, ...next]) {
      const owner = `${slice.namespace}/${slice.serviceName}`;
      this.changedEndpoints.add(owner);
      this.markDirty(slice.namespace, slice.serviceName);
      if (this.sliceKeysByService.get(owner)?.size === 0) this.sliceKeysByService.delete(owner);
    }
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
    if (old !== node) this.nodeDirty = true;
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

  /**
   * The current snapshot, and the changes since the previous take (which are then cleared). The
   * snapshot is numbered in this state's series and says which services changed since the previous
   * one; when few did, it is patched from the previous snapshot rather than rebuilt.
   */
  take(): TakenSnapshot {
    const changes = this.pending();
    this.changedServices = new Set();
    this.changedEndpoints = new Set();
    this.triggerTimes = [];
    const dirty = this.dirty;
    const nodeDirty = this.nodeDirty;
    this.dirty = new Map();
    this.nodeDirty = false;
    const nodes = this.node ? [this.node] : [];
    const previous = this.last;
    const number = (previous?.version?.number ?? 0) + 1;
    const version = { series: this.series, number };
    let snapshot: ClusterSnapshot;
    if (previous && dirty.size <= Math.max(1, previous.services.length * PATCH_LIMIT)) {
      const patched = patchSnapshot(
        previous,
        [...dirty.values()].map((n) => this.objectsOf(n)),
        nodeDirty ? nodes : undefined,
      );
      snapshot = {
        ...patched,
        version,
        changes: { since: number - 1, services: new Set(dirty.keys()), nodes: nodeDirty },
      };
    } else {
      const slices = [...this.slices.values()].flat();
      snapshot = { ...buildSnapshot([...this.services.values()], slices, nodes), version };
    }
    this.last = snapshot;
    return { snapshot, changes };
  }

  private objectsOf(name: ServiceName): ServiceObjects {
    const key = `${name.namespace}/${name.name}`;
    const service = this.services.get(key);
    const slices = [...(this.sliceKeysByService.get(key) ?? [])].flatMap((k) => this.slices.get(k) ?? []);
    return { ...name, service, slices };
  }
}
