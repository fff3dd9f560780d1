import { expect } from 'chai';
import winston from 'winston';
import { ClusterWatch, type WatchedResource } from '../../../src/k8s/cluster-watch.js';
import type { InformerSignal } from '../../../src/k8s/informer.js';
import { apiNode, apiService, apiSlice } from '../../support/api-objects.js';
import { FakeApiServer, type KubeObject } from '../../support/fake-apiserver/index.js';
import { waitUntil } from '../../support/wait-until.js';

const PORTS = [{ name: 'http', port: 80, targetPort: 8080 }];

/** What a metadata-only cache should hold of a listed object (list items carry no kind). */
function listedMetadata(obj: KubeObject): object {
  const kept = ['name', 'namespace', 'uid', 'resourceVersion'].filter((k) => obj.metadata[k] !== undefined);
  return { metadata: Object.fromEntries(kept.map((k) => [k, obj.metadata[k]])) };
}

describe('ClusterWatch', () => {
  let api: FakeApiServer;
  let stop: AbortController;
  let done: Promise<void> | undefined;

  beforeEach(async () => {
    api = await FakeApiServer.start({ bookmarkIntervalMs: 50 });
    stop = new AbortController();
    api.create('nodes', apiNode('node-a', { ip: '192.168.50.1', podCIDR: '10.244.1.0/24' }));
    api.create('services', apiService('web', { clusterIP: '10.96.0.10', ports: PORTS }));
    api.create(
      'endpointslices',
      apiSlice('web-1', { service: 'web', ports: PORTS, endpoints: [{ ip: '10.244.1.11' }] }),
    );
  });

  afterEach(async () => {
    stop.abort();
    await done;
    done = undefined;
    await api.stop();
  });

  function start(signals: InformerSignal[] = []): { watch: ClusterWatch; synced: Promise<boolean> } {
    const watch = new ClusterWatch({
      kubeConfig: api.kubeConfig(),
      hostname: 'node-a',
      endpointsSource: 'endpointslices',
      logger: winston.createLogger({ silent: true }),
      informer: { backoff: { initialMs: 20, maxMs: 200 }, random: () => 0 },
      onChange: () => undefined,
      onInformerSignal: (_resource, signal) => signals.push(signal),
    });
    const started = watch.start(stop.signal);
    done = started.done;
    return { watch, synced: started.synced };
  }

  it('caches metadata only, yet converts the objects as sent', async () => {
    const { watch, synced } = start();
    expect(await synced).to.equal(true);
    for (const resource of ['services', 'endpointslices', 'nodes'] as const satisfies WatchedResource[]) {
      expect(watch.cached(resource), resource).to.deep.equal(api.list(resource).map(listedMetadata));
    }
    const { snapshot } = watch.take();
    expect(snapshot.services.map((s) => [s.name, s.clusterIPs, s.ports.map((p) => p.port)])).to.deep.equal([
      ['web', ['10.96.0.10'], [80]],
    ]);
    expect(snapshot.endpointSlices.flatMap((s) => s.endpoints.map((e) => e.ip))).to.deep.equal([
      '10.244.1.11',
    ]);
    expect(watch.localNode?.podCIDRs).to.deep.equal(['10.244.1.0/24']);
  });

  it('drops objects deleted by the watch or missing from a relist, by key', async () => {
    const signals: InformerSignal[] = [];
    const { watch, synced } = start(signals);
    await synced;
    await waitUntil(() => api.openWatches === 3, 'the watches');
    expect(watch.take().snapshot.services).to.have.length(1);

    api.delete('services', 'web');
    await waitUntil(() => watch.take().snapshot.services.length === 0, 'the service to go');

    api.dropWatches();
    api.delete('endpointslices', 'web-1');
    api.compact();
    await waitUntil(() => watch.take().snapshot.endpointSlices.length === 0, 'the slice to go');
    expect(signals.some((s) => s.kind === 'watch-ended' && s.reason === 'gone')).to.equal(true);
    expect(watch.cached('endpointslices')).to.deep.equal([]);
  });
});
