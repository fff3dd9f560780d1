import { expect } from 'chai';
import { describePlan, ruleDelta, summarizePlan } from '../../../src/iptables/describe.js';
import { planRestore } from '../../../src/iptables/diff.js';
import { parseSave } from '../../../src/iptables/parse.js';
import { ruleSet } from './rulesets.js';

describe('iptables/describe', () => {
  it('describes chains and hooks', () => {
    const live = parseSave(
      '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-OLD - [0:0]\n-A KUBE-SERVICES -j A\n-A KUBE-SERVICES -j B\n-A KUBE-SVC-OLD -j RETURN\nCOMMIT\n',
      'ipv4',
    );
    const desired = ruleSet('ipv4', {
      nat: {
        chains: { 'KUBE-SERVICES': ['-j A', '-j C'], 'KUBE-SVC-NEW': ['-j RETURN'] },
        hooks: [{ chain: 'PREROUTING', rule: '-j KUBE-SERVICES' }],
      },
    });
    const plan = planRestore(desired, live);
    expect(describePlan(plan)).to.deep.equal([
      'ipv4 nat: chain KUBE-SERVICES: +1 -1 rules',
      '  - -A KUBE-SERVICES -j B',
      '  + -A KUBE-SERVICES -j C',
      'ipv4 nat: new chain KUBE-SVC-NEW (1 rule)',
      '  + -A KUBE-SVC-NEW -j RETURN',
      'ipv4 nat: delete chain KUBE-SVC-OLD (1 rule)',
      '  - -A KUBE-SVC-OLD -j RETURN',
      'ipv4 nat: add hook -A PREROUTING -j KUBE-SERVICES',
    ]);
    expect(summarizePlan(plan)).to.equal(
      'ipv4: 2 chains written, 1 deleted, 1 hooks added, 0 removed, 10 lines',
    );
  });

  it('describes a long chain edited in place', () => {
    const rules = Array.from({ length: 40 }, (_, i) => `-j R${i}`);
    const text = [
      '*nat',
      ':KUBE-SERVICES - [0:0]',
      ...rules.map((r) => `-A KUBE-SERVICES ${r}`),
      'COMMIT',
      '',
    ];
    const live = parseSave(text.join('\n'), 'ipv4');
    const edited = [...rules.slice(0, 5), '-j NEW', ...rules.slice(5, 39)];
    const plan = planRestore(
      ruleSet('ipv4', { nat: { chains: { 'KUBE-SERVICES': edited }, hooks: [] } }),
      live,
    );
    expect(describePlan(plan)).to.deep.equal([
      'ipv4 nat: chain KUBE-SERVICES: +1 -1 rules (edited in place)',
      '  - -A KUBE-SERVICES -j R39',
      '  + -A KUBE-SERVICES -j NEW',
    ]);
    expect(plan.tables[0]?.lines).to.deep.equal([
      '*nat',
      '-D KUBE-SERVICES 40',
      '-I KUBE-SERVICES 6 -j NEW',
      'COMMIT',
    ]);
  });

  it('counts duplicates in rule deltas', () => {
    expect(ruleDelta(['a', 'a', 'b'], ['a', 'b', 'b'])).to.deep.equal({ added: ['b'], removed: ['a'] });
  });
});
