import { expect } from 'chai';
import { planRestore } from '../../../src/iptables/diff.js';
import { emptyLiveRuleSet } from '../../../src/iptables/live.js';
import { parseSave } from '../../../src/iptables/parse.js';
import { renderRestoreInput } from '../../../src/iptables/restore-plan.js';
import { serializeRuleSet } from '../../../src/iptables/serialize.js';
import { stageRestore } from '../../../src/iptables/stage.js';
import { syntheticRuleSet } from '../../support/synthetic-ruleset.js';

const ruleSet = syntheticRuleSet;

const body = (input: string): string[] =>
  input.split('\n').filter((l) => l !== '' && !l.startsWith('*') && l !== 'COMMIT');

describe('iptables/stage', () => {
  it('creates and fills new chains ahead, and leaves everything traffic can see to the final step', () => {
    const desired = ruleSet(300, () => 3);
    const plan = planRestore(desired, emptyLiveRuleSet('ipv4'));
    const staged = stageRestore(plan);
    const final = body([...staged.final].join(''));
    // The hook, which makes the new chains reachable, only in the final transaction.
    expect(final).to.deep.equal(['-I PREROUTING 1 -j KUBE-SERVICES']);
    const stagedLines = [...staged.stages].flatMap(body);
    expect(new Set([...stagedLines, ...final])).to.deep.equal(new Set(body(renderRestoreInput(plan))));
    // Every chain is declared before any rule of any stage can jump to it.
    const firstRule = stagedLines.findIndex((l) => l.startsWith('-A'));
    expect(stagedLines.slice(firstRule).some((l) => l.startsWith(':'))).to.equal(false);
    for (const input of staged.stages) expect(body(input).length).to.be.at.most(4_000 + 3);
  });

  it('never splits one chain across two staging transactions', () => {
    const plan = planRestore(
      ruleSet(40, (i) => (i === 7 ? 3_000 : 200)),
      emptyLiveRuleSet('ipv4'),
    );
    const seen = new Map<string, number>();
    [...stageRestore(plan).stages].forEach((input, i) => {
      for (const line of body(input).filter((l) => l.startsWith('-A'))) {
        const chain = line.split(' ')[1]!;
        expect(seen.get(chain) ?? i, chain).to.equal(i);
        seen.set(chain, i);
      }
    });
  });

  it('keeps rewrites of existing chains and deletions in the final transaction', () => {
    const before = ruleSet(50, () => 2);
    const live = parseSave(serializeRuleSet(before), 'ipv4');
    const after = ruleSet(60, (i) => (i < 50 ? 3 : 2));
    const staged = stageRestore(planRestore(after, live));
    const final = body([...staged.final].join(''));
    // KUBE-SERVICES gains ten jumps at its end: edited in place (no flush), in the final transaction.
    expect(final.filter((l) => l.startsWith('-A KUBE-SERVICES '))).to.have.length(10);
    expect(final).to.not.include(':KUBE-SERVICES - [0:0]');
    expect(final.filter((l) => l.startsWith(':KUBE-SVC-'))).to.have.length(50);
    for (const line of [...staged.stages].flatMap(body)) {
      const chain = line.startsWith(':') ? line.slice(1).split(' ')[0]! : line.split(' ')[1]!;
      expect(live.tables.get('nat')?.chains.has(chain), `${chain} is new`).to.equal(false);
    }
  });
});
