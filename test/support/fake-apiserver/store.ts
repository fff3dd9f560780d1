import { randomUUID } from 'node:crypto';
import { clone, objectKey, toKubeObject, type KubeObject } from './objects.js';
import { RESOURCES, type ResourceInfo, type ResourceName } from './resources.js';
import { StatusError } from './status.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change. `object` carries the change's resourceVersion (also for deletions). */
export interface StoreEvent {
  readonly rv: number;
  readonly resource: ResourceName;
  readonly type: ChangeType;
  readonly key: string;
  readonly object: KubeObject;
  readonly previous: KubeObject | undefined;
}

export type StoreListener = (event: StoreEvent) => void;

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * All objects of all resources under one global, monotonically increasing resourceVersion (as etcd's
 * revision), plus a bounded history of changes. The history serves watches from an old
 * resourceVersion and paged lists at the resourceVersion of their first page; anything older than
 * `compactedRv` is gone (410).
 */
export class ObjectStore {
  private rv = 1;
  private compactedRvValue = 1;
  private readonly objects = new Map<ResourceName, Map<string, KubeObject>>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historyLimit: number) {}

  get resourceVersion(): number {
    return this.rv;
  }

  /** Watches and continue tokens from a resourceVersion below this one get 410 Gone. */
  get compactedRv(): number {
    return this.compactedRvValue;
  }

  onChange(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets all history: every resourceVersion before the current one expires. */
  compact(): void {
    this.history = [];
    this.compactedRvValue = this.rv;
  }

  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(resource).get(objectKey(this.ns(resource, namespace), name));
    return found && clone(found);
  }

  /** Current objects of a resource, sorted by key. */
  list(resource: ResourceName): KubeObject[] {
    return this.sorted(this.bucket(resource)).map(clone);
  }

  /** Objects of a resource as they were at `rv`, sorted by key; undefined when `rv` was compacted. */
  snapshotAt(resource: ResourceName, rv: number): KubeObject[] | undefined {
    if (rv < this.compactedRvValue) return undefined;
    const state = new Map(this.bucket(resource));
    for (let i = this.history.length - 1; i >= 0; i--) {
      const event = this.history[i]!;
      if (event.rv <= rv) break;
      if (event.resource !== resource) continue;
      if (event.previous === undefined) state.delete(event.key);
      else state.set(event.key, event.previous);
    }
    return this.sorted(state).map(clone);
  }

  /** Changes after `rv`, oldest first; undefined when some of them were compacted away. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRvValue) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  create(resource: ResourceName, input: unknown, pathNamespace?: string): KubeObject {
    const info = RESOURCES[resource];
    const obj = this.prepare(info, input, pathNamespace);
    if (obj.metadata.name === undefined && obj.metadata.generateName !== undefined) {
      obj.metadata.name = obj.metadata.generateName + randomUUID().slice(0, 5);
    }
    const name = obj.metadata.name;
    if (name === undefined || name === '') throw new StatusError(422, 'metadata.name: Required value');
    const key = objectKey(obj.metadata.namespace, name);
    if (this.bucket(resource).has(key)) {
      throw new StatusError(409, `${resource} "${name}" already exists`, 'AlreadyExists');
    }
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = timestamp();
    return this.commit(resource, 'ADDED', key, obj, undefined);
  }

  update(resource: ResourceName, input: unknown, pathNamespace?: string, pathName?: string): KubeObject {
    const info = RESOURCES[resource];
    const obj = this.prepare(info, input, pathNamespace);
    const name = obj.metadata.name;
    if (name === undefined || (pathName !== undefined && name !== pathName)) {
      throw new StatusError(400, 'the name of the object does not match the name on the URL');
    }
    const key = objectKey(obj.metadata.namespace, name);
    const previous = this.bucket(resource).get(key);
    if (previous === undefined) throw new StatusError(404, `${resource} "${name}" not found`);
    const wanted = obj.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== previous.metadata.resourceVersion) {
      throw new StatusError(
        409,
        `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; ` +
          'please apply your changes to the latest version and try again',
      );
    }
    obj.metadata.uid = previous.metadata.uid;
    obj.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    return this.commit(resource, 'MODIFIED', key, obj, previous);
  }

  delete(resource: ResourceName, namespace: string | undefined, name: string): KubeObject {
    const key = objectKey(this.ns(resource, namespace), name);
    const previous = this.bucket(resource).get(key);
    if (previous === undefined) throw new StatusError(404, `${resource} "${name}" not found`);
    return this.commit(resource, 'DELETED', key, clone(previous), previous);
  }

  private prepare(info: ResourceInfo, input: unknown, pathNamespace: string | undefined): KubeObject {
    const obj = toKubeObject(input);
    obj.apiVersion = info.apiVersion;
    obj.kind = info.kind;
    if (!info.namespaced) {
      delete obj.metadata.namespace;
      return obj;
    }
    const namespace = obj.metadata.namespace ?? pathNamespace ?? 'default';
    if (pathNamespace !== undefined && namespace !== pathNamespace) {
      throw new StatusError(
        400,
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = namespace;
    return obj;
  }

  private commit(
    resource: ResourceName,
    type: ChangeType,
    key: string,
    obj: KubeObject,
    previous: KubeObject | undefined,
  ): KubeObject {
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    const bucket = this.bucket(resource);
    if (type === 'DELETED') bucket.delete(key);
    else bucket.set(key, obj);
    const event: StoreEvent = { rv: this.rv, resource, type, key, object: obj, previous };
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRvValue = dropped[dropped.length - 1]!.rv;
    }
    for (const listener of this.listeners) listener(event);
    return clone(obj);
  }

  private ns(resource: ResourceName, namespace: string | undefined): string | undefined {
    return RESOURCES[resource].namespaced ? (namespace ?? 'default') : undefined;
  }

  private bucket(resource: ResourceName): Map<string, KubeObject> {
    let bucket = this.objects.get(resource);
    if (bucket === undefined) {
      bucket = new Map();
      this.objects.set(resource, bucket);
    }
    return bucket;
  }

  private sorted(bucket: ReadonlyMap<string, KubeObject>): KubeObject[] {
    return [...bucket.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, obj]) => obj);
  }
}
