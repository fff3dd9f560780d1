import { expect } from 'chai';
import fc from 'fast-check';
import { planRestore } from '../../../src/iptables/diff.js';
import { applyEditScript, editScript } from '../../../src/iptables/edit-script.js';
import { emptyLiveRuleSet } from '../../../src/iptables/live.js';
import { applyPlanToLive } from '../../../src/iptables/simulate.js';
import type { RuleSet } from '../../../src/model/ruleset.js';

/** Length of the longest common subsequence: the fewest edits are n + m - 2 * lcs. */
function lcs(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 30 });

describe('iptables/edit-script', () => {
  it('finds the fewest edits, and applying them gives the new list', () => {
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        const script = editScript(before, after, 100);
        expect(script).to.not.equal(undefined);
        expect(applyEditScript(before, after, script!)).to.deep.equal(after);
        expect(script!.deleted.length + script!.inserted.length).to.equal(
          before.length + after.length - 2 * lcs(before, after),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('gives up beyond the edit limit', () => {
    fc.assert(
      fc.property(lines, lines, fc.nat(10), (before, after, limit) => {
        const needed = before.length + after.length - 2 * lcs(before, after);
        const script = editScript(before, after, limit);
        if (needed <= limit) expect(script).to.not.equal(undefined);
        else expect(script).to.equal(undefined);
      }),
      { numRuns: 300 },
    );
  });
});

function natRuleSet(services: readonly string[]): RuleSet {
  const chains = new Map<string, readonly string[]>([['KUBE-SERVICES', services]]);
  return {
    family: 'ipv4',
    tables: {
      filter: { chains: new Map(), hooks: [] },
      nat: { chains, hooks: [{ chain: 'PREROUTING', rule: '-j KUBE-SERVICES' }] },
      mangle: { chains: new Map(), hooks: [] },
    },
  };
}

describe('planRestore: rule-level edits of long chains', () => {
  const rule = (i: number): string => `-d 10.96.${i >> 8}.${i & 255}/32 -p tcp -m tcp --dport 80 -j RETURN`;

  it('edits a long chain in place when few rules differ, and the kernel ends up with the new chain', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 32, max: 200 }),
        fc.array(fc.record({ at: fc.nat(), insert: fc.boolean() }), { maxLength: 12 }),
        (size, edits) => {
          const before = Array.from({ length: size }, (_, i) => rule(i));
          const after = [...before];
          let next = 1000;
          for (const e of edits) {
            if (e.insert) after.splice(e.at % (after.length + 1), 0, rule(next++));
            else if (after.length > 0) after.splice(e.at % after.length, 1);
          }
          const live = applyPlanToLive(
            emptyLiveRuleSet('ipv4'),
            planRestore(natRuleSet(before), emptyLiveRuleSet('ipv4')),
          );
          const plan = planRestore(natRuleSet(after), live);
          const kernel = applyPlanToLive(live, plan);
          expect(kernel.tables.get('nat')?.chains.get('KUBE-SERVICES')?.rules).to.deep.equal(after);
          const change = plan.changes.find((c) => c.chain === 'KUBE-SERVICES');
          // Within the planner's budget (a quarter of the new chain's rules), it must edit in place.
          if (edits.length <= Math.floor(after.length / 4)) {
            expect(change === undefined || change.kind === 'edited', change?.kind).to.equal(true);
            expect(plan.lineCount).to.be.at.most(2 + edits.length);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rewrites a short chain, or one where most rules changed', () => {
    const before = Array.from({ length: 40 }, (_, i) => rule(i));
    const live = applyPlanToLive(
      emptyLiveRuleSet('ipv4'),
      planRestore(natRuleSet(before), emptyLiveRuleSet('ipv4')),
    );
    const most = planRestore(natRuleSet(before.map((_, i) => rule(i + 500))), live);
    expect(most.changes.map((c) => c.kind)).to.deep.equal(['rewritten']);
    const shortBefore = before.slice(0, 10);
    const shortLive = applyPlanToLive(
      emptyLiveRuleSet('ipv4'),
      planRestore(natRuleSet(shortBefore), emptyLiveRuleSet('ipv4')),
    );
    const short = planRestore(natRuleSet([...shortBefore, rule(999)]), shortLive);
    expect(short.changes.map((c) => c.kind)).to.deep.equal(['rewritten']);
  });
});
