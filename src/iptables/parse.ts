import type { IpFamily } from '../model/family.js';
import type { RuleSet, TableRules } from '../model/ruleset.js';
import type { LiveChain, LiveRuleSet, LiveTable } from './live.js';

/**
 * Parses iptables-save output (any tables and chains, with or without `-c` counters) into a
 * LiveRuleSet (parseSave) or one with counters (parseSaveWithCounters). Pure; throws
 * SaveParseError on a line it does not understand.
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

export interface ParseOptions {
  /**
   * The ruleset the kernel is expected to hold (what the caller is about to apply). A chain whose
   * rules equal that ruleset's chain gets its array instead of parsed copies, so reading a node that
   * is in sync keeps nothing of the save text (tens of MB at 10k services) once parsed.
   */
  readonly expected?: RuleSet;
}

/**
 * The chain being read: while its rules match the expected ones it only counts them; from the
 * first difference on it keeps its own copies.
 */
class ChainReader {
  private matched = 0;
  private own: string[] | undefined;

  constructor(
    public policy: string | undefined,
    private readonly expected: readonly string[] | undefined,
  ) {}

  add(rule: string): void {
    if (this.own) this.own.push(detached(rule));
    else if (this.expected?.[this.matched] === rule) this.matched++;
    else this.own = [...(this.expected?.slice(0, this.matched) ?? []), detached(rule)];
  }

  get rules(): readonly string[] {
    if (this.own) return this.own;
    if (!this.expected) return [];
    return this.matched === this.expected.length ? this.expected : this.expected.slice(0, this.matched);
  }
}

/**
 * A copy of a substring that does not keep the text it was cut from alive. V8 represents a
 * substring as a view into its parent; concatenating makes a new string, and slicing that
 * flattens it into fresh storage.
 */
function detached(part: string): string {
  return (' ' + part).slice(1);
}

/** Calls `fn` with each line of `text` and its 1-based number, without splitting it into an array. */
function forEachLine(text: string, fn: (line: string, lineNo: number) => void): number {
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    fn(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end), lineNo);
    start = end + 1;
  }
  return lineNo;
}

type Declaration = ReturnType<typeof parseDeclaration>;
type RuleLine = ReturnType<typeof parseRuleLine>;

/** What a walk over iptables-save output reports, in input order. */
interface SaveVisitor {
  table(name: string): void;
  declaration(declared: Declaration): void;
  rule(parsed: RuleLine): void;
}

/** Checks the `*table` ... `COMMIT` structure and hands each table, declaration and rule to `visit`. */
function walkSave(text: string, visit: SaveVisitor): void {
  let inTable = false;
  const lines = forEachLine(text, (line, lineNo) => {
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('*')) {
      inTable = true;
      visit.table(line.slice(1));
    } else if (line === 'COMMIT') {
      if (!inTable) throw new SaveParseError('COMMIT outside a table', lineNo);
      inTable = false;
    } else if (!inTable) {
      throw new SaveParseError(`unexpected line outside a table: ${line}`, lineNo);
    } else if (line.startsWith(':')) {
      visit.declaration(parseDeclaration(line, lineNo));
    } else {
      visit.rule(parseRuleLine(line, lineNo));
    }
  });
  if (inTable) throw new SaveParseError('missing COMMIT at end of input', lines);
}

/** The entry for `name` in `chains`, created by `make` when missing. */
function entry<T>(chains: Map<string, T>, name: string, make: () => T): T {
  let found = chains.get(name);
  if (found === undefined) {
    found = make();
    chains.set(name, found);
  }
  return found;
}

export function parseSave(text: string, family: IpFamily, opts: ParseOptions = {}): LiveRuleSet {
  const tables = new Map<string, Map<string, ChainReader>>();
  let current = new Map<string, ChainReader>();
  let expected: ReadonlyMap<string, readonly string[]> | undefined;
  const chain = (name: string): ChainReader =>
    entry(current, name, () => new ChainReader(undefined, expected?.get(name)));
  walkSave(text, {
    table(name) {
      current = entry(tables, name, () => new Map<string, ChainReader>());
      expected = (opts.expected?.tables as Record<string, TableRules | undefined> | undefined)?.[name]
        ?.chains;
    },
    declaration(declared) {
      chain(declared.name).policy = declared.policy;
    },
    rule(parsed) {
      chain(parsed.chain).add(parsed.rule);
    },
  });
  const result = new Map<string, LiveTable>();
  for (const [name, chains] of tables) {
    const live = new Map<string, LiveChain>();
    for (const [chainName, reader] of chains)
      live.set(detached(chainName), { policy: reader.policy, rules: reader.rules });
    result.set(name, { chains: live });
  }
  return { family, tables: result };
}

export function parseSaveWithCounters(text: string, family: IpFamily): CountedRuleSet {
  const tables = new Map<string, { chains: Map<string, MutableChain> }>();
  let current = new Map<string, MutableChain>();
  const chain = (name: string): MutableChain =>
    entry(current, name, () => ({ policy: undefined, chainCounters: undefined, rules: [], counters: [] }));
  walkSave(text, {
    table(name) {
      current = entry(tables, name, () => ({ chains: new Map<string, MutableChain>() })).chains;
    },
    declaration(declared) {
      const found = chain(declared.name);
      found.policy = declared.policy;
      found.chainCounters = declared.counters;
    },
    rule(parsed) {
      const found = chain(parsed.chain);
      found.rules.push(parsed.rule);
      found.counters.push(parsed.counters);
    },
  });
  return { family, tables };
}

/** `:NAME POLICY [p:b]` */
function parseDeclaration(
  line: string,
  lineNo: number,
): { name: string; policy: string; counters: PacketCounters | undefined } {
  const m = DECLARATION.exec(line);
  if (!m) throw new SaveParseError(`malformed chain declaration: ${line}`, lineNo);
  return {
    name: m[1] as string,
    policy: m[2] as string,
    counters: m[3] !== undefined ? counters(m[3], m[4] as string) : undefined,
  };
}

/** `[p:b] -A CHAIN rule`: the chain, the rule text after `-A CHAIN `, and the counters if given. */
function parseRuleLine(
  line: string,
  lineNo: number,
): { chain: string; rule: string; counters: PacketCounters | undefined } {
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
  if (chainName === '') throw new SaveParseError(`rule without a chain: ${line}`, lineNo);
  return { chain: chainName, rule: space === -1 ? '' : afterA.slice(space + 1), counters: ruleCounters };
}

function counters(packets: string, bytes: string): PacketCounters {
  return { packets: BigInt(packets), bytes: BigInt(bytes) };
}
