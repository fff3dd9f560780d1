import {
  TABLE_BUILTINS,
  TABLE_NAMES,
  isBuiltinChain,
  type RuleSet,
  type TableName,
  type TableRules,
} from '../model/ruleset.js';
import type { LiveChain, LiveRuleSet, LiveTable } from './live.js';
import { isOwnedChain } from './ownership.js';
import {
  makePlan,
  planTable,
  type ChainChange,
  type RestoreOp,
  type RestorePlan,
  type RuleRef,
} from './restore-plan.js';
import { referencedChains } from './references.js';
import { applyOpsToTable } from './simulate.js';
import { ruleTarget } from './rule-text.js';
import { editScript } from './edit-script.js';

/**
 * Desired vs live -> the restore plan for one family (docs/dataplane.md §9, issue 3). Pure.
 *
 * - A desired chain is declared and filled only when it is missing or its rules differ.
 * - An owned chain (ownership.ts) that is no longer desired is flushed and then `-X`ed after every
 *   other line of its table; if a rule kproxy does not touch still jumps to it, it is only emptied.
 * - Hooks must appear exactly once in their built-in chain: missing ones are inserted at the top
 *   (in desired order), extra copies deleted, and jumps from built-in chains to owned chains that
 *   are not desired hooks (an older hook form, a deleted chain) are deleted.
 * - Built-in chains are never declared, flushed or rewritten; chains kproxy does not own are never
 *   mentioned.
 */

export interface PlanOptions {
  /** Delete owned chains the desired ruleset no longer has (default true). */
  readonly deleteStaleChains?: boolean;
  /**
   * Only these chains can differ between desired and live (every other chain is known to be in
   * sync, e.g. the live state is what the ruleset this one was rendered from left behind). Hooks
   * are always checked. Without it every chain is compared.
   */
  readonly onlyChains?: Readonly<Record<TableName, ReadonlySet<string>>>;
}

interface TablePlan {
  readonly ops: RestoreOp[];
  readonly changes: ChainChange[];
  readonly hooksAdded: RuleRef[];
  readonly hooksRemoved: RuleRef[];
}

export function planRestore(desired: RuleSet, live: LiveRuleSet, opts: PlanOptions = {}): RestorePlan {
  if (desired.family !== live.family) {
    throw new Error(`planRestore: desired ruleset is ${desired.family} but live ruleset is ${live.family}`);
  }
  const planned = TABLE_NAMES.map((table) => ({
    table,
    plan: planOneTable(
      table,
      desired.tables[table],
      live.tables.get(table),
      opts.deleteStaleChains ?? true,
      opts.onlyChains?.[table],
    ),
  }));
  return makePlan(
    desired.family,
    planned.map(({ table, plan }) => planTable(table, plan.ops)),
    {
      changes: planned.flatMap((p) => p.plan.changes),
      hooksAdded: planned.flatMap((p) => p.plan.hooksAdded),
      hooksRemoved: planned.flatMap((p) => p.plan.hooksRemoved),
    },
  );
}

function planOneTable(
  table: TableName,
  want: TableRules,
  have: LiveTable | undefined,
  deleteStale: boolean,
  only: ReadonlySet<string> | undefined,
): TablePlan {
  const haveChains: ReadonlyMap<string, LiveChain> = have?.chains ?? new Map<string, LiveChain>();
  const declares: RestoreOp[] = [];
  const appends: RestoreOp[] = [];
  const changes: ChainChange[] = [];

  for (const [chain, rules] of candidates(want.chains, only)) {
    if (isBuiltinChain(chain))
      throw new Error(`planRestore: ${table}/${chain} is a built-in chain; use a hook`);
    const current = haveChains.get(chain);
    if (current && sameRules(current.rules, rules)) continue;
    const edits = current ? chainEdits(chain, current.rules, rules) : undefined;
    if (current && edits) {
      appends.push(...edits.ops);
      changes.push({ kind: 'edited', table, chain, before: current.rules, after: rules, ...edits.counts });
      continue;
    }
    declares.push({ kind: 'declare', chain });
    if (rules.length > 0) appends.push({ kind: 'fill', chain, rules });
    changes.push(
      current
        ? { kind: 'rewritten', table, chain, before: current.rules, after: rules }
        : { kind: 'created', table, chain, after: rules },
    );
  }

  const stale: (readonly [string, LiveChain])[] = [];
  if (deleteStale) {
    for (const entry of only ? liveCandidates(haveChains, only) : haveChains) {
      const name = entry[0];
      if (!want.chains.has(name) && !isBuiltinChain(name) && isOwnedChain(table, name)) stale.push(entry);
    }
  }
  for (const [chain, c] of stale) if (c.rules.length > 0) declares.push({ kind: 'declare', chain });

  const hooks = planHooks(table, want, haveChains);
  const withoutDeletes = [...declares, ...hooks.ops, ...appends];
  const referenced =
    stale.length === 0 ? new Set<string>() : referencesToStale(table, want, haveChains, stale, hooks.ops);
  const deletes: RestoreOp[] = [];
  for (const [chain, c] of stale) {
    if (!referenced.has(chain)) {
      deletes.push({ kind: 'delete-chain', chain });
      changes.push({ kind: 'deleted', table, chain, before: c.rules });
    } else if (c.rules.length > 0) {
      changes.push({ kind: 'flushed', table, chain, before: c.rules });
    }
  }
  return {
    ops: [...withoutDeletes, ...deletes],
    changes,
    hooksAdded: hooks.added,
    hooksRemoved: hooks.removed,
  };
}

function planHooks(
  table: TableName,
  want: TableRules,
  haveChains: ReadonlyMap<string, LiveChain>,
): { ops: RestoreOp[]; added: RuleRef[]; removed: RuleRef[] } {
  const removals: RestoreOp[] = [];
  const inserts: RestoreOp[] = [];
  const added: RuleRef[] = [];
  const removed: RuleRef[] = [];
  for (const hook of want.hooks) {
    if (!TABLE_BUILTINS[table].includes(hook.chain)) {
      throw new Error(`planRestore: hook into ${hook.chain}, which table ${table} does not have`);
    }
  }
  for (const chain of TABLE_BUILTINS[table]) {
    const wanted = [...new Set(want.hooks.filter((h) => h.chain === chain).map((h) => h.rule))];
    const counts = new Map<string, number>();
    for (const rule of haveChains.get(chain)?.rules ?? []) counts.set(rule, (counts.get(rule) ?? 0) + 1);
    for (const [rule, count] of counts) {
      const extra = wanted.includes(rule) ? count - 1 : isOwnedJump(table, rule) ? count : 0;
      for (let i = 0; i < extra; i++) {
        removals.push({ kind: 'delete-rule', chain, rule });
        removed.push({ table, chain, rule });
      }
    }
    const missing = wanted.filter((rule) => !counts.has(rule));
    for (const rule of [...missing].reverse()) inserts.push({ kind: 'insert', chain, rule });
    for (const rule of missing) added.push({ table, chain, rule });
  }
  return { ops: [...removals, ...inserts], added, removed };
}

function isOwnedJump(table: TableName, rule: string): boolean {
  const target = ruleTarget(rule);
  return target !== undefined && isOwnedChain(table, target);
}

/** The desired chains to compare: all of them, or only the named ones. */
function* candidates(
  chains: ReadonlyMap<string, readonly string[]>,
  only: ReadonlySet<string> | undefined,
): Iterable<[string, readonly string[]]> {
  if (!only) {
    yield* chains;
    return;
  }
  for (const name of only) {
    const rules = chains.get(name);
    if (rules !== undefined) yield [name, rules];
  }
}

function* liveCandidates(
  chains: ReadonlyMap<string, LiveChain>,
  only: ReadonlySet<string>,
): Iterable<readonly [string, LiveChain]> {
  for (const name of only) {
    const chain = chains.get(name);
    if (chain !== undefined) yield [name, chain];
  }
}

/** Chains shorter than this are rewritten whole: their restore input is short anyway. */
const EDIT_MIN_RULES = 32;
/** At most this many edits, and at most a quarter of the chain's rules. */
const EDIT_MAX = 256;

/**
 * Rule-level edits that turn `before` into `after`, when that is much shorter than rewriting the
 * chain: deletions by position from the bottom up, then insertions by final position from the top
 * down (each lands where it belongs because everything above it is already in place).
 */
function chainEdits(
  chain: string,
  before: readonly string[],
  after: readonly string[],
): { ops: RestoreOp[]; counts: { deleted: number; inserted: number } } | undefined {
  if (Math.max(before.length, after.length) < EDIT_MIN_RULES) return undefined;
  const script = editScript(before, after, Math.min(EDIT_MAX, Math.floor(after.length / 4)));
  if (!script) return undefined;
  const ops: RestoreOp[] = [];
  for (let i = script.deleted.length - 1; i >= 0; i--) {
    ops.push({ kind: 'delete-at', chain, position: (script.deleted[i] as number) + 1 });
  }
  let length = before.length - script.deleted.length;
  for (const j of script.inserted) {
    const rule = after[j] as string;
    ops.push(
      j === length ? { kind: 'append', chain, rule } : { kind: 'insert', chain, rule, position: j + 1 },
    );
    length++;
  }
  return { ops, counts: { deleted: script.deleted.length, inserted: script.inserted.length } };
}

function sameRules(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The chains that rules still jump to once the plan's other lines are applied. Desired chains never
 * jump to a stale chain (they only name chains the ruleset has), so only the chains kproxy leaves
 * alone need reading: foreign chains and the built-ins after the hook changes. Stale chains are
 * flushed first, so they do not keep each other alive.
 */
function referencesToStale(
  table: TableName,
  want: TableRules,
  haveChains: ReadonlyMap<string, LiveChain>,
  stale: readonly (readonly [string, LiveChain])[],
  hookOps: readonly RestoreOp[],
): Set<string> {
  const staleNames = new Set(stale.map(([name]) => name));
  const untouched = new Map<string, LiveChain>();
  for (const name of unownedChains(table, haveChains)) {
    const chain = haveChains.get(name);
    if (chain && !want.chains.has(name) && !staleNames.has(name)) untouched.set(name, chain);
  }
  return referencedChains(applyOpsToTable({ chains: untouched }, table, hookOps));
}

/**
 * Built-in and foreign chains of a live table: the only chains besides kproxy's own that can jump
 * to a kproxy chain. Remembered per chain map, since kproxy's plans never add or remove them and
 * the Applier updates its map in place.
 */
const unownedByMap = new WeakMap<ReadonlyMap<string, LiveChain>, string[]>();

function unownedChains(table: TableName, chains: ReadonlyMap<string, LiveChain>): string[] {
  let names = unownedByMap.get(chains);
  if (!names) {
    names = [...chains.keys()].filter((name) => isBuiltinChain(name) || !isOwnedChain(table, name));
    unownedByMap.set(chains, names);
  }
  return names;
}
