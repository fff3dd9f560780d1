import type { KubeConfig } from '@kubernetes/client-node';
import type winston from 'winston';
import type { Node } from '../model/cluster.js';
import { ClusterState, type PendingChanges, type TakenSnapshot } from './cluster-state.js';
import { LABEL_HEADLESS, LABEL_SERVICE_PROXY_NAME, type ConvertResult } from './convert-common.js';
import { convertEndpointSlice, convertEndpoints, convertNode, convertService } from './convert.js';
import {
  metadataOnly,
  SupervisedInformer,
  type InformerEvent,
  type InformerSignal,
  type ObjectWithMeta,
  type SupervisedInformerOptions,
} from './informer.js';
import { logInformerSignal } from './watch-log.js';

/**
 * Watches what one node's rules depend on: Services, EndpointSlices (or legacy Endpoints), and the
 * local Node. Every object is converted once, on arrival; handlers only update ClusterState and
 * poke `onChange`. An invalid object is dropped (with a warning): a previous good version of it
 * does not linger, so the rules reflect what the API server holds now.
 */

export type EndpointsSource = 'endpointslices' | 'endpoints';

export type WatchedResource = 'services' | 'endpointslices' | 'endpoints' | 'nodes';

export interface ClusterChange {
  readonly kind: 'service' | 'endpoints' | 'node';
  readonly reason: string;
  /** The local Node's labels or pod CIDRs changed: every chain may be affected. */
  readonly full: boolean;
}

export interface ClusterWatchOptions {
  readonly kubeConfig: KubeConfig;
  /** The local Node's name. */
  readonly hostname: string;
  readonly endpointsSource: EndpointsSource;
  readonly logger: winston.Logger;
  /** Passed to every informer (clock, backoff, watchdog timing, ...). */
  readonly informer?: Partial<
    Omit<SupervisedInformerOptions, 'kubeConfig' | 'path' | 'onSignal' | 'cacheAs'>
  >;
  readonly onChange: (change: ClusterChange) => void;
  /** False while the local Node is being deleted (health reports 503 then). */
  readonly onNodeEligible?: (eligible: boolean) => void;
  /** An object was skipped as invalid (kproxy_skipped_objects_total). */
  readonly onSkippedObject?: (resource: WatchedResource) => void;
  readonly onInformerSignal?: (resource: WatchedResource, signal: InformerSignal) => void;
}

const SERVICE_SELECTOR = `!${LABEL_SERVICE_PROXY_NAME}`;
const SLICE_SELECTOR = `!${LABEL_HEADLESS},!${LABEL_SERVICE_PROXY_NAME}`;

const PATHS: Readonly<Record<WatchedResource, string>> = {
  services: '/api/v1/services',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
  endpoints: '/api/v1/endpoints',
  nodes: '/api/v1/nodes',
};

const KINDS: Readonly<Record<WatchedResource, string>> = {
  services: 'Service',
  endpointslices: 'EndpointSlice',
  endpoints: 'Endpoints',
  nodes: 'Node',
};

function objectKey(obj: ObjectWithMeta): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

export class ClusterWatch {
  private readonly state = new ClusterState();
  private readonly informers = new Map<WatchedResource, SupervisedInformer<ObjectWithMeta>>();
  private readonly log: winston.Logger;
  private syncedFlag = false;
  private nodeEligible = true;

  constructor(private readonly options: ClusterWatchOptions) {
    this.log = options.logger.child({ component: 'cluster-watch' });
  }

  /** True once every informer has listed once; no snapshot should be applied before. */
  get hasSynced(): boolean {
    return this.syncedFlag;
  }

  get localNode(): Node | undefined {
    return this.state.localNode;
  }

  pending(): PendingChanges {
    return this.state.pending();
  }

  pendingCounts(): { readonly services: number; readonly endpoints: number } {
    return this.state.pendingCounts();
  }

  /** The current snapshot and the changes since the last call. */
  take(): TakenSnapshot {
    return this.state.take();
  }

  requeue(changes: TakenSnapshot['changes']): void {
    this.state.requeue(changes);
  }

  /** What the informer for `resource` caches (metadata only), for tests and debugging. */
  cached(resource: WatchedResource): ObjectWithMeta[] {
    return this.informers.get(resource)?.list() ?? [];
  }

  /**
   * Starts the informers; resolves with `synced` (true) once all have listed, or false when
   * stopped before that. `done` resolves once every watch is closed after `signal` aborts.
   */
  start(signal: AbortSignal): { synced: Promise<boolean>; done: Promise<void> } {
    const resources: WatchedResource[] = ['services', this.sliceResource(), 'nodes'];
    for (const resource of resources) this.informers.set(resource, this.createInformer(resource));
    const runs = [...this.informers.values()].map((informer) => informer.start(signal));
    const synced = Promise.all([...this.informers.values()].map((i) => i.synced)).then(
      () => {
        this.syncedFlag = true;
        this.log.info('caches synced', { resources });
        return true;
      },
      () => false,
    );
    return { synced, done: Promise.all(runs).then(() => undefined) };
  }

  private sliceResource(): WatchedResource {
    return this.options.endpointsSource === 'endpoints' ? 'endpoints' : 'endpointslices';
  }

  private createInformer(resource: WatchedResource): SupervisedInformer<ObjectWithMeta> {
    const selectors =
      resource === 'services'
        ? { labelSelector: SERVICE_SELECTOR }
        : resource === 'nodes'
          ? { fieldSelector: `metadata.name=${this.options.hostname}` }
          : { labelSelector: SLICE_SELECTOR };
    const informer = new SupervisedInformer<ObjectWithMeta>({
      ...this.options.informer,
      ...selectors,
      kubeConfig: this.options.kubeConfig,
      path: PATHS[resource],
      // Objects are converted on arrival: of a delete `handle` reads only the key, and never `old`.
      cacheAs: metadataOnly,
      onSignal: (s) => {
        logInformerSignal(this.log, resource, s);
        this.options.onInformerSignal?.(resource, s);
      },
    });
    informer.subscribe((event) => this.handle(resource, event));
    return informer;
  }

  private handle(resource: WatchedResource, event: InformerEvent<ObjectWithMeta>): void {
    const key = objectKey(event.object);
    const obj = event.kind === 'delete' ? undefined : event.object;
    switch (resource) {
      case 'services': {
        const svc = obj === undefined ? undefined : this.convert(resource, key, convertService(obj));
        if (this.state.setService(key, svc)) this.changed('service', `service ${key}`);
        return;
      }
      case 'endpointslices': {
        const slice = obj === undefined ? undefined : this.convert(resource, key, convertEndpointSlice(obj));
        if (this.state.setSlices(`EndpointSlice/${key}`, slice && [slice]))
          this.changed('endpoints', `endpointslice ${key}`);
        return;
      }
      case 'endpoints': {
        const slices = obj === undefined ? undefined : this.convert(resource, key, convertEndpoints(obj));
        if (this.state.setSlices(`Endpoints/${key}`, slices)) this.changed('endpoints', `endpoints ${key}`);
        return;
      }
      case 'nodes':
        return this.handleNode(obj === undefined ? undefined : this.convert(resource, key, convertNode(obj)));
      default: {
        const never: never = resource;
        throw new Error(`unexpected resource ${String(never)}`);
      }
    }
  }

  private handleNode(node: Node | undefined): void {
    if (node !== undefined && node.name !== this.options.hostname) return;
    const old = this.state.setNode(node);
    const eligible = !(node?.deleting ?? false);
    if (eligible !== this.nodeEligible) {
      this.nodeEligible = eligible;
      if (!eligible) this.log.warn('the local Node is being deleted', { node: this.options.hostname });
      this.options.onNodeEligible?.(eligible);
    }
    const topology = (n: Node | undefined): unknown => [n?.labels ?? {}, n?.podCIDRs ?? []];
    if (JSON.stringify(topology(old)) !== JSON.stringify(topology(node))) {
      this.options.onChange({
        kind: 'node',
        reason: `node ${this.options.hostname} labels or podCIDRs`,
        full: true,
      });
    } else if (JSON.stringify(old?.addresses) !== JSON.stringify(node?.addresses)) {
      this.changed('node', `node ${this.options.hostname} addresses`);
    }
  }

  /** The converted value, or undefined (logged, counted) when the object is ignored or invalid. */
  private convert<T>(resource: WatchedResource, key: string, result: ConvertResult<T>): T | undefined {
    switch (result.kind) {
      case 'ok':
        return result.value;
      case 'ignored':
        this.log.debug('object ignored', { object: `${KINDS[resource]} ${key}`, reason: result.reason });
        return undefined;
      case 'invalid':
        this.log.warn('object skipped', {
          object: `${KINDS[resource]} ${key}`,
          problem: result.message,
          effect: 'dropped from the rules until a valid version arrives',
        });
        this.options.onSkippedObject?.(resource);
        return undefined;
      default: {
        const never: never = result;
        throw new Error(`unexpected result ${String(never)}`);
      }
    }
  }

  private changed(kind: ClusterChange['kind'], reason: string): void {
    this.options.onChange({ kind, reason, full: false });
  }
}
