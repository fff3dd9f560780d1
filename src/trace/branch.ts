import type { Address } from './address.js';
import type { TraceTableName, TraceTables } from './tables.js';
import type { TraceProtocol, TraceStep } from './types.js';

/** What the tracer knows for the whole trace. */
export interface TraceContext {
  readonly tables: TraceTables;
  readonly src: Address;
  readonly protocol: TraceProtocol;
  readonly localAddresses: readonly Address[];
  /** Recent list name -> addresses it holds. */
  readonly affinity: ReadonlyMap<string, readonly Address[]>;
}

/** The built-in chain a traversal started from. */
export interface Hook {
  readonly table: TraceTableName;
  readonly chain: string;
}

export interface RecentEntry {
  readonly name: string;
  readonly address: Address;
}

/** One way the packet may go: the state that differs between statistic branches. */
export interface Branch {
  readonly probability: number;
  readonly dst: Address;
  readonly dport: number;
  readonly mark: number;
  readonly dnat: boolean;
  readonly masqueraded: boolean;
  /** Undefined: no input interface (locally generated). */
  readonly inInterface: string | undefined;
  readonly recorded: readonly RecentEntry[];
  readonly steps: readonly TraceStep[];
  readonly hooks: readonly string[];
}

/** How a chain traversal ends for one branch. */
export type ChainExit =
  /** End of chain or RETURN: back to the caller (or the policy, for a built-in chain). */
  | { readonly kind: 'fallthrough'; readonly branch: Branch }
  /** ACCEPT, or DNAT / MASQUERADE: this table is done with the packet for this hook. */
  | { readonly kind: 'accept'; readonly branch: Branch }
  | { readonly kind: 'drop'; readonly branch: Branch }
  | { readonly kind: 'reject'; readonly branch: Branch }
  | { readonly kind: 'error'; readonly branch: Branch; readonly message: string };
