import type { TableName } from '../model/ruleset.js';
import { isBuiltinChain } from '../model/ruleset.js';
import type { LiveRuleSet } from './live.js';
import { CLEANUP_TABLES, isCleanupChain } from './ownership.js';
import {
  makePlan,
  planTable,
  type ChainChange,
  type RestoreOp,
  type RestorePlan,
  type RuleRef,
} from './restore-plan.js';
import { ruleTarget } from './rule-text.js';

/**
 * `kproxy cleanup`: remove every chain kproxy or kube-proxy creates in iptables mode (KUBE-* in
 * nat, filter and mangle, except kubelet's marker chains; see ownership.ts) and every rule, in any
 * other chain, that jumps to one of them. Nothing else is mentioned. Pure.
 */
export function planCleanup(live: LiveRuleSet): RestorePlan {
  const tables = [];
  const changes: ChainChange[] = [];
  const hooksRemoved: RuleRef[] = [];
  for (const table of CLEANUP_TABLES) {
    const have = live.tables.get(table);
    if (!have) continue;
    const removed = [...have.chains].filter(([name]) => !isBuiltinChain(name) && isCleanupChain(table, name));
    if (removed.length === 0) continue;
    const removedNames = new Set(removed.map(([name]) => name));
    const ops: RestoreOp[] = [];
    for (const [chain, c] of removed) if (c.rules.length > 0) ops.push({ kind: 'declare', chain });
    for (const [chain, c] of have.chains) {
      if (removedNames.has(chain)) continue;
      for (const rule of c.rules) {
        const target = ruleTarget(rule);
        if (target === undefined || !removedNames.has(target)) continue;
        ops.push({ kind: 'delete-rule', chain, rule });
        hooksRemoved.push({ table, chain, rule });
      }
    }
    for (const [chain, c] of removed) {
      ops.push({ kind: 'delete-chain', chain });
      changes.push({ kind: 'deleted', table, chain, before: c.rules });
    }
    tables.push(planTable(table satisfies TableName, ops));
  }
  return makePlan(live.family, tables, { changes, hooksAdded: [], hooksRemoved });
}
