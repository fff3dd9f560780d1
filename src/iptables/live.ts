import type { IpFamily } from '../model/family.js';
import { TABLE_BUILTINS, compareBytes, isBuiltinChain } from '../model/ruleset.js';

/**
 * A ruleset as read back from the kernel with iptables-save: every table and chain it printed,
 * foreign ones included, in the order printed. Rule text is everything after `-A CHAIN `.
 */

export interface LiveChain {
  /** `ACCEPT`/`DROP` for built-in chains, `-` for user chains, undefined if never declared. */
  readonly policy: string | undefined;
  readonly rules: readonly string[];
}

export interface LiveTable {
  readonly chains: ReadonlyMap<string, LiveChain>;
}

export interface LiveRuleSet {
  readonly family: IpFamily;
  /** Keyed by table name: filter, nat, mangle, and whatever else the node has (raw, security). */
  readonly tables: ReadonlyMap<string, LiveTable>;
}

export function emptyLiveRuleSet(family: IpFamily): LiveRuleSet {
  return { family, tables: new Map() };
}

/** A table as iptables creates it: only its built-in chains, empty, policy ACCEPT. */
export function freshTable(table: string): Map<string, LiveChain> {
  const builtins = (TABLE_BUILTINS as Record<string, readonly string[] | undefined>)[table] ?? [];
  return new Map(builtins.map((name) => [name, { policy: 'ACCEPT', rules: [] }]));
}

/** Built-in chains first (in their given order), then user chains in byte order, as iptables-save prints. */
export function sortChains<T>(chains: ReadonlyMap<string, T>): Map<string, T> {
  const sorted = new Map<string, T>();
  for (const [name, chain] of chains) if (isBuiltinChain(name)) sorted.set(name, chain);
  const users: string[] = [];
  for (const name of chains.keys()) if (!isBuiltinChain(name)) users.push(name);
  for (const name of users.sort(compareBytes)) sorted.set(name, chains.get(name) as T);
  return sorted;
}
