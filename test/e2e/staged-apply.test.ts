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

/**
 * A cold start big enough to be staged (more than STAGE_THRESHOLD_LINES lines) lands exactly the
 * desired rules on both backends; on nft it is sent as several transactions, on legacy as one.
 */

function bigRuleSet(services: number): RuleSet {
  const nat = new Map<string, string[]>();
  const kubeServices: string[] = [];
  for (let i = 0; i < services; i++) {
    const svc = `KUBE-SVC-${String(i).padStart(16, 'A')}`;
    kubeServices.push(`-d 10.96.${i >> 8}.${i & 255}/32 -p tcp -m tcp --dport 80 -j ${svc}`);
    const jumps: string[] = [];
    for (let e = 0; e < 4; e++) {
      const sep = `KUBE-SEP-${String(i * 10 + e).padStart(16, 'B')}`;
      jumps.push(`-j ${sep}`);
      nat.set(sep, [`-p tcp -m tcp -j DNAT --to-destination 10.244.${e}.${i & 255}:8080`]);
    }
    nat.set(svc, jumps);
  }
  nat.set('KUBE-SERVICES', kubeServices);
  const empty = { chains: new Map<string, string[]>(), hooks: [] };
  return {
    family: 'ipv4',
    tables: {
      filter: empty,
      nat: {
        chains: nat,
        hooks: [
          { chain: 'PREROUTING', rule: '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES' },
        ],
      },
      mangle: empty,
    },
  };
}

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
