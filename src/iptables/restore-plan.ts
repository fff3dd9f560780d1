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

export function renderOp(op: RestoreOp): string {
  switch (op.kind) {
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
      return [`*${table}`, ...ops.map(renderOp), 'COMMIT'];
    },
    lineCount: ops.length + 2,
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
    chainsWritten: parts.changes
      .filter((c) => c.kind === 'created' || c.kind === 'rewritten' || c.kind === 'edited')
      .map(ref),
    chainsDeleted: parts.changes.filter((c) => c.kind === 'deleted').map(ref),
    rulesWritten: sent.reduce((n, t) => n + t.ops.filter(writesRule).length, 0),
    lineCount: sent.reduce((n, t) => n + t.lineCount, 0),
    empty: sent.length === 0,
  };
}

/** Ops rendered and joined at a time: bounds the short-lived line strings of a big input. */
const RENDER_CHUNK_OPS = 4096;

/** The iptables-restore input for a plan; '' when the plan is empty. */
export function renderRestoreInput(plan: RestorePlan): string {
  if (plan.empty) return '';
  const chunks: string[] = [];
  for (const t of plan.tables) {
    chunks.push(`*${t.table}`);
    for (let i = 0; i < t.ops.length; i += RENDER_CHUNK_OPS) {
      chunks.push(
        t.ops
          .slice(i, i + RENDER_CHUNK_OPS)
          .map(renderOp)
          .join('\n'),
      );
    }
    chunks.push('COMMIT');
  }
  return chunks.join('\n') + '\n';
}

/** A rule kproxy writes into one of its chains (hook inserts at the top are not counted). */
function writesRule(op: RestoreOp): boolean {
  return op.kind === 'append' || (op.kind === 'insert' && op.position !== undefined);
}
