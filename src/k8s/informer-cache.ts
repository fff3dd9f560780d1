import type { InformerEvent, ObjectWithMeta } from './informer-types.js';

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function cacheKey(obj: ObjectWithMeta): string {
  const namespace = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return namespace ? `${namespace}/${name}` : name;
}

function sameVersion(a: ObjectWithMeta, b: ObjectWithMeta): boolean {
  const rv = a.metadata?.resourceVersion;
  return rv !== undefined && rv === b.metadata?.resourceVersion;
}

/** What `metadataOnly` keeps: enough to key, version and name an object in logs. */
export type MetadataOnly = {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
};

/**
 * A `cacheAs` for informers whose subscribers convert objects on arrival: a fresh small object, so
 * nothing keeps the object the server sent (spec, status, managedFields) alive.
 */
export function metadataOnly(obj: ObjectWithMeta): MetadataOnly {
  const { apiVersion, kind } = obj as { apiVersion?: unknown; kind?: unknown };
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  const slim: MetadataOnly = { metadata: {} };
  if (typeof apiVersion === 'string') slim.apiVersion = apiVersion;
  if (typeof kind === 'string') slim.kind = kind;
  for (const field of ['name', 'namespace', 'uid', 'resourceVersion'] as const) {
    const value = meta[field];
    if (typeof value === 'string') slim.metadata[field] = value;
  }
  return slim;
}

/** The informer's store: objects by key; every change returns the event it amounts to. */
export class InformerCache<T extends ObjectWithMeta> {
  private readonly objects = new Map<string, T>();

  /** `cacheAs` decides what is kept of each object; events still carry the object given. */
  constructor(private readonly cacheAs: (obj: T) => T = (obj) => obj) {}

  get size(): number {
    return this.objects.size;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  /** add for a new key, update for a changed resourceVersion, nothing for the same version. */
  upsert(obj: T): InformerEvent<T> | undefined {
    const key = cacheKey(obj);
    const old = this.objects.get(key);
    if (old !== undefined && sameVersion(old, obj)) return undefined;
    this.objects.set(key, this.cacheAs(obj));
    return old === undefined ? { kind: 'add', object: obj } : { kind: 'update', object: obj, old };
  }

  /** delete (carrying the final state the server sent) when the key was cached. */
  remove(obj: T): InformerEvent<T> | undefined {
    const key = cacheKey(obj);
    if (!this.objects.delete(key)) return undefined;
    return { kind: 'delete', object: obj };
  }

  /** Deletes every cached object whose key is not in `keys`; a delete event (cached form) for each. */
  removeMissing(keys: ReadonlySet<string>): InformerEvent<T>[] {
    const events: InformerEvent<T>[] = [];
    for (const [key, old] of this.objects) {
      if (keys.has(key)) continue;
      this.objects.delete(key);
      events.push({ kind: 'delete', object: old });
    }
    return events;
  }
}
