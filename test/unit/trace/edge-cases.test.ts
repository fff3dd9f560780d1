import { expect } from 'chai';

import type { RuleSet } from '../../../src/model/ruleset.js';
import { traceTablesFromRuleSet } from '../../../src/trace/tables.js';
import { tracePacket } from '../../../src/trace/trace.js';
import { TraceInputError, type TracePacket } from '../../../src/trace/types.js';
import { deliveries, single, tablesFromSave } from './support.js';

const host = { localAddresses: ['192.168.1.2', 'fd00:1::2'] };

function remote(src: string, dst: string, dport: number): TracePacket {
  return { src, dst, dport, protocol: 'tcp', origin: 'remote' };
}

const IPV6_SAVE = String.raw`
*nat
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -d fd00:30::41/128 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-X
-A KUBE-SERVICES ! -d ::1/128 -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-X ! -s fd00:10::/64 -d fd00:30::41/128 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-X -m comment --comment "ns1/svc1:p80 -> [fd00:180::1]:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-Y --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -j KUBE-SEP-Y
-A KUBE-SVC-X -m comment --comment "ns1/svc1:p80 -> [fd00:180::1]:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-Y
-A KUBE-SVC-X -m comment --comment "ns1/svc1:p80 -> [fd00:180::2]:80" -j KUBE-SEP-Z
-A KUBE-SEP-Y -s fd00:180::1/128 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-Y -p tcp -m comment --comment "ns1/svc1:p80" -m recent --set --name KUBE-SEP-Y --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -m tcp -j DNAT --to-destination [fd00:180::1]:80
-A KUBE-SEP-Z -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination [fd00:180::2]:80
COMMIT
`;

describe('trace: edge cases', () => {
  describe('IPv6', () => {
    const tables = tablesFromSave(IPV6_SAVE);

    it('spreads a ClusterIP over bracketed endpoints and masquerades off-cluster sources', () => {
      const pod = tracePacket(tables, remote('fd00:10::5', 'fd00:30::41', 80), host);
      expect(Object.fromEntries(deliveries(pod))).to.deep.equal({
        '[fd00:180::1]:80': 0.5,
        '[fd00:180::2]:80': 0.5,
      });
      expect(pod.outcomes.every((o) => !o.masqueraded)).to.equal(true);
      const outside = tracePacket(tables, remote('2001:db8::7', 'fd00:30::41', 80), host);
      expect(outside.outcomes.every((o) => o.masqueraded)).to.equal(true);
    });

    it('honours an affinity entry written in another spelling of the address', () => {
      const affinity = new Map([['KUBE-SEP-Y', ['fd00:10:0:0::5']]]);
      const outcome = single(
        tracePacket(tables, { ...remote('fd00:10::5', 'fd00:30::41', 80), affinity }, host),
      );
      expect(outcome).to.include({ endpoint: '[fd00:180::1]:80', affinitySet: 'KUBE-SEP-Y' });
    });

    it('rejects a packet mixing families', () => {
      expect(() => tracePacket(tables, remote('10.0.0.1', 'fd00:30::41', 80), host)).to.throw(
        TraceInputError,
      );
    });
  });

  it('reports a jump loop as an ERROR outcome instead of recursing', () => {
    const tables = tablesFromSave(
      '*nat\n-A PREROUTING -j KUBE-A\n-A KUBE-A -j KUBE-B\n-A KUBE-B -p tcp -j KUBE-A\nCOMMIT',
    );
    const outcome = single(tracePacket(tables, remote('10.0.0.1', '10.0.0.2', 80), host));
    expect(outcome.verdict).to.equal('ERROR');
    expect(outcome.error).to.match(
      /^cannot evaluate rule: jump loop PREROUTING -> KUBE-A -> KUBE-B -> KUBE-A/,
    );
  });

  it('stops at a depth limit for very deep (loop-free) chains', () => {
    const lines = Array.from({ length: 80 }, (_, i) => `-A C${i} -j C${i + 1}`);
    const tables = tablesFromSave(`*nat\n-A PREROUTING -j C0\n${lines.join('\n')}\nCOMMIT`);
    expect(single(tracePacket(tables, remote('10.0.0.1', '10.0.0.2', 80), host)).error).to.match(
      /depth limit/,
    );
  });

  it('reports an unknown match module when the rest of the rule matches', () => {
    const save = '*nat\n-A PREROUTING -d 10.0.0.2/32 -m set --match-set allow src -j DROP\nCOMMIT';
    const outcome = single(tracePacket(tablesFromSave(save), remote('10.0.0.1', '10.0.0.2', 80), host));
    expect(outcome.verdict).to.equal('ERROR');
    expect(outcome.error).to.match(
      /^cannot evaluate rule: unknown match module "set" \[nat PREROUTING rule 1: /,
    );
  });

  it('skips a rule with an unknown match when a known match already fails', () => {
    const save = '*nat\n-A PREROUTING -d 10.9.9.9/32 -m set --match-set allow src -j DROP\nCOMMIT';
    expect(
      single(tracePacket(tablesFromSave(save), remote('10.0.0.1', '10.0.0.2', 80), host)).verdict,
    ).to.equal('ACCEPT');
  });

  it('reports a jump to a chain that does not exist', () => {
    const outcome = single(
      tracePacket(
        tablesFromSave('*nat\n-A PREROUTING -j KUBE-GONE\nCOMMIT'),
        remote('10.0.0.1', '10.0.0.2', 80),
        host,
      ),
    );
    expect(outcome.error).to.match(/no chain or target named KUBE-GONE/);
  });

  it('applies a saved DROP policy of a built-in chain', () => {
    const tables = tablesFromSave('*filter\n:FORWARD DROP [0:0]\n-A FORWARD -s 10.0.0.0/8 -j ACCEPT\nCOMMIT');
    expect(single(tracePacket(tables, remote('10.0.0.1', '172.16.0.2', 80), host)).verdict).to.equal(
      'ACCEPT',
    );
    const dropped = single(tracePacket(tables, remote('172.16.0.1', '172.16.0.2', 80), host));
    expect(dropped).to.include({ verdict: 'DROP', droppedByPolicy: 'filter FORWARD' });
  });

  it('matches -i patterns against the input interface, never for local origin', () => {
    const tables = tablesFromSave(
      '*nat\n-A PREROUTING -i veth+ -j DROP\n-A OUTPUT ! -i cbr0 -j DROP\nCOMMIT',
    );
    const veth = { ...remote('10.0.0.1', '10.0.0.2', 80), inInterface: 'veth1234' };
    expect(single(tracePacket(tables, veth, host)).verdict).to.equal('DROP');
    expect(single(tracePacket(tables, { ...veth, inInterface: 'eth0' }, host)).verdict).to.equal('ACCEPT');
    const local: TracePacket = { ...remote('192.168.1.2', '10.0.0.2', 80), origin: 'local' };
    expect(single(tracePacket(tables, local, host)).verdict).to.equal('DROP');
  });

  it('builds tables from a rendered RuleSet, hooks as built-in chain content', () => {
    const ruleSet: RuleSet = {
      family: 'ipv4',
      tables: {
        nat: {
          chains: new Map([
            ['KUBE-SERVICES', ['-d 172.30.0.41/32 -p tcp -m tcp --dport 80 -j KUBE-SEP-A']],
            ['KUBE-SEP-A', ['-p tcp -m tcp -j DNAT --to-destination 10.180.0.1:8080']],
          ]),
          hooks: [
            {
              chain: 'PREROUTING',
              rule: '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
            },
          ],
        },
        filter: { chains: new Map(), hooks: [] },
        mangle: { chains: new Map(), hooks: [] },
      },
    };
    const outcome = single(
      tracePacket(traceTablesFromRuleSet(ruleSet), remote('10.0.0.1', '172.30.0.41', 80), host),
    );
    expect(outcome).to.include({ verdict: 'DNAT', endpoint: '10.180.0.1:8080' });
    expect(outcome.steps.map((s) => `${s.table} ${s.chain}`)).to.deep.equal([
      'nat PREROUTING',
      'nat KUBE-SERVICES',
      'nat KUBE-SEP-A',
    ]);
  });
});
