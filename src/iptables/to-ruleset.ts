import { TABLE_NAMES, isBuiltinChain, type Hook, type RuleSet, type TableRules } from '../model/ruleset.js';
import type { LiveRuleSet } from './live.js';

/**
 * A live ruleset seen as a RuleSet: rules of built-in chains become hooks (in chain, then rule
 * order), user chains become chains (in save order). `keep` selects chains and hooks, e.g. only
 * kproxy's, so that "restore, save, parse, convert" can be compared with what was rendered. Pure.
 */
export function liveToRuleSet(
  live: LiveRuleSet,
  keep: (table: string, chain: string, hookRule?: string) => boolean = () => true,
): RuleSet {
  const table = (name: (typeof TABLE_NAMES)[number]): TableRules => {
    const chains = new Map<string, readonly string[]>();
    const hooks: Hook[] = [];
    for (const [chain, c] of live.tables.get(name)?.chains ?? []) {
      if (isBuiltinChain(chain)) {
        for (const rule of c.rules) if (keep(name, chain, rule)) hooks.push({ chain, rule });
      } else if (keep(name, chain)) {
        chains.set(chain, c.rules);
      }
    }
    return { chains, hooks };
  };
  return {
    family: live.family,
    tables: { filter: table('filter'), nat: table('nat'), mangle: table('mangle') },
  };
}
