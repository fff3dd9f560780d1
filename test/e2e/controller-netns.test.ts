/**
 * End to end: the controller (in-process, its runner targeting the topology's node namespace)
 * against the fake API server. A Service and its EndpointSlice created through the API carry real
 * traffic from a client pod to both backend pods; deleting an endpoint stops traffic to it.
 */
import { expect } from 'chai';
import { createConntrack } from '../../src/iptables/conntrack.js';
import { createRunner } from '../../src/iptables/runner.js';
import { apiNode, apiService, apiSlice } from '../support/api-objects.js';
import {
  eventually,
  startController,
  testConfig,
  type RunningController,
} from '../support/controller-harness.js';
import { FakeApiServer } from '../support/fake-apiserver/index.js';
import { createTopology, describeWithNetns, type Topology } from '../support/netns/index.js';

const SVC = '10.96.0.10';
const PORTS = [{ name: 'http', port: 80, targetPort: 8080 }];

describeWithNetns('controller in a network namespace (iptables-nft)', function () {
  this.timeout(60_000);
  let topo: Topology | undefined;
  let api: FakeApiServer | undefined;
  let running: RunningController | undefined;

  before(async function () {
    topo = await createTopology({ localPods: 2, remotePods: 0, clientPods: 1 });
    api = await FakeApiServer.start({ bookmarkIntervalMs: 500 });
  });
  after(async function () {
    await running?.stop();
    await api?.stop();
    await topo?.destroy();
  });

  it('carries traffic to the endpoints the API lists, and stops when one is removed', async function () {
    const t = topo!;
    const server = api!;
    const { local1, local2 } = t.pods;
    const slice = (ips: string[]): Record<string, unknown> =>
      apiSlice('web-1', {
        service: 'web',
        ports: PORTS,
        endpoints: ips.map((ip) => ({ ip, nodeName: 'node' })),
      });
    server.create('nodes', apiNode('node', { ip: t.node.ip, podCIDR: t.node.podCidr }));
    const runner = createRunner({ backend: 'nft', netns: t.node.ns });
    running = startController(server, runner, {
      config: testConfig({ hostname: 'node', clusterCIDRs: [t.clusterCidr] }),
      host: {
        localAddresses: ['127.0.0.1', t.node.ip, t.node.extSideIp, t.node.podGateway],
        randomFully: true,
        tcpBeLiberal: false,
      },
      conntrack: createConntrack({ netns: t.node.ns }),
    });
    server.create('services', apiService('web', { clusterIP: SVC, ports: PORTS }));
    server.create('endpointslices', slice([local1!.ip, local2!.ip]));

    const spec = { from: 'client1', to: SVC, port: 80, protocol: 'tcp' as const, timeoutMs: 500 };
    await eventually(async () => (await t.request(spec)).kind === 'reply', 'service reachable', 15_000);
    const both = await t.requestMany(spec, 40);
    expect(both.byKind.reply, JSON.stringify(both.byKind)).to.equal(40);
    expect(Object.keys(both.byPod).sort()).to.deep.equal(['local1', 'local2']);

    server.update('endpointslices', slice([local1!.ip]));
    await eventually(
      async () => {
        const saved = await t.exec('node', ['iptables-nft-save', '-t', 'nat'], {});
        return !saved.stdout.includes(local2!.ip);
      },
      'endpoint removed from the rules',
      15_000,
    );
    const one = await t.requestMany(spec, 20);
    expect(one.byKind.reply, JSON.stringify(one.byKind)).to.equal(20);
    expect(one.byPod).to.deep.equal({ local1: 20 });
  });
});
