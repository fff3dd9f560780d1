import { TABLE_BUILTINS, type RuleSet } from '../model/ruleset.js';
import { parseRule } from './rule-parse.js';
import type { ParsedRule } from './rule-types.js';

/** The tables a packet trace walks. */
export type TraceTableName = 'nat' | 'filter';
export const TRACE_TABLES: readonly TraceTableName[] = ['nat', 'filter'];

export interface TraceRule {
  /** The rule text after `-A CHAIN `. */
  readonly text: string;
  readonly parsed: ParsedRule;
}

export interface TraceChain {
  readonly rules: readonly TraceRule[];
  /** What a built-in chain does with a packet that falls off its end; ignored for user chains. */
  readonly policy: 'ACCEPT' | 'DROP';
}

/** Every chain of a table by name, built-in chains included. */
export type TraceTable = ReadonlyMap<string, TraceChain>;

export type TraceTables = Readonly<Record<TraceTableName, TraceTable>>;

/** The shape of a parsed `iptables-save`, as far as the tracer needs it (policy optional). */
export interface SavedTablesInput {
  readonly tables: ReadonlyMap<
    string,
    {
      readonly chains: ReadonlyMap<
        string,
        { readonly rules: readonly string[]; readonly policy?: string | null }
      >;
    }
  >;
}

/** Tables from what kproxy renders: built-in chains hold only the hooks, with policy ACCEPT. */
export function traceTablesFromRuleSet(ruleSet: RuleSet): TraceTables {
  const build = (name: TraceTableName): TraceTable => {
    const table = ruleSet.tables[name];
    const chains = new Map<string, TraceChain>();
    for (const builtin of TABLE_BUILTINS[name]) {
      const hooks = table.hooks.filter((hook) => hook.chain === builtin).map((hook) => hook.rule);
      chains.set(builtin, toChain(hooks, 'ACCEPT'));
    }
    for (const [chain, rules] of table.chains) chains.set(chain, toChain(rules, 'ACCEPT'));
    return chains;
  };
  return { nat: build('nat'), filter: build('filter') };
}

/** Tables from a live node's `iptables-save`, foreign rules and built-in policies included. */
export function traceTablesFromSaved(saved: SavedTablesInput): TraceTables {
  const build = (name: TraceTableName): TraceTable => {
    const chains = new Map<string, TraceChain>();
    for (const builtin of TABLE_BUILTINS[name]) chains.set(builtin, toChain([], 'ACCEPT'));
    for (const [chain, content] of saved.tables.get(name)?.chains ?? []) {
      chains.set(chain, toChain(content.rules, content.policy === 'DROP' ? 'DROP' : 'ACCEPT'));
    }
    return chains;
  };
  return { nat: build('nat'), filter: build('filter') };
}

function toChain(rules: readonly string[], policy: 'ACCEPT' | 'DROP'): TraceChain {
  return { rules: rules.map((text) => ({ text, parsed: parseRule(text) })), policy };
}
