import { freshTable, sortChains, type LiveChain, type LiveRuleSet, type LiveTable } from './live.js';
import type { RestoreOp, RestorePlan } from './restore-plan.js';

/**
 * The ruleset the kernel holds after a successful `iptables-restore --noflush` of a plan, computed
 * without asking it. Between full resyncs this stands in for the live ruleset. Pure.
 */

/** The rules of a chain just declared; shared, never written to (writes copy it first). */
const NO_RULES: readonly string[] = Object.freeze([]);

export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

/**
 * `inPlace` updates `live`'s own chain maps instead of copying them (the Applier owns its state;
 * copying a 100k-chain table on every small sync costs more than the sync).
 */
export function applyPlanToLive(
  live: LiveRuleSet,
  plan: RestorePlan,
  opts: { readonly inPlace?: boolean } = {},
): LiveRuleSet {
  if (plan.empty) return live;
  const tables = new Map(live.tables);
  for (const planned of plan.tables) {
    const table = live.tables.get(planned.table);
    tables.set(planned.table, applyOpsToTable(table, planned.table, planned.ops, opts.inPlace === true));
  }
  return { family: live.family, tables };
}

/** Applies ops to one table (missing tables start as iptables creates them). */
export function applyOpsToTable(
  table: LiveTable | undefined,
  name: string,
  ops: readonly RestoreOp[],
  inPlace = false,
): LiveTable {
  const chains =
    inPlace && table
      ? (table.chains as Map<string, LiveChain>)
      : new Map<string, LiveChain>(table ? table.chains : freshTable(name));
  // Chains changed by these ops get a private, mutable rule array (copied once, on first write).
  const owned = new Map<string, string[]>();
  const rulesOf = (chain: string): string[] => {
    const mine = owned.get(chain);
    if (mine) return mine;
    const found = chains.get(chain);
    if (!found) throw new SimulationError(`chain ${name}/${chain} does not exist`);
    const copy = [...found.rules];
    owned.set(chain, copy);
    chains.set(chain, { policy: found.policy, rules: copy });
    return copy;
  };
  let added = false;
  for (const op of ops) {
    switch (op.kind) {
      case 'declare': {
        if (!chains.has(op.chain)) added = true;
        // Empty, and not owned: the first op that adds a rule copies (allocates) it, and a fill
        // adopts its array instead; a cold start declares every chain before filling any.
        owned.delete(op.chain);
        chains.set(op.chain, { policy: chains.get(op.chain)?.policy ?? '-', rules: NO_RULES });
        break;
      }
      case 'append':
        rulesOf(op.chain).push(op.rule);
        break;
      case 'fill': {
        const found = chains.get(op.chain);
        if (found && found.rules.length === 0) {
          // An empty chain (one this plan declared): adopt the desired ruleset's array, which no
          // one mutates, instead of copying it; a later op on the chain copies it first.
          owned.delete(op.chain);
          chains.set(op.chain, { policy: found.policy, rules: op.rules });
        } else {
          const rules = rulesOf(op.chain);
          for (const rule of op.rules) rules.push(rule);
        }
        break;
      }
      case 'insert': {
        const rules = rulesOf(op.chain);
        const at = (op.position ?? 1) - 1;
        if (at > rules.length) {
          throw new SimulationError(
            `insert at ${at + 1} beyond the ${rules.length} rules of ${name}/${op.chain}`,
          );
        }
        rules.splice(at, 0, op.rule);
        break;
      }
      case 'delete-at': {
        const rules = rulesOf(op.chain);
        if (op.position < 1 || op.position > rules.length) {
          throw new SimulationError(`no rule ${op.position} in ${name}/${op.chain} (${rules.length} rules)`);
        }
        rules.splice(op.position - 1, 1);
        break;
      }
      case 'delete-rule': {
        const rules = rulesOf(op.chain);
        const at = rules.indexOf(op.rule);
        if (at === -1) throw new SimulationError(`no rule "${op.rule}" in ${name}/${op.chain}`);
        rules.splice(at, 1);
        break;
      }
      case 'delete-chain':
        rulesOf(op.chain);
        chains.delete(op.chain);
        owned.delete(op.chain);
        break;
      default: {
        const never: never = op;
        throw new SimulationError(`unknown op ${String(never)}`);
      }
    }
  }
  // Only a new chain can change the printed order; re-sorting a 100k-chain table costs more
  // than the rest of a small sync.
  if (inPlace && table) return table;
  return { chains: added ? sortChains(chains) : chains };
}
