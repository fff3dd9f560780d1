import type { IpFamily } from './family.js';

/**
 * A ruleset in the form iptables-save prints it back. A rule is the text after `-A CHAIN ` in that
 * form, so a ruleset parsed from `iptables-save` and one rendered by kproxy compare as plain
 * strings.
 */

export type TableName = 'filter' | 'nat' | 'mangle';
export const TABLE_NAMES: readonly TableName[] = ['filter', 'nat', 'mangle'];

export type BuiltinChain = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export const BUILTIN_CHAINS: readonly BuiltinChain[] = [
  'PREROUTING',
  'INPUT',
  'FORWARD',
  'OUTPUT',
  'POSTROUTING',
];

export function isBuiltinChain(name: string): name is BuiltinChain {
  return (BUILTIN_CHAINS as readonly string[]).includes(name);
}

/** The built-in chains each table has, in the order iptables-save lists them. */
export const TABLE_BUILTINS: Readonly<Record<TableName, readonly BuiltinChain[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
};

/** A jump from a built-in chain into one of kproxy's chains (kube-proxy installs these with -I). */
export interface Hook {
  readonly chain: BuiltinChain;
  /** Rule text after `-A CHAIN `. */
  readonly rule: string;
}

export interface TableRules {
  /** kproxy-owned chains, by name, in a deterministic order; printed in byte order (serialize.ts). */
  readonly chains: ReadonlyMap<string, readonly string[]>;
  /** Jumps from built-in chains, in the order they must appear at the top of each built-in chain. */
  readonly hooks: readonly Hook[];
}

/**
 * What changed since an earlier ruleset of the same family, as an incremental render knows it.
 * `base` is an identity token: with a render cache the chain maps are shared between renders, so
 * the earlier ruleset's contents have moved on; only "was this the ruleset applied last" matters.
 */
export interface RuleSetDelta {
  readonly base: RuleSet;
  /** Per table, every chain whose rules may differ from base's: new, changed or gone. */
  readonly chains: Readonly<Record<TableName, ReadonlySet<string>>>;
}

export interface RuleSet {
  readonly family: IpFamily;
  readonly tables: Readonly<Record<TableName, TableRules>>;
  /** Present when the ruleset came from an incremental render (see RuleSetDelta). */
  readonly delta?: RuleSetDelta;
}

/** Byte order, as C's strcmp: the order iptables-save prints user chains in. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
