import type { ChainChange, RestorePlan } from './restore-plan.js';

/**
 * Human-readable description of a restore plan, for `kproxy diff`. Pure: returns lines.
 *
 *   ipv4 nat: chain KUBE-SERVICES: +1 -0 rules
 *     + -A KUBE-SERVICES ...
 *   ipv4 nat: new chain KUBE-SVC-X (2 rules)
 *   ipv4 nat: delete chain KUBE-SEP-Y (2 rules)
 *   ipv4 nat: add hook -A PREROUTING ...
 */
export function describePlan(plan: RestorePlan, opts: { readonly showRules?: boolean } = {}): string[] {
  const showRules = opts.showRules ?? true;
  const out: string[] = [];
  for (const change of plan.changes) {
    const where = `${plan.family} ${change.table}:`;
    out.push(`${where} ${headline(change)}`);
    if (showRules) out.push(...ruleLines(change));
  }
  for (const h of plan.hooksAdded) out.push(`${plan.family} ${h.table}: add hook -A ${h.chain} ${h.rule}`);
  for (const h of plan.hooksRemoved)
    out.push(`${plan.family} ${h.table}: remove rule -A ${h.chain} ${h.rule}`);
  return out;
}

/** One line: what a plan changes in total. */
export function summarizePlan(plan: RestorePlan): string {
  if (plan.empty) return `${plan.family}: no changes`;
  return (
    `${plan.family}: ${plan.chainsWritten.length} chains written, ${plan.chainsDeleted.length} deleted, ` +
    `${plan.hooksAdded.length} hooks added, ${plan.hooksRemoved.length} removed, ${plan.lineCount} lines`
  );
}

function headline(change: ChainChange): string {
  switch (change.kind) {
    case 'created':
      return `new chain ${change.chain} (${plural(change.after.length)})`;
    case 'rewritten': {
      const { added, removed } = ruleDelta(change.before, change.after);
      const reordered = added.length === 0 && removed.length === 0 ? ' (order changed)' : '';
      return `chain ${change.chain}: +${added.length} -${removed.length} rules${reordered}`;
    }
    case 'edited':
      return `chain ${change.chain}: +${change.inserted} -${change.deleted} rules (edited in place)`;
    case 'deleted':
      return `delete chain ${change.chain} (${plural(change.before.length)})`;
    case 'flushed':
      return `flush chain ${change.chain} (${plural(change.before.length)}; kept, still referenced)`;
    default: {
      const never: never = change;
      return never;
    }
  }
}

function ruleLines(change: ChainChange): string[] {
  const line = (sign: string, rule: string): string =>
    `  ${sign} -A ${change.chain}${rule === '' ? '' : ' ' + rule}`;
  switch (change.kind) {
    case 'created':
      return change.after.map((r) => line('+', r));
    case 'rewritten':
    case 'edited': {
      const { added, removed } = ruleDelta(change.before, change.after);
      return [...removed.map((r) => line('-', r)), ...added.map((r) => line('+', r))];
    }
    case 'deleted':
    case 'flushed':
      return change.before.map((r) => line('-', r));
    default: {
      const never: never = change;
      return never;
    }
  }
}

/** Rules only in `after` (added) and only in `before` (removed), counting duplicates. */
export function ruleDelta(
  before: readonly string[],
  after: readonly string[],
): { added: string[]; removed: string[] } {
  const remaining = new Map<string, number>();
  for (const r of before) remaining.set(r, (remaining.get(r) ?? 0) + 1);
  const added: string[] = [];
  for (const r of after) {
    const n = remaining.get(r) ?? 0;
    if (n > 0) remaining.set(r, n - 1);
    else added.push(r);
  }
  const removed = before.filter((r) => {
    const n = remaining.get(r) ?? 0;
    if (n === 0) return false;
    remaining.set(r, n - 1);
    return true;
  });
  return { added, removed };
}

function plural(n: number): string {
  return n === 1 ? '1 rule' : `${n} rules`;
}
