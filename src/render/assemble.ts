import type { ServiceFragment } from './fragment.js';

/**
 * Puts the fixed chains and the service fragments' chains into one table's chain map. Without a
 * previous assembly it builds a new map. With one (from the render cache), it patches the previous
 * map in place, touching only the chains of fragments that appeared or disappeared and the fixed
 * chains whose rules differ, and reports those chains: a one-endpoint change then costs what the
 * change costs, not what the cluster costs. The number of rules in the map is kept up to date
 * the same way (the rules-total metric must not cost a walk over every chain).
 */

export interface Assembly {
  readonly fragments: ReadonlySet<ServiceFragment>;
  readonly fixedNames: ReadonlySet<string>;
  readonly chains: Map<string, readonly string[]>;
  /** Rules in all chains of the map. */
  readonly ruleCount: number;
}

export interface Assembled extends Assembly {
  /** Chains that may differ from the previous assembly; undefined when there was none. */
  readonly changed: ReadonlySet<string> | undefined;
}

export type FixedChains = readonly (readonly [string, readonly string[]])[];
export type Pick = (f: ServiceFragment) => ReadonlyMap<string, readonly string[]>;

function sameRules(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Edits a previous assembly's chain map in place, recording the chains touched and the rule count. */
class ChainEditor {
  readonly changed = new Set<string>();
  ruleCount: number;

  constructor(
    readonly chains: Map<string, readonly string[]>,
    ruleCount: number,
  ) {
    this.ruleCount = ruleCount;
  }

  delete(name: string): void {
    this.ruleCount -= this.chains.get(name)?.length ?? 0;
    this.chains.delete(name);
    this.changed.add(name);
  }

  set(name: string, rules: readonly string[]): void {
    this.ruleCount += rules.length - (this.chains.get(name)?.length ?? 0);
    this.chains.set(name, rules);
    this.changed.add(name);
  }

  /** Sets the fixed chains whose rules differ from the map's. */
  setFixed(fixed: FixedChains): void {
    for (const [name, rules] of fixed) {
      const old = this.chains.get(name);
      if (old === undefined || !sameRules(old, rules)) this.set(name, rules);
    }
  }

  dropFixed(previous: ReadonlySet<string>, fixedNames: ReadonlySet<string>): void {
    for (const name of previous) if (!fixedNames.has(name)) this.delete(name);
  }
}

export function assembleChains(
  fixed: FixedChains,
  fragments: readonly ServiceFragment[],
  pick: Pick,
  previous: Assembly | undefined,
): Assembled {
  const current = new Set(fragments);
  const fixedNames = new Set(fixed.map(([name]) => name));
  if (!previous) {
    const chains = new Map<string, readonly string[]>(fixed);
    for (const f of fragments) for (const [name, rules] of pick(f)) chains.set(name, rules);
    let ruleCount = 0;
    for (const rules of chains.values()) ruleCount += rules.length;
    return { fragments: current, fixedNames, chains, ruleCount, changed: undefined };
  }
  const edit = new ChainEditor(previous.chains, previous.ruleCount);
  for (const f of previous.fragments)
    if (!current.has(f)) for (const name of pick(f).keys()) edit.delete(name);
  edit.dropFixed(previous.fixedNames, fixedNames);
  for (const f of fragments) {
    if (previous.fragments.has(f)) continue;
    for (const [name, rules] of pick(f)) edit.set(name, rules);
  }
  edit.setFixed(fixed);
  return {
    fragments: current,
    fixedNames,
    chains: edit.chains,
    ruleCount: edit.ruleCount,
    changed: edit.changed,
  };
}

/**
 * The previous assembly patched with the fragments that left and joined, without visiting the
 * others: what a patched render (family-state.ts) uses. The previous assembly's map and fragment
 * set are updated in place.
 */
export function patchChains(
  fixed: FixedChains,
  patch: { readonly removed: readonly ServiceFragment[]; readonly added: readonly ServiceFragment[] },
  pick: Pick,
  previous: Assembly,
): Assembled {
  const fragments = previous.fragments as Set<ServiceFragment>;
  const fixedNames = new Set(fixed.map(([name]) => name));
  const edit = new ChainEditor(previous.chains, previous.ruleCount);
  edit.dropFixed(previous.fixedNames, fixedNames);
  for (const f of patch.removed) {
    fragments.delete(f);
    for (const name of pick(f).keys()) edit.delete(name);
  }
  for (const f of patch.added) {
    fragments.add(f);
    for (const [name, rules] of pick(f)) edit.set(name, rules);
  }
  edit.setFixed(fixed);
  return { fragments, fixedNames, chains: edit.chains, ruleCount: edit.ruleCount, changed: edit.changed };
}
