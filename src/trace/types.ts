import type { TraceTableName } from './tables.js';

export type TraceProtocol = 'tcp' | 'udp' | 'sctp';

/**
 * xt_recent state, per list name: the addresses the list holds (what
 * /proc/net/xt_recent/NAME shows). Entries are taken as fresh: `--seconds` is not checked.
 */
export type AffinityState = ReadonlyMap<string, readonly string[]>;

/** The first packet of a new connection. */
export interface TracePacket {
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  readonly protocol: TraceProtocol;
  /** `remote`: arrives on an interface; `local`: sent by a process on the node. */
  readonly origin: 'remote' | 'local';
  /** Input interface of a remote packet, for `-i` matches; unset means one no `-i` pattern names. */
  readonly inInterface?: string;
  /** Which recent lists already hold this client; unset or `none`: no list holds it. */
  readonly affinity?: AffinityState | 'none';
}

export interface TraceHost {
  /** The node's addresses (`-m addrtype LOCAL`, routing); 127.0.0.0/8 and ::1 are always local. */
  readonly localAddresses: readonly string[];
}

/** A rule a branch matched. `ruleIndex` is 0-based; `iptables -L --line-numbers` shows it plus 1. */
export interface TraceStep {
  readonly table: TraceTableName;
  readonly chain: string;
  readonly ruleIndex: number;
  readonly rule: string;
}

/**
 * DNAT: delivered to a rewritten destination; ACCEPT: delivered to the original one; ERROR: a rule
 * on the way could not be evaluated (see `error`), so the tracer does not know.
 */
export type Verdict = 'DNAT' | 'ACCEPT' | 'REJECT' | 'DROP' | 'ERROR';

export interface Outcome {
  readonly verdict: Verdict;
  /** `ip:port` (`[ip]:port` for IPv6) the packet is delivered to; DNAT and ACCEPT only. */
  readonly endpoint?: string;
  /** Share of new connections that end this way, 0..1. */
  readonly probability: number;
  /** MASQUERADE applied in nat POSTROUTING. */
  readonly masqueraded: boolean;
  /** The last recent list this connection was `--set` into (ClientIP affinity). */
  readonly affinitySet?: string;
  /** For ERROR: `cannot evaluate rule: ...`. */
  readonly error?: string;
  /** For a DROP by a built-in chain's policy: `table CHAIN`. */
  readonly droppedByPolicy?: string;
  /** Rules matched, in order (for a REJECT/DROP/ERROR the last one is where it ended). */
  readonly steps: readonly TraceStep[];
  /** Built-in chains traversed, in order (`nat PREROUTING`, `filter FORWARD`, ...). */
  readonly hooks: readonly string[];
}

export interface TraceResult {
  readonly packet: TracePacket;
  /** Merged by verdict, endpoint, masquerade, affinity and error; most likely first. */
  readonly outcomes: readonly Outcome[];
}

/** The packet or host description itself is unusable (not an address, mixed families, ...). */
export class TraceInputError extends Error {
  override readonly name = 'TraceInputError';
}
