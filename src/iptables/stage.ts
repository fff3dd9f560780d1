import { renderOp, type RestoreOp, type RestorePlan } from './restore-plan.js';

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
  /** Restore inputs to send first, in order: declarations of every new chain, then their rules. */
  readonly stages: readonly string[];
  /** The input whose commit makes the new rules visible. */
  readonly final: string;
}

/** Plans above this many lines are staged; smaller ones go in one transaction. */
export const STAGE_THRESHOLD_LINES = 20_000;
const CHUNK_LINES = 4_000;

function chunked(table: string, lines: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += CHUNK_LINES) {
    out.push([`*${table}`, ...lines.slice(i, i + CHUNK_LINES), 'COMMIT', ''].join('\n'));
  }
  return out;
}

/** Rules of one chain, grouped so a chain is never split across two staging transactions. */
function chainGroups(ops: readonly RestoreOp[], created: ReadonlySet<string>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const op of ops) {
    if (op.kind !== 'append' || !created.has(op.chain)) continue;
    const list = groups.get(op.chain);
    if (list) list.push(renderOp(op));
    else groups.set(op.chain, [renderOp(op)]);
  }
  return groups;
}

function fillChunks(table: string, groups: ReadonlyMap<string, string[]>): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const rules of groups.values()) {
    if (current.length > 0 && current.length + rules.length > CHUNK_LINES) {
      out.push([`*${table}`, ...current, 'COMMIT', ''].join('\n'));
      current = [];
    }
    current.push(...rules);
  }
  if (current.length > 0) out.push([`*${table}`, ...current, 'COMMIT', ''].join('\n'));
  return out;
}

export function stageRestore(plan: RestorePlan): StagedRestore {
  const declareStages: string[] = [];
  const fillStages: string[] = [];
  const finalTables: string[] = [];
  for (const planned of plan.tables) {
    const created = new Set(
      plan.changes.filter((c) => c.kind === 'created' && c.table === planned.table).map((c) => c.chain),
    );
    declareStages.push(
      ...chunked(
        planned.table,
        [...created].map((chain) => `:${chain} - [0:0]`),
      ),
    );
    fillStages.push(...fillChunks(planned.table, chainGroups(planned.ops, created)));
    const rest = planned.ops.filter(
      (op) => !(op.kind === 'declare' || op.kind === 'append') || !created.has(op.chain),
    );
    if (rest.length > 0) finalTables.push([`*${planned.table}`, ...rest.map(renderOp), 'COMMIT'].join('\n'));
  }
  return {
    stages: [...declareStages, ...fillStages],
    final: finalTables.length === 0 ? '' : finalTables.join('\n') + '\n',
  };
}
