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

/** The informer's store: objects by key; every change returns the event it amounts to. */
export class InformerCache<T extends ObjectWithMeta> {
  private readonly objects = new Map<string, T>();

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
    this.objects.set(key, obj);
    return old === undefined ? { kind: 'add', object: obj } : { kind: 'update', object: obj, old };
  }

  /** delete (carrying the final state the server sent) when the key was cached. */
  remove(obj: T): InformerEvent<T> | undefined {
    const key = cacheKey(obj);
    if (!this.objects.delete(key)) return undefined;
    return { kind: 'delete', object: obj };
  }

  /**
   * Makes the cache equal a fresh list: adds and updates for what it holds, deletes (with the last
   * state seen) for cached objects the list no longer has.
   */
  replace(items: readonly T[]): InformerEvent<T>[] {
    const events: InformerEvent<T>[] = [];
    const listed = new Set(items.map(cacheKey));
    for (const [key, old] of this.objects) {
      if (listed.has(key)) continue;
      this.objects.delete(key);
      events.push({ kind: 'delete', object: old });
    }
    for (const item of items) {
      const event = this.upsert(item);
      if (event) events.push(event);
    }
    return events;
  }
}
