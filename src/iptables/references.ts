import type { LiveTable } from './live.js';
import { ruleTarget } from './rule-text.js';

/** Every chain some rule of the table jumps or goes to. Pure. */
export function referencedChains(table: LiveTable): Set<string> {
  const targets = new Set<string>();
  for (const chain of table.chains.values()) {
    for (const rule of chain.rules) {
      const target = ruleTarget(rule);
      if (target !== undefined) targets.add(target);
    }
  }
  return targets;
}
