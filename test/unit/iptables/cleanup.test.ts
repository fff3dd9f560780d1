import { expect } from 'chai';
import { planCleanup } from '../../../src/iptables/cleanup-plan.js';
import { parseSave } from '../../../src/iptables/parse.js';
import { renderRestoreInput } from '../../../src/iptables/restore-plan.js';
import { applyPlanToLive } from '../../../src/iptables/simulate.js';

const LIVE = `*mangle
:PREROUTING ACCEPT [0:0]
:KUBE-IPTABLES-HINT - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-PROXY-CANARY - [0:0]
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
:USER - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A INPUT -j USER
-A INPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL -d 127.0.0.0/8 -j DROP
-A KUBE-SERVICES -j REJECT --reject-with icmp-port-unreachable
-A USER -s 192.0.2.1/32 -j DROP
-A USER -m comment --comment "-j KUBE-SERVICES" -j ACCEPT
-A USER -j KUBE-SERVICES
COMMIT
*raw
:PREROUTING ACCEPT [0:0]
:KUBE-RAW - [0:0]
COMMIT
`;

describe('iptables/cleanup planCleanup', () => {
  it('removes KUBE-* chains and every jump to them, and nothing else', () => {
    const live = parseSave(LIVE, 'ipv4');
    const plan = planCleanup(live);
    expect(renderRestoreInput(plan)).to.equal(
      [
        '*filter',
        ':KUBE-FIREWALL - [0:0]',
        ':KUBE-SERVICES - [0:0]',
        '-D INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
        '-D INPUT -j KUBE-FIREWALL',
        '-D USER -j KUBE-SERVICES',
        '-X KUBE-FIREWALL',
        '-X KUBE-SERVICES',
        'COMMIT',
        '*mangle',
        '-X KUBE-PROXY-CANARY',
        'COMMIT',
        '',
      ].join('\n'),
    );
    const after = applyPlanToLive(live, plan);
    expect([...after.tables.get('filter')!.chains.keys()]).to.deep.equal([
      'INPUT',
      'FORWARD',
      'OUTPUT',
      'USER',
    ]);
    expect(after.tables.get('filter')!.chains.get('USER')!.rules).to.deep.equal([
      '-s 192.0.2.1/32 -j DROP',
      '-m comment --comment "-j KUBE-SERVICES" -j ACCEPT',
    ]);
    expect([...after.tables.get('mangle')!.chains.keys()]).to.deep.equal([
      'PREROUTING',
      'KUBE-IPTABLES-HINT',
      'KUBE-KUBELET-CANARY',
    ]);
    expect(after.tables.get('raw')).to.equal(live.tables.get('raw'));
    expect(planCleanup(after).empty).to.equal(true);
  });
});
