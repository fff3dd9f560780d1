import type { ServiceFragment } from './fragment.js';

/**
 * Puts the fixed chains and the service fragments' chains into one table's chain map. Without a
 * previous assembly it builds a new map. With one (from the render cache), it patches the previous
 * map in place, touching only the chains of fragments that appeared or disappeared and the fixed
 * chains whose rules differ, and reports those chains: a one-endpoint change then costs what the
 * change costs, not what the cluster costs.
 */

export interface Assembly {
  readonly fragments: ReadonlySet<ServiceFragment>;
  readonly fixedNames: ReadonlySet<string>;
  readonly chains: Map<string, readonly string[]>;
}

export interface Assembled extends Assembly {
  /** Chains that may differ from the previous assembly; undefined when there was none. */
  readonly changed: ReadonlySet<string> | undefined;
}

export type FixedChains = readonly (readonly [string, readonly string[]])[];
type Pick = (f: ServiceFragment) => ReadonlyMap<string, readonly string[]>;

function sameRules(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
    return { fragments: current, fixedNames, chains, changed: undefined };
  }
  const chains = previous.chains;
  const changed = new Set<string>();
  const drop = (name: string): void => {
    chains.delete(name);
    changed.add(name);
  };
  for (const f of previous.fragments) if (!current.has(f)) for (const name of pick(f).keys()) drop(name);
  for (const name of previous.fixedNames) if (!fixedNames.has(name)) drop(name);
  for (const f of fragments) {
    if (previous.fragments.has(f)) continue;
    for (const [name, rules] of pick(f)) {
      chains.set(name, rules);
      changed.add(name);
    }
  }
  for (const [name, rules] of fixed) {
    const old = chains.get(name);
    if (old === undefined || !sameRules(old, rules)) {
      chains.set(name, rules);
      changed.add(name);
    }
  }
  return { fragments: current, fixedNames, chains, changed };
}
