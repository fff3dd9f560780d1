import { expect } from 'chai';
import { parseSave } from '../../../src/iptables/parse.js';
import { serializeRuleSet } from '../../../src/iptables/serialize.js';
import { ruleSet, sampleRuleSet } from './rulesets.js';

describe('iptables/serialize', () => {
  it('prints what iptables-save prints for a node holding only these rules', () => {
    const rs = ruleSet('ipv4', {
      nat: {
        chains: { 'KUBE-MARK-MASQ': ['-j MARK --set-xmark 0x4000/0x4000'], 'KUBE-SERVICES': [] },
        hooks: [
          { chain: 'OUTPUT', rule: '-j KUBE-SERVICES' },
          { chain: 'PREROUTING', rule: '-j KUBE-SERVICES' },
        ],
      },
    });
    expect(serializeRuleSet(rs)).to.equal(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':INPUT ACCEPT [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        ':POSTROUTING ACCEPT [0:0]',
        ':KUBE-MARK-MASQ - [0:0]',
        ':KUBE-SERVICES - [0:0]',
        '-A PREROUTING -j KUBE-SERVICES',
        '-A OUTPUT -j KUBE-SERVICES',
        '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('orders tables filter, nat, mangle and skips empty ones', () => {
    const text = serializeRuleSet(sampleRuleSet());
    expect(text.split('\n').filter((l) => l.startsWith('*'))).to.deep.equal(['*filter', '*nat']);
    expect(serializeRuleSet(ruleSet('ipv6', {}))).to.equal('');
  });

  it('round-trips through parse', () => {
    const rs = sampleRuleSet();
    const live = parseSave(serializeRuleSet(rs), 'ipv4');
    const nat = live.tables.get('nat')!;
    for (const [chain, rules] of rs.tables.nat.chains)
      expect(nat.chains.get(chain)!.rules).to.deep.equal(rules);
    expect(nat.chains.get('OUTPUT')!.rules).to.deep.equal(
      rs.tables.nat.hooks.filter((h) => h.chain === 'OUTPUT').map((h) => h.rule),
    );
  });
});
