import type { Branch, ChainExit, Hook, TraceContext } from './branch.js';
import { evaluateMatches, type MatchResult } from './match-eval.js';
import type { Target } from './rule-types.js';
import type { TraceRule } from './tables.js';

/** Deeper than any sane ruleset nests; reaching it means something is wrong. */
export const MAX_JUMP_DEPTH = 64;

/** A chain traversal either continues at the next rule or leaves the chain. */
type TargetResult = ChainExit | { readonly kind: 'next'; readonly branch: Branch };

/**
 * Walks `stack`'s last chain from its first rule. A statistic match splits a branch in two (matched
 * with probability p, not matched with 1 - p), so one call may end in several exits.
 */
export function walkChain(
  ctx: TraceContext,
  hook: Hook,
  stack: readonly string[],
  branch: Branch,
): ChainExit[] {
  const chainName = stack[stack.length - 1]!;
  const rules = ctx.tables[hook.table].get(chainName)?.rules ?? [];
  const exits: ChainExit[] = [];
  const pending: { index: number; branch: Branch }[] = [{ index: 0, branch }];
  for (let work = pending.pop(); work !== undefined; work = pending.pop()) {
    const position = nextMatch(ctx, rules, work.index, work.branch);
    if (position === undefined) {
      exits.push({ kind: 'fallthrough', branch: work.branch });
      continue;
    }
    const { index, rule, result } = position;
    const step = { table: hook.table, chain: chainName, ruleIndex: index, rule: rule.text };
    const here = `${hook.table} ${chainName} rule ${index + 1}: ${rule.text}`;
    if (result.kind === 'error') {
      exits.push({
        kind: 'error',
        branch: addStep(work.branch, step),
        message: `cannot evaluate rule: ${result.reason} [${here}]`,
      });
      continue;
    }
    const p = result.probability;
    if (p < 1) pending.push({ index: index + 1, branch: scale(work.branch, 1 - p) });
    if (p <= 0) continue;
    const matched: Branch = {
      ...addStep(scale(work.branch, p), step),
      recorded: [...work.branch.recorded, ...result.record],
    };
    for (const outcome of applyTarget(ctx, hook, stack, rule.parsed.target, matched, here)) {
      if (outcome.kind === 'next') pending.push({ index: index + 1, branch: outcome.branch });
      else exits.push(outcome);
    }
  }
  return exits;
}

/** The first rule from `from` on that does not plainly fail to match. */
function nextMatch(
  ctx: TraceContext,
  rules: readonly TraceRule[],
  from: number,
  branch: Branch,
): { index: number; rule: TraceRule; result: Exclude<MatchResult, { kind: 'nomatch' }> } | undefined {
  for (let index = from; index < rules.length; index++) {
    const rule = rules[index]!;
    const result = evaluateMatches(rule.parsed.matches, ctx, branch);
    if (result.kind !== 'nomatch') return { index, rule, result };
  }
  return undefined;
}

function applyTarget(
  ctx: TraceContext,
  hook: Hook,
  stack: readonly string[],
  target: Target,
  branch: Branch,
  here: string,
): TargetResult[] {
  const error = (reason: string): TargetResult[] => [
    { kind: 'error', branch, message: `cannot evaluate rule: ${reason} [${here}]` },
  ];
  switch (target.kind) {
    case 'none':
      return [{ kind: 'next', branch }];
    case 'mark':
      return [
        { kind: 'next', branch: { ...branch, mark: ((branch.mark & ~target.mask) ^ target.value) >>> 0 } },
      ];
    case 'return':
      return [{ kind: 'fallthrough', branch }];
    case 'accept':
      return [{ kind: 'accept', branch }];
    case 'drop':
      return [{ kind: 'drop', branch }];
    case 'reject':
      return [{ kind: 'reject', branch }];
    case 'dnat':
      if (hook.table !== 'nat' || (hook.chain !== 'PREROUTING' && hook.chain !== 'OUTPUT')) {
        return error('DNAT is only valid in nat PREROUTING and OUTPUT');
      }
      if (target.address.family !== branch.dst.family) return error('DNAT to an address of the other family');
      return [
        {
          kind: 'accept',
          branch: { ...branch, dst: target.address, dport: target.port ?? branch.dport, dnat: true },
        },
      ];
    case 'masquerade':
      if (hook.table !== 'nat' || hook.chain !== 'POSTROUTING')
        return error('MASQUERADE is only valid in nat POSTROUTING');
      return [{ kind: 'accept', branch: { ...branch, masqueraded: true } }];
    case 'jump':
      return jump(ctx, hook, stack, target.chain, branch, error);
    case 'unsupported':
      return error(target.reason);
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

function jump(
  ctx: TraceContext,
  hook: Hook,
  stack: readonly string[],
  chain: string,
  branch: Branch,
  error: (reason: string) => TargetResult[],
): TargetResult[] {
  if (!ctx.tables[hook.table].has(chain))
    return error(`no chain or target named ${chain} in table ${hook.table}`);
  if (stack.includes(chain)) return error(`jump loop ${[...stack, chain].join(' -> ')}`);
  if (stack.length >= MAX_JUMP_DEPTH) return error(`jump depth limit ${MAX_JUMP_DEPTH} exceeded`);
  return walkChain(ctx, hook, [...stack, chain], branch).map((exit) =>
    exit.kind === 'fallthrough' ? { kind: 'next', branch: exit.branch } : exit,
  );
}

function scale(branch: Branch, factor: number): Branch {
  return { ...branch, probability: branch.probability * factor };
}

function addStep(branch: Branch, step: Branch['steps'][number]): Branch {
  return { ...branch, steps: [...branch.steps, step] };
}
