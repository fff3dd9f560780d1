import { expect } from 'chai';
import { ruleTarget, splitRuleArgs } from '../../../src/iptables/rule-text.js';

describe('iptables/rule-text', () => {
  it('splits like iptables-restore, honouring quotes and escaped quotes', () => {
    expect(splitRuleArgs('-m comment --comment "a \\"b\\" -j X" -j KUBE-SVC-1')).to.deep.equal([
      '-m',
      'comment',
      '--comment',
      'a "b" -j X',
      '-j',
      'KUBE-SVC-1',
    ]);
  });

  it('finds the jump or goto target, ignoring comment text', () => {
    expect(ruleTarget('-m comment --comment "-j KUBE-SERVICES" -j ACCEPT')).to.equal('ACCEPT');
    expect(ruleTarget('-i eth0 -g KUBE-X')).to.equal('KUBE-X');
    expect(ruleTarget('-m comment --comment "no target"')).to.equal(undefined);
  });
});
