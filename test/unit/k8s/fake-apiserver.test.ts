import { expect } from 'chai';
import { CoreV1Api, makeInformer, type V1Service } from '@kubernetes/client-node';
import { FakeApiServer, WatchClient, type KubeObject } from '../../support/fake-apiserver/index.js';
import { waitUntil } from '../../support/wait-until.js';

function service(name: string, namespace = 'default', labels?: Record<string, string>): object {
  return { metadata: { name, namespace, labels }, spec: { ports: [{ port: 80 }] } };
}

interface ListJson {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

async function getJson(url: string): Promise<{ status: number; body: ListJson }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as ListJson };
}

function names(list: ListJson): string[] {
  return list.items.map((item) => item.metadata.name ?? '');
}

describe('fake API server', () => {
  let api: FakeApiServer;

  beforeEach(async () => {
    api = await FakeApiServer.start({ bookmarkIntervalMs: 0 });
  });

  afterEach(async () => {
    await api.stop();
  });

  describe('objects over HTTP', () => {
    it('creates, reads, replaces and deletes with increasing resourceVersions', async () => {
      const post = await fetch(`${api.url}/api/v1/namespaces/web/services`, {
        method: 'POST',
        body: JSON.stringify(service('front', 'web')),
      });
      expect(post.status).to.equal(201);
      const created = (await post.json()) as KubeObject;
      expect(created).to.include({ kind: 'Service', apiVersion: 'v1' });
      expect(created.metadata.uid).to.be.a('string');

      const one = `${api.url}/api/v1/namespaces/web/services/front`;
      const put = await fetch(one, {
        method: 'PUT',
        body: JSON.stringify({ ...created, spec: { ports: [{ port: 81 }] } }),
      });
      expect(put.status).to.equal(200);
      const updated = (await put.json()) as KubeObject;
      expect(Number(updated.metadata.resourceVersion)).to.be.greaterThan(
        Number(created.metadata.resourceVersion),
      );

      const stale = await fetch(one, { method: 'PUT', body: JSON.stringify(created) });
      expect(stale.status).to.equal(409);
      expect(((await stale.json()) as { reason: string }).reason).to.equal('Conflict');

      expect((await fetch(one)).status).to.equal(200);
      expect((await fetch(one, { method: 'DELETE' })).status).to.equal(200);
      const gone = await fetch(one);
      expect(gone.status).to.equal(404);
      expect(await gone.json()).to.include({ kind: 'Status', reason: 'NotFound', code: 404 });
    });

    it('serves namespaced, cluster-scoped and discovery.k8s.io paths', async () => {
      api.create('services', service('a', 'x'));
      api.create('services', service('b', 'y'));
      api.create('nodes', { metadata: { name: 'node-1' } });
      api.create('endpoints', { metadata: { name: 'a', namespace: 'x' }, subsets: [] });
      api.create('endpointslices', {
        metadata: { name: 'a-1', namespace: 'x' },
        addressType: 'IPv4',
        endpoints: [],
      });

      const all = await getJson(`${api.url}/api/v1/services`);
      expect(all.body).to.include({ kind: 'ServiceList', apiVersion: 'v1' });
      expect(names(all.body)).to.deep.equal(['a', 'b']);
      expect(all.body.items[0]).to.not.have.property('kind');
      expect(names((await getJson(`${api.url}/api/v1/namespaces/y/services`)).body)).to.deep.equal(['b']);
      expect(names((await getJson(`${api.url}/api/v1/nodes`)).body)).to.deep.equal(['node-1']);
      expect((await fetch(`${api.url}/api/v1/nodes/node-1`)).status).to.equal(200);
      expect(names((await getJson(`${api.url}/api/v1/namespaces/x/endpoints`)).body)).to.deep.equal(['a']);
      const slices = await getJson(`${api.url}/apis/discovery.k8s.io/v1/endpointslices`);
      expect(slices.body).to.include({ kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1' });
      expect(names(slices.body)).to.deep.equal(['a-1']);
      expect((await fetch(`${api.url}/api/v1/endpointslices`)).status).to.equal(404);
      expect(slices.body.metadata.resourceVersion).to.equal(api.resourceVersion);
    });
  });

  describe('lists', () => {
    it('pages with limit and continue over one consistent snapshot', async () => {
      for (const name of ['e', 'd', 'c', 'b', 'a']) api.create('services', service(name));
      const first = await getJson(`${api.url}/api/v1/services?limit=2`);
      expect(names(first.body)).to.deep.equal(['a', 'b']);
      expect(first.body.metadata.remainingItemCount).to.equal(3);
      const token = first.body.metadata.continue!;

      api.delete('services', 'c');
      api.create('services', service('bb'));
      const second = await getJson(`${api.url}/api/v1/services?limit=2&continue=${token}`);
      expect(names(second.body)).to.deep.equal(['c', 'd']);
      expect(second.body.metadata.resourceVersion).to.equal(first.body.metadata.resourceVersion);
      const third = await getJson(
        `${api.url}/api/v1/services?limit=2&continue=${second.body.metadata.continue}`,
      );
      expect(names(third.body)).to.deep.equal(['e']);
      expect(third.body.metadata.continue).to.equal(undefined);
    });

    it('answers an expired continue token with 410 Expired', async () => {
      for (const name of ['a', 'b', 'c']) api.create('services', service(name));
      const first = await getJson(`${api.url}/api/v1/services?limit=1`);
      api.create('services', service('d'));
      api.compact();
      const res = await fetch(`${api.url}/api/v1/services?limit=1&continue=${first.body.metadata.continue}`);
      expect(res.status).to.equal(410);
      expect(await res.json()).to.include({ kind: 'Status', reason: 'Expired', code: 410 });
    });

    it('filters by label and field selectors', async () => {
      api.create('services', service('plain'));
      api.create(
        'services',
        service('proxied', 'default', { 'service.kubernetes.io/service-proxy-name': 'other' }),
      );
      api.create('services', service('app', 'default', { app: 'web' }));
      const select = async (query: string): Promise<string[]> =>
        names((await getJson(`${api.url}/api/v1/services?${query}`)).body);
      expect(await select('labelSelector=!service.kubernetes.io/service-proxy-name')).to.deep.equal([
        'app',
        'plain',
      ]);
      expect(await select('labelSelector=service.kubernetes.io/service-proxy-name')).to.deep.equal([
        'proxied',
      ]);
      expect(await select('labelSelector=app%3Dweb')).to.deep.equal(['app']);
      expect(await select('labelSelector=app!%3Dweb')).to.deep.equal(['plain', 'proxied']);
      expect(await select('labelSelector=app%20in%20(web,db)')).to.deep.equal(['app']);
      expect(await select('fieldSelector=metadata.name%3Dplain')).to.deep.equal(['plain']);
      expect((await fetch(`${api.url}/api/v1/services?fieldSelector=spec.foo%3Dx`)).status).to.equal(400);
    });
  });

  describe('watches', () => {
    const clients: WatchClient[] = [];
    const watch = async (query: string, path = '/api/v1/services'): Promise<WatchClient> => {
      const client = await WatchClient.open(`${api.url}${path}?${query}`);
      clients.push(client);
      return client;
    };

    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
    });

    it('streams the current state then changes when started without a resourceVersion', async () => {
      api.create('services', service('a'));
      const client = await watch('watch=true');
      expect(client.status).to.equal(200);
      api.update('services', { ...api.get('services', 'a'), spec: {} });
      api.delete('services', 'a');
      const events = await client.waitForEvents(3);
      expect(events.map((e) => e.type)).to.deep.equal(['ADDED', 'MODIFIED', 'DELETED']);
      expect(events[2]!.object).to.include({ kind: 'Service' });
      expect(events[2]!.object.metadata).to.include({ resourceVersion: api.resourceVersion });
    });

    it('replays history after a resourceVersion and sends bookmarks when asked', async () => {
      const rv = api.resourceVersion;
      api.create('services', service('a'));
      api.create('nodes', { metadata: { name: 'n' } });
      api.create('services', service('b'));
      const client = await watch(`watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`);
      const events = await client.waitForEvents(2);
      expect(events.map((e) => e.object.metadata.name)).to.deep.equal(['a', 'b']);
      api.sendBookmarks();
      const [, , bookmark] = await client.waitForEvents(3);
      expect(bookmark).to.deep.equal({
        type: 'BOOKMARK',
        object: { kind: 'Service', apiVersion: 'v1', metadata: { resourceVersion: api.resourceVersion } },
      });
    });

    it('answers a watch from a compacted resourceVersion with an ERROR 410 event', async () => {
      const rv = api.resourceVersion;
      api.create('services', service('a'));
      api.compact();
      const client = await watch(`watch=true&resourceVersion=${rv}`);
      expect(client.status).to.equal(200);
      const [event] = await client.waitForEvents(1);
      expect(event!.type).to.equal('ERROR');
      expect(event!.object).to.include({ kind: 'Status', code: 410, reason: 'Expired' });
      expect(await client.waitForEnd()).to.equal('ended');
    });

    it('evicts history beyond historyLimit', async () => {
      await api.stop();
      api = await FakeApiServer.start({ historyLimit: 2, bookmarkIntervalMs: 0 });
      const rv = api.resourceVersion;
      for (const name of ['a', 'b', 'c']) api.create('services', service(name));
      const [event] = await (await watch(`watch=true&resourceVersion=${rv}`)).waitForEvents(1);
      expect(event!.type).to.equal('ERROR');
    });

    it('turns selector transitions into ADDED and DELETED', async () => {
      api.create('services', service('a', 'default', { app: 'web' }));
      const client = await watch(`watch=true&resourceVersion=${api.resourceVersion}&labelSelector=app%3Dweb`);
      api.update('services', service('a', 'default', { app: 'db' }));
      api.update('services', service('a', 'default', { app: 'web' }));
      const events = await client.waitForEvents(2);
      expect(events.map((e) => e.type)).to.deep.equal(['DELETED', 'ADDED']);
    });

    it('drops, ends, stalls and times out watches on request', async () => {
      const dropped = await watch('watch=true');
      await waitUntil(() => api.openWatches === 1, 'the watch to register');
      expect(api.dropWatches()).to.equal(1);
      expect(await dropped.waitForEnd()).to.equal('broken');

      const cut = await watch('watch=true', '/api/v1/nodes');
      await api.stop();
      api = await FakeApiServer.start({ bookmarkIntervalMs: 0 });
      expect(await cut.waitForEnd()).to.equal('broken');

      const graceful = await watch('watch=true');
      await waitUntil(() => api.openWatches === 1, 'the watch to register');
      expect(api.dropWatches('end')).to.equal(1);
      expect(await graceful.waitForEnd()).to.equal('ended');

      const stalled = await watch(`watch=true&resourceVersion=${api.resourceVersion}`);
      api.stallWatches(true);
      api.create('services', service('a'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stalled.events).to.have.length(0);
      api.stallWatches(false);
      await stalled.waitForEvents(1);

      const timed = await watch('watch=true&timeoutSeconds=1');
      expect(await timed.waitForEnd(3000)).to.equal('ended');
    });
  });

  it('fails the next requests on demand and counts requests', async () => {
    api.failNext(2, 503, { verb: 'list' });
    expect((await fetch(`${api.url}/api/v1/services/`)).status).to.equal(404);
    expect((await fetch(`${api.url}/api/v1/services`)).status).to.equal(503);
    expect((await fetch(`${api.url}/api/v1/nodes`)).status).to.equal(503);
    expect((await fetch(`${api.url}/api/v1/nodes`)).status).to.equal(200);
    expect(api.requestCount({ verb: 'list' })).to.equal(3);
    expect(api.requestCount({ verb: 'list', resource: 'nodes' })).to.equal(2);
  });

  describe("with client-node's own informer", () => {
    it('lists, watches, reconnects and relists after 410', async () => {
      api.create('services', service('a'));
      const kc = api.kubeConfig();
      const core = kc.makeApiClient(CoreV1Api);
      const informer = makeInformer<V1Service>(kc, '/api/v1/services', () =>
        core.listServiceForAllNamespaces(),
      );
      const seen: string[] = [];
      const errors: unknown[] = [];
      informer.on('add', (svc) => seen.push(`add ${svc.metadata?.name}`));
      informer.on('update', (svc) => seen.push(`update ${svc.metadata?.name}`));
      informer.on('delete', (svc) => seen.push(`delete ${svc.metadata?.name}`));
      informer.on('error', (err) => errors.push(err));
      await informer.start();
      try {
        await waitUntil(() => api.openWatches === 1, 'the client-node watch');
        api.create('services', service('b'));
        api.update('services', service('a', 'default', { changed: 'yes' }));
        await waitUntil(() => seen.length === 3, 'three events');

        api.dropWatches('end');
        api.delete('services', 'b');
        await waitUntil(() => seen.length === 4, 'the delete after reconnecting');

        await waitUntil(() => api.openWatches === 1, 'the client-node watch');
        api.dropWatches('end');
        api.create('services', service('c'));
        api.delete('services', 'a');
        api.compact();
        await waitUntil(() => seen.length === 6, 'the relist after 410');
        expect(api.requestCount({ verb: 'list' })).to.equal(2);
        expect(seen).to.deep.equal(['add a', 'add b', 'update a', 'delete b', 'delete a', 'add c']);
        expect(informer.list().map((svc) => svc.metadata?.name)).to.deep.equal(['c']);
        expect(errors).to.deep.equal([]);
      } finally {
        await informer.stop();
      }
    });
  });
});
