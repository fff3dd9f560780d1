import { opLineCount, tableInputChunks, type RestoreOp, type RestorePlan } from './restore-plan.js';

/**
 * Splitting a large restore into staging steps and one final step.
 *
 * iptables-nft-restore 1.8 with --noflush is quadratic in the size of one transaction (measured:
 * 33k chain declarations take 7 s in one call and 0.5 s in eight), so a cold start of a big
 * cluster sent as one input takes minutes. Chains a plan creates do not exist yet, so no rule can
 * jump to them: creating and filling them ahead of time, in small transactions, changes no
 * packet's path. The final transaction then does everything that traffic can see (rewrites of
 * existing chains, hooks from the built-in chains, deletions) atomically, as before. If kproxy
 * stops between steps, the staged chains are unreferenced and the next sync adopts or deletes them.
 */

export interface StagedRestore {
  /**
   * Restore inputs to send first, in order: declarations of every new chain, then their rules.
   * Rendered one transaction at a time as it is iterated (and again on every iteration).
   */
  readonly stages: Iterable<string>;
  /** The input whose commit makes the new rules visible, in chunks; nothing when there is none. */
  readonly final: Iterable<string>;
  /** The final input has no table to send. */
  readonly finalEmpty: boolean;
}

/** Plans above this many lines are staged; smaller ones go in one transaction. */
export const STAGE_THRESHOLD_LINES = 20_000;
const CHUNK_LINES = 4_000;

function once(fn: () => Generator<string>): Iterable<string> {
  return { [Symbol.iterator]: fn };
}

/** One transaction's input from one table's ops (without chunking: each stage is small). */
function transaction(table: string, ops: readonly RestoreOp[]): string {
  return [...tableInputChunks(table, ops)].join('');
}

/** Declarations of the created chains, CHUNK_LINES per transaction. */
function* declareStages(table: string, created: readonly string[]): Generator<string> {
  for (let i = 0; i < created.length; i += CHUNK_LINES) {
    const ops = created.slice(i, i + CHUNK_LINES).map((chain): RestoreOp => ({ kind: 'declare', chain }));
    yield transaction(table, ops);
  }
}

/**
 * The rules of the created chains, about CHUNK_LINES per transaction; a chain is never split
 * across two transactions (a chain longer than that gets one of its own).
 */
function* fillStages(
  table: string,
  ops: readonly RestoreOp[],
  created: ReadonlySet<string>,
): Generator<string> {
  let batch: RestoreOp[] = [];
  let lines = 0;
  for (const op of ops) {
    if (!((op.kind === 'fill' || op.kind === 'append') && created.has(op.chain))) continue;
    const n = opLineCount(op);
    if (lines > 0 && lines + n > CHUNK_LINES && !continues(batch, op)) {
      yield transaction(table, batch);
      batch = [];
      lines = 0;
    }
    batch.push(op);
    lines += n;
  }
  if (batch.length > 0) yield transaction(table, batch);
}

/** `op` writes to the chain the batch's last op wrote to (plans keep a chain's ops together). */
function continues(batch: readonly RestoreOp[], op: RestoreOp): boolean {
  return batch.length > 0 && batch[batch.length - 1]?.chain === op.chain;
}

export function stageRestore(plan: RestorePlan): StagedRestore {
  const tables = plan.tables.map((planned) => {
    const created = plan.changes
      .filter((c) => c.kind === 'created' && c.table === planned.table)
      .map((c) => c.chain);
    const createdSet = new Set(created);
    const rest = planned.ops.filter(
      (op) =>
        !(op.kind === 'declare' || op.kind === 'fill' || op.kind === 'append') || !createdSet.has(op.chain),
    );
    return { table: planned.table, ops: planned.ops, created, createdSet, rest };
  });
  return {
    stages: once(function* () {
      for (const t of tables) yield* declareStages(t.table, t.created);
      for (const t of tables) yield* fillStages(t.table, t.ops, t.createdSet);
    }),
    final: once(function* () {
      for (const t of tables) if (t.rest.length > 0) yield* tableInputChunks(t.table, t.rest);
    }),
    finalEmpty: tables.every((t) => t.rest.length === 0),
  };
}
