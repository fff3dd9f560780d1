import type winston from 'winston';
import type { Applier } from '../iptables/applier.js';
import { describePlan, summarizePlan } from '../iptables/describe.js';
import { planRestore } from '../iptables/diff.js';
import { emptyLiveRuleSet, type LiveRuleSet } from '../iptables/live.js';
import type { RestorePlan } from '../iptables/restore-plan.js';
import { applyPlanToLive } from '../iptables/simulate.js';
import type { IpFamily } from '../model/family.js';
import type { RuleSet } from '../model/ruleset.js';

/** Where a sync's rules go: the kernel (through the Applier), or stdout in dry-run mode. */
export interface RuleTarget {
  readonly dryRun: boolean;
  /** Brings the rules to `ruleSets` (or reports what that would take); returns the plan per family. */
  write(
    ruleSets: readonly RuleSet[],
    opts: { readonly full: boolean; readonly syncId: number },
  ): Promise<RestorePlan[]>;
}

export class ApplyTarget implements RuleTarget {
  readonly dryRun = false;
  constructor(private readonly applier: Applier) {}

  async write(ruleSets: readonly RuleSet[], opts: { readonly full: boolean }): Promise<RestorePlan[]> {
    const result = await this.applier.apply(ruleSets, { full: opts.full });
    return result.families.map((f) => f.plan);
  }
}

/**
 * Dry run: prints each sync's per-chain changes and applies nothing. The diff is against the live
 * ruleset when iptables-save can read it (so the output is exactly what `run` would write now);
 * when it cannot (no root, no binary), against the state the previous dry-run syncs would have
 * left, starting from an empty ruleset, so each sync prints what changed since the last one.
 */
export class DryRunTarget implements RuleTarget {
  readonly dryRun = true;
  private readonly simulated = new Map<IpFamily, LiveRuleSet>();
  private liveReadable = true;

  constructor(
    private readonly applier: Applier,
    private readonly print: (text: string) => void,
    private readonly log: winston.Logger,
  ) {}

  async write(
    ruleSets: readonly RuleSet[],
    opts: { readonly full: boolean; readonly syncId: number },
  ): Promise<RestorePlan[]> {
    const plans: RestorePlan[] = [];
    for (const rs of ruleSets) {
      const base = (await this.readLive(rs)) ?? this.simulated.get(rs.family) ?? emptyLiveRuleSet(rs.family);
      const plan = planRestore(rs, base);
      this.simulated.set(rs.family, applyPlanToLive(base, plan));
      plans.push(plan);
    }
    const lines = [`# sync ${opts.syncId} (${opts.full ? 'full' : 'partial'}, dry run)`];
    for (const plan of plans) lines.push(summarizePlan(plan), ...describePlan(plan));
    this.print(lines.join('\n') + '\n');
    return plans;
  }

  private async readLive(expected: RuleSet): Promise<LiveRuleSet | undefined> {
    if (!this.liveReadable) return undefined;
    try {
      return await this.applier.readLive(expected.family, expected);
    } catch (err) {
      this.liveReadable = false;
      this.log.warn('cannot read the live ruleset; dry-run diffs are against the previous dry-run state', {
        error: err instanceof Error ? err.message : String(err),
      });
      return undefined;
    }
  }
}
