/**
 * The controller against the fake API server, with an in-memory kernel: the rules converge to
 * what `render` gives for the API's objects through adds, updates, deletes, dropped watches,
 * expired resourceVersions, failed restores and an external flush.
 */
import { expect } from 'chai';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { apiNode, apiService, apiSlice } from '../support/api-objects.js';
import {
  eventually,
  expectedPlan,
  startController,
  type RunningController,
} from '../support/controller-harness.js';
import { FakeKernel } from '../support/fake-kernel.js';

const PORTS = [{ name: 'http', port: 80, targetPort: 8080 }];

describe('controller (fake API server, fake kernel)', function () {
  this.timeout(20_000);
  let api: FakeApiServer;
  let kernel: FakeKernel;
  let running: RunningController | undefined;

  beforeEach(async () => {
    api = await FakeApiServer.start({ bookmarkIntervalMs: 200 });
    kernel = new FakeKernel();
    api.create('nodes', apiNode('node-a', { ip: '192.168.50.1', podCIDR: '10.244.1.0/24' }));
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await api.stop();
  });

  const converged = (): boolean => {
    if (kernel.restores.length === 0) return false;
    return expectedPlan(api, running!.config, kernel.live('ipv4')).empty;
  };
  const converge = (what: string): Promise<void> => eventually(converged, what);
  const healthz = async (): Promise<number> =>
    (await fetch(`http://127.0.0.1:${running!.controller.healthzPort}/healthz`)).status;

  it('converges through adds, updates and deletes', async () => {
    api.create('services', apiService('web', { clusterIP: '10.96.0.10', ports: PORTS }));
    api.create(
      'endpointslices',
      apiSlice('web-1', { service: 'web', ports: PORTS, endpoints: [{ ip: '10.244.1.11' }] }),
    );
    running = startController(api, kernel);
    await converge('initial objects');
    expect(kernel.saves).to.be.greaterThan(0);

    api.update(
      'endpointslices',
      apiSlice('web-1', {
        service: 'web',
        ports: PORTS,
        endpoints: [{ ip: '10.244.1.11' }, { ip: '10.244.1.12' }],
      }),
    );
    api.create('services', apiService('db', { clusterIP: '10.96.0.20', ports: PORTS }));
    await converge('an update and an add');
    expect(kernel.live('ipv4').tables.get('nat')!.chains.size).to.be.greaterThan(6);

    api.delete('services', 'web');
    api.delete('endpointslices', 'web-1');
    await converge('deletes');
    const nat = [...kernel.live('ipv4').tables.get('nat')!.chains.values()]
      .flatMap((c) => c.rules)
      .join('\n');
    expect(nat).not.to.include('10.244.1.11');
    expect(await healthz()).to.equal(200);
  });

  it('ignores services for another proxy and skips invalid objects', async () => {
    api.create(
      'services',
      apiService('other', {
        clusterIP: '10.96.0.40',
        ports: PORTS,
        labels: { 'service.kubernetes.io/service-proxy-name': 'x' },
      }),
    );
    api.create('services', apiService('bad', { clusterIP: '10.96.0.41', ports: [{ port: 99999 }] }));
    running = startController(api, kernel);
    await eventually(() => kernel.restores.length > 0, 'first sync');
    const nat = kernel.restores.map((r) => r.input).join('\n');
    expect(nat).not.to.include('10.96.0.40');
    expect(nat).not.to.include('10.96.0.41');
    const metrics = await running.metrics.registry.getSingleMetricAsString('kproxy_skipped_objects_total');
    expect(metrics).to.include('kind="services",reason="invalid"} 1');
  });

  it('recovers from a dropped watch and from an expired resourceVersion', async () => {
    running = startController(api, kernel);
    await converge('empty cluster');
    api.dropWatches();
    api.create('services', apiService('web', { clusterIP: '10.96.0.10', ports: PORTS }));
    await converge('a change after a dropped watch');

    api.dropWatches();
    api.create(
      'endpointslices',
      apiSlice('web-1', { service: 'web', ports: PORTS, endpoints: [{ ip: '10.244.1.11' }] }),
    );
    api.compact();
    await converge('a change after compaction (410 Gone, relist)');
    const relists = api.requestCount({ verb: 'list', resource: 'endpointslices' });
    expect(relists).to.be.greaterThan(1);
  });

  it('applies nothing before every informer has listed', async () => {
    api.create('services', apiService('web', { clusterIP: '10.96.0.10', ports: PORTS }));
    api.failNext(6, 500, { verb: 'list', resource: 'endpointslices' });
    running = startController(api, kernel);
    await eventually(
      () => api.requestCount({ verb: 'list', resource: 'endpointslices' }) >= 4,
      'failing lists',
    );
    expect(kernel.restores).to.have.length(0);
    expect(running.controller.watch.hasSynced).to.equal(false);
    api.create(
      'endpointslices',
      apiSlice('web-1', { service: 'web', ports: PORTS, endpoints: [{ ip: '10.244.1.11' }] }),
    );
    await converge('first sync after the list succeeds');
    expect(kernel.restores[0]!.input).to.include('10.244.1.11');
  });

  it('retries a failed restore, reporting unhealthy then healthy', async () => {
    running = startController(api, kernel);
    await converge('empty cluster');
    kernel.failRestores = 1000;
    api.create('services', apiService('web', { clusterIP: '10.96.0.10', ports: PORTS }));
    await eventually(async () => (await healthz()) === 503, '/healthz 503');
    const failures = await running.metrics.registry.getSingleMetricAsString(
      'kubeproxy_sync_proxy_rules_iptables_restore_failures_total',
    );
    expect(failures).to.match(/ip_family="IPv4"} [1-9]/);
    kernel.failRestores = 0;
    await converge('the retry');
    await eventually(async () => (await healthz()) === 200, '/healthz 200');
  });

  it('repairs a flushed ruleset (canary gone)', async () => {
    api.create('services', apiService('web', { clusterIP: '10.96.0.10', ports: PORTS }));
    running = startController(api, kernel);
    await converge('initial');
    const before = kernel.restores.length;
    kernel.flushAll();
    await eventually(() => kernel.restores.length > before && converged(), 'repair after flush', 3000);
  });

  it('exports kube-proxy metric names', async () => {
    running = startController(api, kernel);
    await converge('empty cluster');
    const text = await (await fetch(`http://127.0.0.1:${running.controller.metricsPort}/metrics`)).text();
    for (const name of [
      'kubeproxy_sync_proxy_rules_duration_seconds',
      'kubeproxy_sync_full_proxy_rules_duration_seconds',
      'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
      'kubeproxy_sync_proxy_rules_iptables_total',
    ]) {
      expect(text).to.include(name);
    }
    expect(text).to.match(/kubeproxy_sync_proxy_rules_iptables_total\{table="nat",ip_family="IPv4"\} [1-9]/);
  });
});
