import type { IpFamily } from '../model/family.js';
import type { LiveChain, LiveRuleSet } from './live.js';

/**
 * Parses iptables-save output (any tables and chains, with or without `-c` counters) into a
 * LiveRuleSet. Pure; throws SaveParseError on a line it does not understand.
 */

export interface PacketCounters {
  readonly packets: bigint;
  readonly bytes: bigint;
}

export interface CountedChain extends LiveChain {
  /** The chain's own counters from its declaration (built-in chains only carry real values). */
  readonly chainCounters: PacketCounters | undefined;
  /** Per rule, parallel to `rules`; undefined where the line had no `[p:b]` prefix. */
  readonly counters: readonly (PacketCounters | undefined)[];
}

export interface CountedRuleSet extends LiveRuleSet {
  readonly tables: ReadonlyMap<string, { readonly chains: ReadonlyMap<string, CountedChain> }>;
}

export class SaveParseError extends Error {
  override readonly name = 'SaveParseError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

interface MutableChain {
  policy: string | undefined;
  chainCounters: PacketCounters | undefined;
  rules: string[];
  counters: (PacketCounters | undefined)[];
}

const COUNTERS = /^\[(\d+):(\d+)\]/;
const DECLARATION = /^:(\S+) (\S+)(?: \[(\d+):(\d+)\])?$/;

export function parseSave(text: string, family: IpFamily): LiveRuleSet {
  const counted = parseSaveWithCounters(text, family);
  const tables = new Map(
    [...counted.tables].map(([name, t]) => [
      name,
      { chains: new Map([...t.chains].map(([c, ch]) => [c, { policy: ch.policy, rules: ch.rules }])) },
    ]),
  );
  return { family, tables };
}

export function parseSaveWithCounters(text: string, family: IpFamily): CountedRuleSet {
  const tables = new Map<string, { chains: Map<string, MutableChain> }>();
  let current: Map<string, MutableChain> | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('*')) {
      const name = line.slice(1);
      current = tables.get(name)?.chains ?? new Map();
      tables.set(name, { chains: current });
      return;
    }
    if (line === 'COMMIT') {
      if (!current) throw new SaveParseError('COMMIT outside a table', lineNo);
      current = undefined;
      return;
    }
    if (!current) throw new SaveParseError(`unexpected line outside a table: ${line}`, lineNo);
    if (line.startsWith(':')) {
      declareChain(current, line, lineNo);
      return;
    }
    appendRule(current, line, lineNo);
  });
  if (current) throw new SaveParseError('missing COMMIT at end of input', lines.length);
  return { family, tables };
}

function declareChain(chains: Map<string, MutableChain>, line: string, lineNo: number): void {
  const m = DECLARATION.exec(line);
  if (!m) throw new SaveParseError(`malformed chain declaration: ${line}`, lineNo);
  const name = m[1] as string;
  const chainCounters = m[3] !== undefined ? counters(m[3], m[4] as string) : undefined;
  const existing = chains.get(name);
  if (existing) {
    existing.policy = m[2];
    existing.chainCounters = chainCounters;
  } else {
    chains.set(name, { policy: m[2], chainCounters, rules: [], counters: [] });
  }
}

function appendRule(chains: Map<string, MutableChain>, line: string, lineNo: number): void {
  let rest = line;
  let ruleCounters: PacketCounters | undefined;
  const c = COUNTERS.exec(rest);
  if (c) {
    ruleCounters = counters(c[1] as string, c[2] as string);
    rest = rest.slice(c[0].length).trimStart();
  }
  if (!rest.startsWith('-A ')) throw new SaveParseError(`unexpected line: ${line}`, lineNo);
  const afterA = rest.slice(3);
  const space = afterA.indexOf(' ');
  const chainName = space === -1 ? afterA : afterA.slice(0, space);
  const rule = space === -1 ? '' : afterA.slice(space + 1);
  if (chainName === '') throw new SaveParseError(`rule without a chain: ${line}`, lineNo);
  let chain = chains.get(chainName);
  if (!chain) {
    chain = { policy: undefined, chainCounters: undefined, rules: [], counters: [] };
    chains.set(chainName, chain);
  }
  chain.rules.push(rule);
  chain.counters.push(ruleCounters);
}

function counters(packets: string, bytes: string): PacketCounters {
  return { packets: BigInt(packets), bytes: BigInt(bytes) };
}
