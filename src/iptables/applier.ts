import { SaveError } from '../errors.js';
import type { IpFamily } from '../model/family.js';
import type { RuleSet } from '../model/ruleset.js';
import { planCleanup } from './cleanup-plan.js';
import { planRestore, type PlanOptions } from './diff.js';
import type { LiveChain, LiveRuleSet } from './live.js';
import { SaveParseError, SaveParser } from './parse.js';
import { restoreInput, type RestorePlan } from './restore-plan.js';
import type { Runner } from './runner.js';
import { applyPlanToLive } from './simulate.js';
import { STAGE_THRESHOLD_LINES, stageRestore } from './stage.js';

/**
 * Applies desired rulesets with one `iptables-restore --noflush --counters` per family, sending
 * only what differs. The live ruleset is read with iptables-save on a full apply (and whenever a
 * family has no trusted state); otherwise the state the last successful apply left stands in for
 * it. A failed restore makes the next apply of that family read the live ruleset again.
 */

export interface FamilyApplyResult {
  readonly family: IpFamily;
  readonly plan: RestorePlan;
  /** The live ruleset was read with iptables-save for this apply. */
  readonly readLive: boolean;
  /** iptables-restore was called (the plan was not empty). */
  readonly sent: boolean;
}

export interface ApplyResult {
  readonly families: readonly FamilyApplyResult[];
}

export class Applier {
  private readonly lastApplied = new Map<IpFamily, LiveRuleSet>();
  /** The desired ruleset each family's lastApplied state came from (an identity token). */
  private readonly lastDesired = new Map<IpFamily, RuleSet>();

  constructor(
    private readonly runner: Runner,
    private readonly planOptions: PlanOptions = {},
  ) {}

  /**
   * Brings each family's ruleset to `desired`. Every family is attempted; if any restore fails,
   * the first error (a RestoreError or SaveError) is thrown after the others were tried.
   */
  async apply(desired: readonly RuleSet[], opts: { readonly full: boolean }): Promise<ApplyResult> {
    const families: FamilyApplyResult[] = [];
    let firstError: Error | undefined;
    for (const rs of desired) {
      try {
        families.push(await this.applyFamily(rs, opts.full));
      } catch (err) {
        this.lastApplied.delete(rs.family);
        this.lastDesired.delete(rs.family);
        firstError ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    if (firstError !== undefined) throw firstError;
    return { families };
  }

  /** What apply would send, always against a fresh read of the live ruleset. Changes nothing. */
  async diff(desired: readonly RuleSet[]): Promise<RestorePlan[]> {
    const plans: RestorePlan[] = [];
    for (const rs of desired)
      plans.push(planRestore(rs, await this.readLive(rs.family, rs), this.planOptions));
    return plans;
  }

  /** Removes kproxy's and kube-proxy's chains and the jumps to them (see cleanup-plan.ts). */
  async cleanup(families: readonly IpFamily[]): Promise<RestorePlan[]> {
    const plans: RestorePlan[] = [];
    for (const family of families) {
      this.invalidate(family);
      const plan = planCleanup(await this.readLive(family));
      if (!plan.empty) await this.restore(plan);
      plans.push(plan);
    }
    return plans;
  }

  /** Forgets the last applied state, so the next apply reads the live ruleset (e.g. canary gone). */
  invalidate(family?: IpFamily): void {
    if (family) {
      this.lastApplied.delete(family);
      this.lastDesired.delete(family);
    } else {
      this.lastApplied.clear();
      this.lastDesired.clear();
    }
  }

  /** The state kproxy believes the kernel holds for a family, if it trusts one. */
  lastAppliedState(family: IpFamily): LiveRuleSet | undefined {
    return this.lastApplied.get(family);
  }

  /**
   * Reads and parses the live ruleset of a family (all tables). With `expected` (the ruleset about
   * to be applied), chains already in sync share its arrays instead of holding parsed copies.
   */
  async readLive(family: IpFamily, expected?: RuleSet): Promise<LiveRuleSet> {
    // Parsed as it streams in: the output of a big node is never held whole.
    const parser = new SaveParser(family, { expected });
    try {
      await this.runner.saveTo(family, (chunk) => parser.write(chunk));
      return parser.finish();
    } catch (err) {
      if (!(err instanceof SaveParseError)) throw err;
      throw new SaveError(
        `cannot parse iptables-save output (${family}): ${err.message}`,
        {
          binary: 'iptables-save',
          exitCode: 0,
          stderr: '',
          line: err.line,
        },
        { cause: err },
      );
    }
  }

  private async applyFamily(desired: RuleSet, full: boolean): Promise<FamilyApplyResult> {
    const known = full ? undefined : this.lastApplied.get(desired.family);
    const live = known ?? (await this.readLive(desired.family, desired));
    // When the desired ruleset says which chains changed since the one applied last, only those
    // can differ from the state that apply left: compare just them.
    const delta =
      known && desired.delta?.base === this.lastDesired.get(desired.family) ? desired.delta : undefined;
    const plan = planRestore(desired, live, { ...this.planOptions, onlyChains: delta?.chains });
    if (!plan.empty) await this.restore(plan);
    const applied = applyPlanToLive(live, plan, { inPlace: true });
    adoptEditedChains(applied, desired, plan);
    this.lastApplied.set(desired.family, applied);
    this.lastDesired.set(desired.family, desired);
    return { family: desired.family, plan, readLive: known === undefined, sent: !plan.empty };
  }

  /**
   * Staging pays off only on the nft backend: iptables-legacy rewrites the whole table on every
   * call, so there one big transaction is cheaper than several small ones.
   */
  private async isNftBackend(): Promise<boolean> {
    try {
      return (await this.runner.version()).mode === 'nf_tables';
    } catch {
      return false;
    }
  }

  private async restore(plan: RestorePlan): Promise<void> {
    const opts = { noflush: true, counters: true };
    if (plan.lineCount <= STAGE_THRESHOLD_LINES || !(await this.isNftBackend())) {
      await this.runner.restore(plan.family, restoreInput(plan), opts);
      return;
    }
    const staged = stageRestore(plan);
    for (const input of staged.stages) await this.runner.restore(plan.family, input, opts);
    if (!staged.finalEmpty) await this.runner.restore(plan.family, staged.final, opts);
  }
}

/**
 * Chains the plan edited in place hold the desired rules now, in a copy the simulation made;
 * point the state at the desired ruleset's array instead (renders never change an array they
 * returned). Created and rewritten chains already share it (`fill`), and a full read shares it
 * for every chain that was in sync (parseSave's `expected`). Updates `applied` in place.
 */
function adoptEditedChains(applied: LiveRuleSet, desired: RuleSet, plan: RestorePlan): void {
  for (const change of plan.changes) {
    if (change.kind !== 'edited') continue;
    const chains = applied.tables.get(change.table)?.chains as Map<string, LiveChain> | undefined;
    const chain = chains?.get(change.chain);
    const rules = desired.tables[change.table].chains.get(change.chain);
    if (chains && chain && rules) chains.set(change.chain, { policy: chain.policy, rules });
  }
}
