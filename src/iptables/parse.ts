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

type Declaration = ReturnType<typeof parseDeclaration>;
type RuleLine = ReturnType<typeof parseRuleLine>;

/** What a walk over iptables-save output reports, in input order. */
interface SaveVisitor {
  table(name: string): void;
  declaration(declared: Declaration): void;
  rule(parsed: RuleLine): void;
}

/**
 * Checks the `*table` ... `COMMIT` structure of iptables-save output fed to it in chunks of any
 * size (a line may span chunks), and hands each table, declaration and rule to `visit`.
 */
class SaveWalker {
  private inTable = false;
  private lineNo = 0;
  private pending = '';

  constructor(private readonly visit: SaveVisitor) {}

  write(chunk: string): void {
    const text = this.pending + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.line(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end));
      start = end + 1;
    }
    this.pending = text.slice(start);
  }

  /** The input is complete: a last line without a newline is read, and the last table must be closed. */
  end(): void {
    if (this.pending !== '') {
      const last = this.pending;
      this.pending = '';
      this.line(last.endsWith('\r') ? last.slice(0, -1) : last);
    }
    if (this.inTable) throw new SaveParseError('missing COMMIT at end of input', this.lineNo);
  }

  private line(line: string): void {
    const lineNo = ++this.lineNo;
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('*')) {
      this.inTable = true;
      this.visit.table(line.slice(1));
    } else if (line === 'COMMIT') {
      if (!this.inTable) throw new SaveParseError('COMMIT outside a table', lineNo);
      this.inTable = false;
    } else if (!this.inTable) {
      throw new SaveParseError(`unexpected line outside a table: ${line}`, lineNo);
    } else if (line.startsWith(':')) {
      this.visit.declaration(parseDeclaration(line, lineNo));
    } else {
      this.visit.rule(parseRuleLine(line, lineNo));
    }
  }
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

function expectedChains(
  expected: RuleSet | undefined,
  table: string,
): ReadonlyMap<string, readonly string[]> | undefined {
  return (expected?.tables as Record<string, TableRules | undefined> | undefined)?.[table]?.chains;
}

/**
 * parseSave fed in chunks (`write`, then `finish`): what the Applier streams iptables-save's
 * output into, so the output never exists as one string.
 */
export class SaveParser {
  private readonly tables = new Map<string, Map<string, ChainReader>>();
  private current = new Map<string, ChainReader>();
  private expected: ReadonlyMap<string, readonly string[]> | undefined;
  private readonly walker: SaveWalker;

  constructor(
    private readonly family: IpFamily,
    private readonly opts: ParseOptions = {},
  ) {
    const chain = (name: string): ChainReader =>
      entry(this.current, name, () => new ChainReader(undefined, this.expected?.get(name)));
    this.walker = new SaveWalker({
      table: (name) => {
        this.current = entry(this.tables, name, () => new Map<string, ChainReader>());
        this.expected = expectedChains(this.opts.expected, name);
      },
      declaration: (declared) => {
        chain(declared.name).policy = declared.policy;
      },
      rule: (parsed) => {
        chain(parsed.chain).add(parsed.rule);
      },
    });
  }

  /** Throws SaveParseError on a line it does not understand. */
  write(chunk: string): void {
    this.walker.write(chunk);
  }

  finish(): LiveRuleSet {
    this.walker.end();
    const result = new Map<string, LiveTable>();
    for (const [name, chains] of this.tables) {
      // Chain names the expected ruleset has are stored as its strings (no copy per chain).
      const known = expectedChains(this.opts.expected, name);
      const names = known ? new Map(Array.from(known.keys(), (n) => [n, n])) : undefined;
      const live = new Map<string, LiveChain>();
      for (const [chainName, reader] of chains) {
        live.set(names?.get(chainName) ?? detached(chainName), {
          policy: reader.policy,
          rules: reader.rules,
        });
      }
      result.set(name, { chains: live });
    }
    return { family: this.family, tables: result };
  }
}

export function parseSave(text: string, family: IpFamily, opts: ParseOptions = {}): LiveRuleSet {
  const parser = new SaveParser(family, opts);
  parser.write(text);
  return parser.finish();
}

export function parseSaveWithCounters(text: string, family: IpFamily): CountedRuleSet {
  const tables = new Map<string, { chains: Map<string, MutableChain> }>();
  let current = new Map<string, MutableChain>();
  const chain = (name: string): MutableChain =>
    entry(current, name, () => ({ policy: undefined, chainCounters: undefined, rules: [], counters: [] }));
  const walker = new SaveWalker({
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
  walker.write(text);
  walker.end();
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
