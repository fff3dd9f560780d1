import { expect } from 'chai';

import { tracePacket } from '../../../src/trace/trace.js';
import type { TracePacket } from '../../../src/trace/types.js';
import { IPV4_SAVE, NODE_IP } from './fixture-ipv4.js';
import { deliveries, single, tablesFromSave, totalProbability } from './support.js';

const tables = tablesFromSave(IPV4_SAVE);
const host = { localAddresses: [NODE_IP] };
const POD = '10.0.1.5';
const OUTSIDE = '192.168.7.10';

function trace(
  packet: Partial<TracePacket> & Pick<TracePacket, 'src' | 'dst' | 'dport'>,
): ReturnType<typeof tracePacket> {
  return tracePacket(tables, { protocol: 'tcp', origin: 'remote', ...packet }, host);
}

describe('trace: service flows (IPv4)', () => {
  describe('ClusterIP', () => {
    it('spreads over three endpoints, about 1/3 each, unmasqueraded for a pod', () => {
      const result = trace({ src: POD, dst: '172.30.0.41', dport: 80, inInterface: 'cbr0' });
      const spread = deliveries(result);
      expect([...spread.keys()].sort()).to.deep.equal(['10.180.0.1:80', '10.180.0.2:80', '10.180.0.3:80']);
      for (const p of spread.values()) expect(p).to.be.closeTo(1 / 3, 1e-6);
      expect(totalProbability(result)).to.be.closeTo(1, 1e-12);
      for (const o of result.outcomes) {
        expect(o.verdict).to.equal('DNAT');
        expect(o.masqueraded).to.equal(false);
        expect(o.hooks).to.deep.equal(['nat PREROUTING', 'filter FORWARD', 'nat POSTROUTING']);
      }
    });

    it('masquerades an off-cluster source', () => {
      const result = trace({ src: OUTSIDE, dst: '172.30.0.41', dport: 80 });
      expect(result.outcomes).to.have.length(3);
      expect(result.outcomes.every((o) => o.verdict === 'DNAT' && o.masqueraded)).to.equal(true);
    });

    it('masquerades hairpin traffic (an endpoint reaching itself) only', () => {
      const result = trace({ src: '10.180.0.1', dst: '172.30.0.41', dport: 80 });
      const masq = new Map(result.outcomes.map((o) => [o.endpoint, o.masqueraded]));
      expect(Object.fromEntries(masq)).to.deep.equal({
        '10.180.0.1:80': true,
        '10.180.0.2:80': false,
        '10.180.0.3:80': false,
      });
    });

    it('does not match another port or protocol', () => {
      const result = trace({ src: POD, dst: '172.30.0.41', dport: 81 });
      expect(single(result)).to.include({
        verdict: 'ACCEPT',
        endpoint: '172.30.0.41:81',
        masqueraded: false,
      });
      expect(single(trace({ src: POD, dst: '172.30.0.41', dport: 80, protocol: 'udp' })).verdict).to.equal(
        'ACCEPT',
      );
    });

    it('sends node traffic through nat OUTPUT', () => {
      const result = tracePacket(
        tables,
        { src: NODE_IP, dst: '172.30.0.41', dport: 80, protocol: 'tcp', origin: 'local' },
        host,
      );
      expect(result.outcomes).to.have.length(3);
      expect(result.outcomes[0]!.hooks).to.deep.equal(['nat OUTPUT', 'filter OUTPUT', 'nat POSTROUTING']);
      expect(result.outcomes.every((o) => o.masqueraded)).to.equal(true);
    });
  });

  describe('NodePort', () => {
    it('reaches an eTP=Cluster NodePort through addrtype LOCAL, masqueraded', () => {
      const outcome = single(trace({ src: OUTSIDE, dst: NODE_IP, dport: 3003, inInterface: 'eth0' }));
      expect(outcome).to.include({ verdict: 'DNAT', endpoint: '10.180.0.6:80', masqueraded: true });
      expect(outcome.steps.map((s) => s.chain)).to.include.members([
        'KUBE-NODEPORTS',
        'KUBE-EXT-SVC3',
        'KUBE-SEP-H',
      ]);
    });

    it('does not treat a non-local destination as a NodePort', () => {
      expect(single(trace({ src: OUTSIDE, dst: '192.168.1.99', dport: 3003 })).verdict).to.equal('ACCEPT');
    });

    it('reaches a localhost NodePort from the node; the localnet guard lets DNATed traffic pass', () => {
      const local = tracePacket(
        tables,
        { src: '127.0.0.1', dst: '127.0.0.1', dport: 3003, protocol: 'tcp', origin: 'local' },
        host,
      );
      expect(single(local)).to.include({ verdict: 'DNAT', endpoint: '10.180.0.6:80', masqueraded: true });
      const remote = trace({ src: OUTSIDE, dst: '127.0.0.1', dport: 3003 });
      expect(single(remote)).to.include({ verdict: 'DNAT', endpoint: '10.180.0.6:80' });
    });

    it('drops un-DNATed remote traffic to 127.0.0.0/8 in KUBE-FIREWALL (ctstate is not DNAT)', () => {
      const outcome = single(trace({ src: OUTSIDE, dst: '127.0.0.1', dport: 9999 }));
      expect(outcome.verdict).to.equal('DROP');
      expect(outcome.steps.at(-1)).to.include({ table: 'filter', chain: 'KUBE-FIREWALL', ruleIndex: 0 });
    });
  });

  describe('externalTrafficPolicy=Local', () => {
    it('sends external clients only to the local endpoint, unmasqueraded', () => {
      const outcome = single(trace({ src: OUTSIDE, dst: NODE_IP, dport: 3001, inInterface: 'eth0' }));
      expect(outcome).to.include({ verdict: 'DNAT', endpoint: '10.180.1.5:80', masqueraded: false });
      expect(outcome.steps.map((s) => s.chain)).to.include('KUBE-SVL-SVC2');
    });

    it('short-circuits pods to the cluster-wide SVC chain, unmasqueraded', () => {
      const result = trace({ src: POD, dst: NODE_IP, dport: 3001 });
      const spread = deliveries(result);
      expect(spread.get('10.180.0.4:80')).to.be.closeTo(0.5, 1e-9);
      expect(spread.get('10.180.1.5:80')).to.be.closeTo(0.5, 1e-9);
      expect(result.outcomes.every((o) => !o.masqueraded)).to.equal(true);
    });

    it('short-circuits the node itself to the SVC chain, masqueraded', () => {
      const result = tracePacket(
        tables,
        { src: NODE_IP, dst: NODE_IP, dport: 3001, protocol: 'tcp', origin: 'local' },
        host,
      );
      expect(result.outcomes).to.have.length(2);
      expect(result.outcomes.every((o) => o.verdict === 'DNAT' && o.masqueraded)).to.equal(true);
    });

    it('drops external traffic without local endpoints in filter KUBE-EXTERNAL-SERVICES', () => {
      const outcome = single(trace({ src: OUTSIDE, dst: NODE_IP, dport: 3002 }));
      expect(outcome.verdict).to.equal('DROP');
      expect(outcome.hooks).to.deep.equal(['nat PREROUTING', 'filter INPUT']);
      expect(outcome.steps.at(-1)).to.include({
        table: 'filter',
        chain: 'KUBE-EXTERNAL-SERVICES',
        ruleIndex: 0,
      });
    });

    it('still lets pods reach the remote endpoint of a service without local endpoints', () => {
      expect(single(trace({ src: POD, dst: NODE_IP, dport: 3002 }))).to.include({
        verdict: 'DNAT',
        endpoint: '10.180.0.9:80',
        masqueraded: false,
      });
    });
  });

  describe('no endpoints', () => {
    it('rejects a ClusterIP in filter KUBE-SERVICES, forwarded or local', () => {
      const forwarded = single(trace({ src: POD, dst: '172.30.0.46', dport: 80 }));
      expect(forwarded.verdict).to.equal('REJECT');
      expect(forwarded.steps.at(-1)).to.include({ table: 'filter', chain: 'KUBE-SERVICES', ruleIndex: 0 });
      const local = tracePacket(
        tables,
        { src: NODE_IP, dst: '172.30.0.46', dport: 80, protocol: 'tcp', origin: 'local' },
        host,
      );
      expect(single(local).verdict).to.equal('REJECT');
    });

    it('rejects a NodePort in filter KUBE-EXTERNAL-SERVICES', () => {
      const outcome = single(trace({ src: OUTSIDE, dst: NODE_IP, dport: 3006 }));
      expect(outcome.verdict).to.equal('REJECT');
      expect(outcome.steps.at(-1)).to.include({ chain: 'KUBE-EXTERNAL-SERVICES', ruleIndex: 1 });
    });
  });

  describe('LoadBalancer with source ranges', () => {
    it('lets an allowed source through the FW chain to the endpoints, masqueraded', () => {
      const result = trace({ src: '203.0.113.10', dst: '5.6.7.8', dport: 80 });
      expect([...deliveries(result).keys()].sort()).to.deep.equal(['10.180.0.7:80', '10.180.0.8:80']);
      expect(result.outcomes.every((o) => o.masqueraded)).to.equal(true);
    });

    it('drops a source outside the ranges in filter KUBE-PROXY-FIREWALL after falling through FW', () => {
      const outcome = single(trace({ src: '203.0.113.200', dst: '5.6.7.8', dport: 80 }));
      expect(outcome.verdict).to.equal('DROP');
      expect(outcome.steps.map((s) => `${s.table} ${s.chain} ${s.ruleIndex}`)).to.include(
        'nat KUBE-FW-SVC5 1',
      );
      expect(outcome.steps.at(-1)).to.include({
        table: 'filter',
        chain: 'KUBE-PROXY-FIREWALL',
        ruleIndex: 0,
      });
    });
  });

  describe('ClientIP affinity', () => {
    const lb = { src: '203.0.113.10', dst: '5.6.7.8', dport: 80 };

    it('without a recorded entry splits over the endpoints and records the choice', () => {
      const result = trace({ ...lb, affinity: 'none' });
      expect(result.outcomes.map((o) => [o.endpoint, o.affinitySet])).to.deep.equal([
        ['10.180.0.7:80', 'KUBE-SEP-E'],
        ['10.180.0.8:80', 'KUBE-SEP-F'],
      ]);
      for (const o of result.outcomes) expect(o.probability).to.be.closeTo(0.5, 1e-9);
    });

    it('with a recorded entry for this client sticks to that endpoint', () => {
      const affinity = new Map([['KUBE-SEP-F', ['203.0.113.10']]]);
      const outcome = single(trace({ ...lb, affinity }));
      expect(outcome).to.include({ verdict: 'DNAT', endpoint: '10.180.0.8:80', affinitySet: 'KUBE-SEP-F' });
      expect(outcome.steps.some((s) => s.chain === 'KUBE-SVC-SVC5' && s.ruleIndex === 1)).to.equal(true);
    });

    it('ignores entries of other clients', () => {
      const affinity = new Map([['KUBE-SEP-F', ['203.0.113.11']]]);
      expect(trace({ ...lb, affinity }).outcomes).to.have.length(2);
    });
  });
});
