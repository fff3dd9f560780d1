import { cidrContains, isLocalAddress, maskedEqual, prefixMask, type Address } from './address.js';
import type { Branch, RecentEntry, TraceContext } from './branch.js';
import type { AddressField, CtState, Match } from './rule-types.js';

export type MatchResult =
  | { readonly kind: 'nomatch' }
  /** `probability` < 1 when statistic matches take part; `record` holds the `--set` lists. */
  | { readonly kind: 'match'; readonly probability: number; readonly record: readonly RecentEntry[] }
  | { readonly kind: 'error'; readonly reason: string };

/**
 * Evaluates a rule's matches. Any match that fails decides "no match", wherever it sits; only a
 * rule whose other matches all hold reports what it could not evaluate.
 */
export function evaluateMatches(matches: readonly Match[], ctx: TraceContext, branch: Branch): MatchResult {
  let probability = 1;
  const record: RecentEntry[] = [];
  let unsupported: string | undefined;
  for (const match of matches) {
    if (match.kind === 'statistic') {
      probability *= match.probability;
    } else if (match.kind === 'unsupported') {
      unsupported ??= match.reason;
    } else if (match.kind === 'recent') {
      if (match.mode === 'set' && match.negated) return { kind: 'nomatch' };
      if (match.mode === 'set')
        record.push({ name: match.name, address: fieldAddress(match.field, ctx, branch) });
      else if (recentHolds(match, ctx, branch) === match.negated) return { kind: 'nomatch' };
    } else if (!holds(match, ctx, branch)) {
      return { kind: 'nomatch' };
    }
  }
  if (unsupported !== undefined) return { kind: 'error', reason: unsupported };
  return { kind: 'match', probability, record };
}

type DeterministicMatch = Exclude<Match, { kind: 'statistic' | 'unsupported' | 'recent' }>;

function holds(match: DeterministicMatch, ctx: TraceContext, branch: Branch): boolean {
  switch (match.kind) {
    case 'address':
      return cidrContains(match.cidr, fieldAddress(match.field, ctx, branch)) !== match.negated;
    case 'protocol':
      return (match.protocol === 'all' || match.protocol === ctx.protocol) !== match.negated;
    case 'in-interface':
      return interfaceMatches(match.pattern, branch.inInterface) !== match.negated;
    case 'dport':
      return match.ranges.some((r) => branch.dport >= r.first && branch.dport <= r.last) !== match.negated;
    case 'addrtype-local':
      return isLocalAddress(fieldAddress(match.field, ctx, branch), ctx.localAddresses) !== match.negated;
    case 'mark':
      return ((branch.mark & match.mask) >>> 0 === match.value) !== match.negated;
    case 'ctstate':
      return ctStates(branch).some((s) => match.states.includes(s)) !== match.negated;
    case 'always':
      return true;
    default: {
      const unreachable: never = match;
      return unreachable;
    }
  }
}

function fieldAddress(field: AddressField, ctx: TraceContext, branch: Branch): Address {
  return field === 'src' ? ctx.src : branch.dst;
}

/** The first packet is NEW; once DNATed, conntrack also reports DNAT. Never INVALID. */
function ctStates(branch: Branch): readonly CtState[] {
  return branch.dnat ? ['NEW', 'DNAT'] : ['NEW'];
}

/** `+` at the end of a pattern is iptables' wildcard; no interface matches no pattern. */
function interfaceMatches(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

function recentHolds(match: Extract<Match, { kind: 'recent' }>, ctx: TraceContext, branch: Branch): boolean {
  const address = fieldAddress(match.field, ctx, branch);
  const mask =
    match.mask?.family === address.family
      ? match.mask.bytes
      : prefixMask(address.bytes.length * 8, address.bytes.length);
  const held = [
    ...(ctx.affinity.get(match.name) ?? []),
    ...branch.recorded.filter((e) => e.name === match.name).map((e) => e.address),
  ];
  return held.some((entry) => maskedEqual(entry.bytes, address.bytes, mask));
}
