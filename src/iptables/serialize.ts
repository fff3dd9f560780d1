import { TABLE_BUILTINS, TABLE_NAMES, compareBytes, type RuleSet } from '../model/ruleset.js';

/**
 * The complete iptables-restore input for one family, byte for byte what iptables-save prints for a
 * node holding only these rules (without its `#` comment lines): per table (filter, nat, mangle;
 * a table with no chains and no hooks is skipped) `*table`, the built-in chain declarations, the
 * kproxy chains in byte order, the hooks in built-in order, each chain's rules, `COMMIT`.
 * Pure; `kproxy render` prints it and golden files hold it.
 */
export function serializeRuleSet(rs: RuleSet): string {
  const lines: string[] = [];
  for (const table of TABLE_NAMES) {
    const { chains, hooks } = rs.tables[table];
    if (chains.size === 0 && hooks.length === 0) continue;
    lines.push(`*${table}`);
    for (const builtin of TABLE_BUILTINS[table]) lines.push(`:${builtin} ACCEPT [0:0]`);
    const names = [...chains.keys()].sort(compareBytes);
    for (const chain of names) lines.push(`:${chain} - [0:0]`);
    for (const builtin of TABLE_BUILTINS[table]) {
      for (const hook of hooks) if (hook.chain === builtin) lines.push(ruleLine(builtin, hook.rule));
    }
    for (const chain of names) for (const rule of chains.get(chain) ?? []) lines.push(ruleLine(chain, rule));
    lines.push('COMMIT');
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

function ruleLine(chain: string, rule: string): string {
  return rule === '' ? `-A ${chain}` : `-A ${chain} ${rule}`;
}
