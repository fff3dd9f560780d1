/**
 * Proves the netns harness with hand-written rules: real TCP/UDP through real iptables (nft and
 * legacy) in the node namespace, before kproxy's own e2e tests rely on it.
 */
import { expect } from 'chai';
import {
  createTopology,
  describeWithNetns,
  namespacesStartingWith,
  pidsMentioning,
  resetRules,
  restoreRules,
  TopologyError,
  type IptablesBackend,
  type RequestResult,
  type RequestSpec,
  type Topology,
} from '../support/netns/index.js';

const SVC = '10.96.0.10';
const SVC_V6 = 'fd00:10:96::10';
const REMOTE_SVC = '10.96.0.11';
const REJECTED = '10.96.0.20';
const DROPPED = '10.96.0.21';

/** Service SVC:80 (tcp and udp) -> local1:8080 / local2:8080, 50/50, from pods, ext and the node. */
function spreadRules(a: string, b: string, svc: string): string {
  const lines = ['*nat', ':KPT-SVC-TCP - [0:0]', ':KPT-SVC-UDP - [0:0]'];
  for (const p of ['tcp', 'udp']) {
    const chain = `KPT-SVC-${p.toUpperCase()}`;
    const fmt = (ip: string): string => (ip.includes(':') ? `[${ip}]:8080` : `${ip}:8080`);
    lines.push(
      `-A PREROUTING -d ${svc} -p ${p} -m ${p} --dport 80 -j ${chain}`,
      `-A OUTPUT -d ${svc} -p ${p} -m ${p} --dport 80 -j ${chain}`,
      `-A ${chain} -p ${p} -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination ${fmt(a)}`,
      `-A ${chain} -p ${p} -j DNAT --to-destination ${fmt(b)}`,
    );
  }
  return `${lines.join('\n')}\nCOMMIT\n`;
}

function dnatRule(svc: string, backend: string): string {
  return `-A PREROUTING -d ${svc} -p tcp -m tcp --dport 80 -j DNAT --to-destination ${backend}:8080`;
}

const MASQUERADE_DNATED = '-A POSTROUTING -m conntrack --ctstate DNAT -j MASQUERADE';

function peerOf(result: RequestResult): string {
  expect(result.kind, JSON.stringify(result)).to.equal('reply');
  return result.kind === 'reply' ? result.peerIp : '';
}

function podOf(result: RequestResult): string {
  expect(result.kind, JSON.stringify(result)).to.equal('reply');
  return result.kind === 'reply' ? result.pod : '';
}

async function expectSpread(topo: Topology, spec: RequestSpec, pods: readonly string[]): Promise<void> {
  const { byKind, byPod } = await topo.requestMany(spec, 60);
  expect(byKind, `from ${spec.from}`).to.deep.equal({ reply: 60, refused: 0, timeout: 0, error: 0 });
  expect(Object.keys(byPod).sort()).to.deep.equal([...pods].sort());
  // Binomial(60, 0.5): fewer than 10 on one side happens about once in 10^8 runs.
  for (const pod of pods) expect(byPod[pod], `${pod} from ${spec.from}`).to.be.at.least(10);
}

function suite(backend: IptablesBackend): void {
  describeWithNetns(`netns harness with iptables-${backend}-restore`, function () {
    let topo: Topology | undefined;
    const t = (): Topology => topo!;

    before(async function () {
      topo = await createTopology({ localPods: 2, remotePods: 1, clientPods: 1, ipv6: true });
    });
    afterEach(async function () {
      if (topo) await resetRules(topo, backend);
    });
    after(async function () {
      await topo?.destroy();
    });

    it('reaches pods directly over TCP and UDP with the peer address preserved', async function () {
      const { local1, remote1, client1 } = t().pods;
      const cases = [
        { from: 'client1', src: client1!.ip, to: local1! },
        { from: 'client1', src: client1!.ip, to: remote1! },
        { from: 'ext', src: t().ext.ip, to: local1! },
        { from: 'ext', src: t().ext.ip, to: remote1! },
        { from: 'remote1', src: remote1!.ip, to: local1! },
      ];
      const checks = cases.flatMap((c) =>
        (['tcp', 'udp'] as const).map(async (protocol) => {
          const result = await t().request({ from: c.from, to: c.to.ip, port: 8080, protocol });
          expect(result, `${c.from} -> ${c.to.name} ${protocol}`).to.include({
            kind: 'reply',
            pod: c.to.name,
            peerIp: c.src,
            local: `${c.to.ip}:8080`,
          });
        }),
      );
      await Promise.all(checks);
    });

    it('spreads a DNATed service IP over two pods from a pod, from ext and from the node', async function () {
      await restoreRules(t(), backend, 4, spreadRules(t().pods.local1!.ip, t().pods.local2!.ip, SVC));
      for (const from of ['client1', 'ext', 'node']) {
        await expectSpread(t(), { from, to: SVC, port: 80, protocol: 'tcp' }, ['local1', 'local2']);
      }
      await expectSpread(t(), { from: 'client1', to: SVC, port: 80, protocol: 'udp' }, ['local1', 'local2']);
      const direct = await t().request({ from: 'client1', to: SVC, port: 80, protocol: 'tcp' });
      expect(peerOf(direct), 'no masquerade: client IP preserved').to.equal(t().pods.client1!.ip);
    });

    it('session affinity (-m recent) pins every new connection of a client to one pod', async function () {
      const { local1, local2 } = t().pods;
      const sep = (chain: string, ip: string): string =>
        `-A ${chain} -p tcp -m recent --name ${chain} --set -m tcp -j DNAT --to-destination ${ip}:8080`;
      const rules = [
        '*nat',
        ':KPT-AFF - [0:0]',
        ':KPT-SEP-A - [0:0]',
        ':KPT-SEP-B - [0:0]',
        `-A PREROUTING -d ${SVC} -p tcp -m tcp --dport 80 -j KPT-AFF`,
        '-A KPT-AFF -m recent --name KPT-SEP-A --rcheck --seconds 10800 --reap -j KPT-SEP-A',
        '-A KPT-AFF -m recent --name KPT-SEP-B --rcheck --seconds 10800 --reap -j KPT-SEP-B',
        '-A KPT-AFF -m statistic --mode random --probability 0.5000000000 -j KPT-SEP-A',
        '-A KPT-AFF -j KPT-SEP-B',
        sep('KPT-SEP-A', local1!.ip),
        sep('KPT-SEP-B', local2!.ip),
        'COMMIT',
        '',
      ].join('\n');
      await restoreRules(t(), backend, 4, rules);
      for (const from of ['client1', 'ext']) {
        const { byKind, byPod } = await t().requestMany({ from, to: SVC, port: 80, protocol: 'tcp' }, 30);
        expect(byKind.reply, from).to.equal(30);
        expect(Object.values(byPod), `${from}: ${JSON.stringify(byPod)}`).to.deep.equal([30]);
      }
    });

    it('spreads an IPv6 service IP with ip6tables', async function () {
      const { local1, local2 } = t().pods;
      await restoreRules(t(), backend, 6, spreadRules(local1!.ipv6!, local2!.ipv6!, SVC_V6));
      for (const from of ['client1', 'ext']) {
        await expectSpread(t(), { from, to: SVC_V6, port: 80, protocol: 'tcp' }, ['local1', 'local2']);
      }
    });

    it('MASQUERADE makes the backend see the node as the peer', async function () {
      const rules = [
        '*nat',
        dnatRule(SVC, t().pods.local1!.ip),
        dnatRule(REMOTE_SVC, t().pods.remote1!.ip),
        MASQUERADE_DNATED,
        'COMMIT',
        '',
      ].join('\n');
      await restoreRules(t(), backend, 4, rules);
      const local = await t().request({ from: 'ext', to: SVC, port: 80, protocol: 'tcp' });
      expect(peerOf(local), 'towards a local pod').to.equal(t().node.podGateway);
      const remote = await t().request({ from: 'ext', to: REMOTE_SVC, port: 80, protocol: 'tcp' });
      expect(podOf(remote)).to.equal('remote1');
      expect(peerOf(remote), 'towards node2').to.equal(t().node.ip);
    });

    it('REJECT answers "refused" quickly and DROP times out', async function () {
      const rules = [
        '*filter',
        `-A FORWARD -d ${REJECTED} -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable`,
        `-A FORWARD -d ${REJECTED} -p udp -m udp --dport 80 -j REJECT --reject-with icmp-port-unreachable`,
        `-A FORWARD -d ${DROPPED} -j DROP`,
        'COMMIT',
        '',
      ].join('\n');
      await restoreRules(t(), backend, 4, rules);
      const started = Date.now();
      const refused = await t().requestMany(
        { from: 'client1', to: REJECTED, port: 80, protocol: 'tcp', timeoutMs: 3000 },
        2,
      );
      const refusedUdp = await t().request({
        from: 'ext',
        to: REJECTED,
        port: 80,
        protocol: 'udp',
        timeoutMs: 3000,
      });
      expect(Date.now() - started, 'REJECT is immediate').to.be.below(1000);
      expect(refused.byKind.refused).to.equal(2);
      expect(refusedUdp.kind).to.equal('refused');
      const dropped = await Promise.all(
        (['tcp', 'udp'] as const).map((protocol) =>
          t().request({ from: 'client1', to: DROPPED, port: 80, protocol, timeoutMs: 400 }),
        ),
      );
      expect(dropped.map((r) => r.kind)).to.deep.equal(['timeout', 'timeout']);
    });

    it('hairpin: a pod reaches itself through the service IP when masqueraded', async function () {
      await restoreRules(
        t(),
        backend,
        4,
        ['*nat', dnatRule(SVC, t().pods.local1!.ip), MASQUERADE_DNATED, 'COMMIT', ''].join('\n'),
      );
      const result = await t().request({ from: 'local1', to: SVC, port: 80, protocol: 'tcp' });
      expect(result).to.include({ kind: 'reply', pod: 'local1', peerIp: t().node.podGateway });
    });
  });
}

suite('nft');
suite('legacy');

describeWithNetns('netns harness cleanup', function () {
  it('destroy() removes every namespace and process, and is idempotent', async function () {
    const topo = await createTopology({ localPods: 1, remotePods: 1, clientPods: 0 });
    try {
      expect(await namespacesStartingWith(`${topo.id}-`)).to.have.members([...topo.namespaces]);
      expect(await pidsMentioning(`${topo.id}-`)).to.have.length(2);
    } finally {
      await topo.destroy();
    }
    await topo.destroy();
    expect(await namespacesStartingWith(`${topo.id}-`)).to.deep.equal([]);
    expect(await pidsMentioning(`${topo.id}-`)).to.deep.equal([]);
    expect(() => topo.nsName('node')).to.throw(/destroyed/);
  });

  it('a failed createTopology leaves nothing behind', async function () {
    // Two listeners on one port: the pod-server cannot start, after every namespace exists.
    const failure = await createTopology({ localPods: 1, remotePods: 0, tcpPorts: [8080, 8080] }).then(
      (topo) => topo.destroy(),
      (err: unknown) => err,
    );
    expect(failure).to.be.instanceOf(TopologyError);
    const id = (failure as TopologyError).id;
    expect(await namespacesStartingWith(`${id}-`)).to.deep.equal([]);
    expect(await pidsMentioning(`${id}-`)).to.deep.equal([]);
  });
});
