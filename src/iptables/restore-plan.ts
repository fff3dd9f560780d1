import type { IpFamily } from '../model/family.js';
import type { TableName } from '../model/ruleset.js';

/**
 * A restore plan: what one `iptables-restore --noflush` call per family must send, as operations
 * per table plus a summary. Pure data; renderRestoreInput turns it into the input text.
 */

export type RestoreOp =
  /** `:CHAIN - [0:0]`: creates the chain, or flushes it when it exists. */
  | { readonly kind: 'declare'; readonly chain: string }
  /** `-A CHAIN rule` */
  | { readonly kind: 'append'; readonly chain: string; readonly rule: string }
  /**
   * `-A CHAIN rule` for each of `rules`, in order: the contents of a chain declared by the same
   * plan. One op per chain, holding the desired ruleset's own array (never copied or changed), so a
   * cold start's plan costs one op per chain rather than one per rule.
   */
  | { readonly kind: 'fill'; readonly chain: string; readonly rules: readonly string[] }
  /** `-I CHAIN N rule`: inserts at 1-based position N (default 1, the top). */
  | { readonly kind: 'insert'; readonly chain: string; readonly rule: string; readonly position?: number }
  /** `-D CHAIN rule`: deletes the first rule equal to `rule`. */
  | { readonly kind: 'delete-rule'; readonly chain: string; readonly rule: string }
  /** `-D CHAIN N`: deletes the rule at 1-based position N. */
  | { readonly kind: 'delete-at'; readonly chain: string; readonly position: number }
  /** `-X CHAIN` */
  | { readonly kind: 'delete-chain'; readonly chain: string };

export interface PlannedTable {
  readonly table: TableName;
  readonly ops: readonly RestoreOp[];
  /** The table's restore input lines, `*table` to `COMMIT`, rendered on each read (not kept). */
  readonly lines: readonly string[];
  /** The number of those lines. */
  readonly lineCount: number;
}

export interface ChainRef {
  readonly table: TableName;
  readonly chain: string;
}

export interface RuleRef extends ChainRef {
  readonly rule: string;
}

/** A chain that exists and gets other rules. */
interface ChainRewrite {
  readonly table: TableName;
  readonly chain: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export type ChainChange =
  | {
      readonly kind: 'created';
      readonly table: TableName;
      readonly chain: string;
      readonly after: readonly string[];
    }
  /** Flushed (`:CHAIN`) and filled again. */
  | ({ readonly kind: 'rewritten' } & ChainRewrite)
  /** Changed with rule-level edits (`-D CHAIN N`, `-I CHAIN N rule`): few rules differ. */
  | ({ readonly kind: 'edited'; readonly deleted: number; readonly inserted: number } & ChainRewrite)
  | {
      readonly kind: 'deleted';
      readonly table: TableName;
      readonly chain: string;
      readonly before: readonly string[];
    }
  /** An unwanted chain still referenced by a rule kproxy does not own: emptied but kept. */
  | {
      readonly kind: 'flushed';
      readonly table: TableName;
      readonly chain: string;
      readonly before: readonly string[];
    };

export interface RestorePlan {
  readonly family: IpFamily;
  /** Only tables with something to send, in the order filter, nat, mangle. */
  readonly tables: readonly PlannedTable[];
  readonly changes: readonly ChainChange[];
  readonly chainsWritten: readonly ChainRef[];
  readonly chainsDeleted: readonly ChainRef[];
  readonly hooksAdded: readonly RuleRef[];
  readonly hooksRemoved: readonly RuleRef[];
  /** `-A` and positional `-I` lines sent (rules written). */
  readonly rulesWritten: number;
  /** Lines of restore input, `*table` and `COMMIT` included. */
  readonly lineCount: number;
  /** Nothing to send: the caller makes no restore call. */
  readonly empty: boolean;
}

/** The op's restore input lines: one, or one per rule for `fill`. */
export function* opLines(op: RestoreOp): Generator<string> {
  if (op.kind !== 'fill') yield renderOp(op);
  else for (const rule of op.rules) yield withRule(`-A ${op.chain}`, rule);
}

/** The op's restore input lines, joined with newlines (several for `fill`). */
export function renderOp(op: RestoreOp): string {
  switch (op.kind) {
    case 'fill':
      return [...opLines(op)].join('\n');
    case 'declare':
      return `:${op.chain} - [0:0]`;
    case 'append':
      return withRule(`-A ${op.chain}`, op.rule);
    case 'insert':
      return withRule(`-I ${op.chain} ${op.position ?? 1}`, op.rule);
    case 'delete-rule':
      return withRule(`-D ${op.chain}`, op.rule);
    case 'delete-at':
      return `-D ${op.chain} ${op.position}`;
    case 'delete-chain':
      return `-X ${op.chain}`;
    default: {
      const never: never = op;
      return never;
    }
  }
}

/** How many restore input lines an op renders to. */
export function opLineCount(op: RestoreOp): number {
  return op.kind === 'fill' ? op.rules.length : 1;
}

/** How many rules an op writes into a chain: `-A` lines and positional `-I` lines. */
export function rulesWrittenBy(op: RestoreOp): number {
  if (op.kind === 'fill') return op.rules.length;
  return op.kind === 'append' || (op.kind === 'insert' && op.position !== undefined) ? 1 : 0;
}

function withRule(head: string, rule: string): string {
  return rule === '' ? head : `${head} ${rule}`;
}

/**
 * A table's part of a plan. Its lines are rendered when read rather than kept: a cold start's
 * plan has hundreds of thousands of ops, and a second copy of every rule as a restore line would
 * double the plan's memory for nothing (the restore input is rendered in chunks).
 */
export function planTable(table: TableName, ops: readonly RestoreOp[]): PlannedTable {
  return {
    table,
    ops,
    get lines(): readonly string[] {
      return [`*${table}`, ...ops.flatMap((op) => [...opLines(op)]), 'COMMIT'];
    },
    lineCount: ops.reduce((n, op) => n + opLineCount(op), 2),
  };
}

/** Assembles a plan from its tables (tables without ops are dropped) and summary parts. */
export function makePlan(
  family: IpFamily,
  tables: readonly PlannedTable[],
  parts: Pick<RestorePlan, 'changes' | 'hooksAdded' | 'hooksRemoved'>,
): RestorePlan {
  const sent = tables.filter((t) => t.ops.length > 0);
  const ref = (c: ChainChange): ChainRef => ({ table: c.table, chain: c.chain });
  return {
    family,
    tables: sent,
    ...parts,
    // Derived on each read: a cold start writes 100k+ chains, and the summary needs only counts.
    get chainsWritten(): readonly ChainRef[] {
      return parts.changes
        .filter((c) => c.kind === 'created' || c.kind === 'rewritten' || c.kind === 'edited')
        .map(ref);
    },
    get chainsDeleted(): readonly ChainRef[] {
      return parts.changes.filter((c) => c.kind === 'deleted').map(ref);
    },
    rulesWritten: sent.reduce((n, t) => t.ops.reduce((m, op) => m + rulesWrittenBy(op), n), 0),
    lineCount: sent.reduce((n, t) => n + t.lineCount, 0),
    empty: sent.length === 0,
  };
}

/** Lines rendered and joined into one chunk: bounds the short-lived strings of a big input. */
const CHUNK_LINES = 4096;

/**
 * The restore input of a table's ops as chunks of at most about CHUNK_LINES lines, each ending
 * with a newline, `*table` first and `COMMIT` last. A big `fill` is split across chunks.
 */
export function* tableInputChunks(table: string, ops: Iterable<RestoreOp>): Generator<string> {
  let lines: string[] = [`*${table}`];
  const flush = (): string => {
    const chunk = lines.join('\n') + '\n';
    lines = [];
    return chunk;
  };
  for (const op of ops) {
    for (const line of opLines(op)) {
      lines.push(line);
      if (lines.length >= CHUNK_LINES) yield flush();
    }
  }
  lines.push('COMMIT');
  yield flush();
}

/**
 * A plan's iptables-restore input, rendered chunk by chunk each time it is iterated: what the
 * runner streams to iptables-restore's stdin, so a cold start's input (tens of MB at 10k
 * services) never exists as one string. Empty for an empty plan.
 */
export function restoreInput(plan: RestorePlan): Iterable<string> {
  return {
    *[Symbol.iterator]() {
      if (plan.empty) return;
      for (const t of plan.tables) yield* tableInputChunks(t.table, t.ops);
    },
  };
}

/** The iptables-restore input for a plan as one string; '' when the plan is empty. */
export function renderRestoreInput(plan: RestorePlan): string {
  return [...restoreInput(plan)].join('');
}
