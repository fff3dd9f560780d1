import { formatEndpoint } from './address.js';
import type { Branch } from './branch.js';
import type { Outcome, Verdict } from './types.js';

/** A branch that has reached its end, before merging. */
export interface FinalBranch {
  readonly verdict: Verdict;
  readonly branch: Branch;
  readonly error?: string;
  readonly droppedByPolicy?: string;
}

export function delivered(branch: Branch): FinalBranch {
  return { verdict: branch.dnat ? 'DNAT' : 'ACCEPT', branch };
}

/**
 * Merges branches that end the same way (summing their probabilities; the first one's steps are
 * kept) and sorts them: most likely first, then by endpoint, so equal input prints equal output.
 */
export function mergeOutcomes(finals: readonly FinalBranch[]): Outcome[] {
  const merged = new Map<string, Outcome>();
  for (const final of finals) {
    const outcome = toOutcome(final);
    const key = JSON.stringify([
      outcome.verdict,
      outcome.endpoint,
      outcome.masqueraded,
      outcome.affinitySet,
      outcome.error,
      outcome.droppedByPolicy,
    ]);
    const seen = merged.get(key);
    merged.set(
      key,
      seen === undefined ? outcome : { ...seen, probability: seen.probability + outcome.probability },
    );
  }
  return [...merged.values()].sort(compareOutcomes);
}

function toOutcome(final: FinalBranch): Outcome {
  const { branch, verdict } = final;
  const reached = verdict === 'DNAT' || verdict === 'ACCEPT';
  const affinitySet = branch.recorded[branch.recorded.length - 1]?.name;
  return {
    verdict,
    ...(reached ? { endpoint: formatEndpoint(branch.dst, branch.dport) } : {}),
    probability: branch.probability,
    masqueraded: branch.masqueraded,
    ...(affinitySet === undefined ? {} : { affinitySet }),
    ...(final.error === undefined ? {} : { error: final.error }),
    ...(final.droppedByPolicy === undefined ? {} : { droppedByPolicy: final.droppedByPolicy }),
    steps: branch.steps,
    hooks: branch.hooks,
  };
}

/** Probabilities compare at 1e-9 so 0.33333333349 and 0.333333333255 count as a tie. */
function compareOutcomes(a: Outcome, b: Outcome): number {
  const pa = Math.round(a.probability * 1e9);
  const pb = Math.round(b.probability * 1e9);
  if (pa !== pb) return pb - pa;
  return (
    compareText(a.endpoint ?? '', b.endpoint ?? '') ||
    compareText(a.verdict, b.verdict) ||
    compareText(a.error ?? '', b.error ?? '') ||
    Number(a.masqueraded) - Number(b.masqueraded)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
