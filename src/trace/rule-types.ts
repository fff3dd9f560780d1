import type { Address, Cidr } from './address.js';

/** The structured form of one rule, as far as the tracer understands it. */
export interface ParsedRule {
  readonly matches: readonly Match[];
  readonly target: Target;
  /** The `--comment` text, when the rule has one. */
  readonly comment?: string;
}

export interface PortRange {
  readonly first: number;
  readonly last: number;
}

export type AddressField = 'src' | 'dst';

/** Connection-tracking states `-m conntrack --ctstate` can name. */
export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED' | 'SNAT' | 'DNAT';

export type Match =
  | { readonly kind: 'address'; readonly field: AddressField; readonly negated: boolean; readonly cidr: Cidr }
  | { readonly kind: 'protocol'; readonly negated: boolean; readonly protocol: string }
  | { readonly kind: 'in-interface'; readonly negated: boolean; readonly pattern: string }
  | { readonly kind: 'dport'; readonly negated: boolean; readonly ranges: readonly PortRange[] }
  | { readonly kind: 'addrtype-local'; readonly field: AddressField; readonly negated: boolean }
  /** Already inverted when the option was negated. */
  | { readonly kind: 'statistic'; readonly probability: number }
  | {
      readonly kind: 'recent';
      readonly mode: 'check' | 'set';
      readonly negated: boolean;
      readonly name: string;
      readonly field: AddressField;
      readonly mask: Address | undefined;
    }
  | { readonly kind: 'mark'; readonly negated: boolean; readonly value: number; readonly mask: number }
  | { readonly kind: 'ctstate'; readonly negated: boolean; readonly states: readonly CtState[] }
  /** Matches every packet: `-m comment`, `-m nfacct`. */
  | { readonly kind: 'always'; readonly module: string }
  /** Something the tracer cannot evaluate; a rule whose other matches all hold reports it. */
  | { readonly kind: 'unsupported'; readonly reason: string };

export type Target =
  /** No `-j`: a counter only, evaluation continues with the next rule. */
  | { readonly kind: 'none' }
  | { readonly kind: 'jump'; readonly chain: string }
  | { readonly kind: 'return' }
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'reject'; readonly rejectWith: string | undefined }
  | { readonly kind: 'dnat'; readonly address: Address; readonly port: number | undefined }
  | { readonly kind: 'masquerade' }
  /** New mark = (mark & ~mask) ^ value, the kernel's xt_MARK. */
  | { readonly kind: 'mark'; readonly value: number; readonly mask: number }
  | { readonly kind: 'unsupported'; readonly reason: string };
