import { expect } from 'chai';
import { InformerCache, cacheKey, metadataOnly, type MetadataOnly } from '../../../src/k8s/informer-cache.js';
import type { InformerEvent } from '../../../src/k8s/informer-types.js';

interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  spec?: unknown;
}

/** A Service as the server sends it, with the bulk a slim cache should drop. */
function service(name: string, resourceVersion: string, port = 80): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion,
      labels: { app: name },
      annotations: { note: 'x'.repeat(100) },
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: { ports: [{ port }] },
  };
}

function slim(name: string, resourceVersion: string): MetadataOnly {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion },
  };
}

function text(event: InformerEvent<Obj> | undefined): string {
  return event === undefined ? 'none' : `${event.kind} ${event.object.metadata.name}`;
}

describe('metadataOnly', () => {
  it('keeps apiVersion, kind and name, namespace, uid, resourceVersion as fresh objects', () => {
    const full = service('a', '7');
    const kept = metadataOnly(full);
    expect(kept).to.deep.equal(slim('a', '7'));
    expect(kept).to.not.equal(full);
    expect(kept.metadata).to.not.equal(full.metadata);
    full.metadata.name = 'changed';
    expect(kept.metadata.name).to.equal('a');
  });

  it('leaves out what the object does not have', () => {
    expect(metadataOnly({ metadata: { name: 'node-a', resourceVersion: '3' } })).to.deep.equal({
      metadata: { name: 'node-a', resourceVersion: '3' },
    });
    expect(metadataOnly({})).to.deep.equal({ metadata: {} });
  });
});

describe('InformerCache', () => {
  it('keeps the cacheAs form while its events carry the objects given', () => {
    const cache = new InformerCache<Obj>(metadataOnly);
    const v1 = service('a', '1');
    const added = cache.upsert(v1);
    expect(added).to.deep.equal({ kind: 'add', object: v1 });
    expect(added?.object).to.equal(v1);
    expect(cache.get('a', 'default')).to.deep.equal(slim('a', '1'));

    const v2 = service('a', '2', 81);
    const updated = cache.upsert(v2);
    expect(updated?.object).to.equal(v2);
    expect(updated?.kind === 'update' && updated.old).to.deep.equal(slim('a', '1'));
    expect(cache.list()).to.deep.equal([slim('a', '2')]);

    const removed = cache.remove(v2);
    expect(removed?.object).to.equal(v2);
    expect(cache.size).to.equal(0);
  });

  it('dedupes the same resourceVersion against the slim form', () => {
    const cache = new InformerCache<Obj>(metadataOnly);
    cache.upsert(service('a', '1'));
    expect(cache.upsert(service('a', '1', 99))).to.equal(undefined);
    expect(text(cache.upsert(service('a', '2')))).to.equal('update a');
  });

  it('on a relist deletes vanished keys with their slim form and skips unchanged versions', () => {
    const cache = new InformerCache<Obj>(metadataOnly);
    for (const name of ['a', 'b', 'c']) cache.upsert(service(name, '1'));
    const listed = [service('a', '1'), service('c', '2'), service('d', '1')];
    const events = [
      ...cache.removeMissing(new Set(listed.map(cacheKey))),
      ...listed.flatMap((obj) => cache.upsert(obj) ?? []),
    ];
    expect(events.map(text)).to.deep.equal(['delete b', 'update c', 'add d']);
    expect(events[0]!.object).to.deep.equal(slim('b', '1'));
    expect(cache.list()).to.deep.equal([slim('a', '1'), slim('c', '2'), slim('d', '1')]);
  });

  it('keeps whole objects by default', () => {
    const cache = new InformerCache<Obj>();
    const v1 = service('a', '1');
    cache.upsert(v1);
    expect(cache.get('a', 'default')).to.equal(v1);
  });
});
