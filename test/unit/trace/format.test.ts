import { expect } from 'chai';

import { formatPercent, formatTrace } from '../../../src/trace/format.js';
import { tracePacket } from '../../../src/trace/trace.js';
import { IPV4_SAVE, NODE_IP } from './fixture-ipv4.js';
import { tablesFromSave } from './support.js';

const tables = tablesFromSave(IPV4_SAVE);
const host = { localAddresses: [NODE_IP] };

describe('trace: formatTrace', () => {
  it('lists every endpoint with its percentage and masquerade decision, then the rules chain by chain', () => {
    const text = formatTrace(
      tracePacket(
        tables,
        { src: '192.168.7.10', dst: '172.30.0.41', dport: 80, protocol: 'tcp', origin: 'remote' },
        host,
      ),
    );
    expect(text).to.contain('Packet: tcp 192.168.7.10 -> 172.30.0.41:80 (remote');
    expect(text).to.contain('3 outcomes:');
    for (const ip of ['10.180.0.1', '10.180.0.2', '10.180.0.3']) {
      expect(text).to.contain(`33.33%  DNAT to ${ip}:80, masquerade: yes`);
    }
    expect(text).to.contain('  path: nat PREROUTING -> filter FORWARD -> nat POSTROUTING');
    expect(text).to.contain(
      '  nat KUBE-SEP-A:\n      2  -p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.1:80',
    );
    expect(text.endsWith('\n')).to.equal(true);
  });

  it('says where a packet was rejected', () => {
    const text = formatTrace(
      tracePacket(
        tables,
        { src: '10.0.1.5', dst: '172.30.0.46', dport: 80, protocol: 'tcp', origin: 'remote' },
        host,
      ),
    );
    expect(text).to.contain('[1] 100.00%  REJECT in filter KUBE-SERVICES rule 1');
  });

  it('prints the error of a rule it could not evaluate', () => {
    const bad = tablesFromSave('*nat\n-A PREROUTING -m set --match-set x src -j ACCEPT\nCOMMIT');
    const text = formatTrace(
      tracePacket(
        bad,
        { src: '10.0.0.1', dst: '10.0.0.2', dport: 1, protocol: 'udp', origin: 'remote' },
        host,
      ),
    );
    expect(text).to.contain('unknown: cannot evaluate rule: unknown match module "set"');
  });

  it('formats percentages, keeping small shares visible', () => {
    expect(formatPercent(1)).to.equal('100.00%');
    expect(formatPercent(1 / 3)).to.equal('33.33%');
    expect(formatPercent(1 / 100001)).to.equal('0.0010%');
    expect(formatPercent(0)).to.equal('0.00%');
  });
});
