import { expect } from 'chai';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { Applier } from '../../src/iptables/applier.js';
import { planRestore } from '../../src/iptables/diff.js';
import { parseSave } from '../../src/iptables/parse.js';
import { createRunner, type Runner } from '../../src/iptables/runner.js';
import { STAGE_THRESHOLD_LINES } from '../../src/iptables/stage.js';
import type { RuleSet } from '../../src/model/ruleset.js';
import { describeWithNetns } from '../support/netns/index.js';
import { syntheticRuleSet } from '../support/synthetic-ruleset.js';

/**
 * A cold start big enough to be staged (more than STAGE_THRESHOLD_LINES lines) lands exactly the
 * desired rules on both backends; on nft it is sent as several transactions, on legacy as one.
 */

const bigRuleSet = (services: number): RuleSet =>
  syntheticRuleSet(services, () => 4, '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES');

function counting(runner: Runner): { runner: Runner; restores: () => number } {
  let calls = 0;
  return {
    runner: { ...runner, restore: (...args) => ((calls += 1), runner.restore(...args)) },
    restores: () => calls,
  };
}

describeWithNetns('e2e: staged cold start', function () {
  this.timeout(60_000);
  for (const backend of ['nft', 'legacy'] as const) {
    it(`applies a large ruleset exactly, ${backend}`, async () => {
      const ns = `kpt-stg-${randomBytes(2).toString('hex')}`;
      await execa('ip', ['netns', 'add', ns]);
      try {
        const desired = bigRuleSet(2_500);
        const { runner, restores } = counting(createRunner({ backend, netns: ns }));
        const result = await new Applier(runner).apply([desired], { full: true });
        expect(result.families[0]!.plan.lineCount).to.be.above(STAGE_THRESHOLD_LINES);
        if (backend === 'nft') expect(restores()).to.be.above(1);
        else expect(restores()).to.equal(1);
        const live = parseSave(await runner.save('ipv4'), 'ipv4');
        expect(planRestore(desired, live).empty).to.equal(true);
      } finally {
        await execa('ip', ['netns', 'del', ns], { reject: false });
      }
    });
  }
});
