import { parseAddress } from './address.js';
import { parsePort, parseValueMask, readOptions, type ModuleOption } from './options.js';
import type { CtState, Match, PortRange } from './rule-types.js';

/** What one `-m NAME options...` contributes to a rule. */
export interface ModuleMatches {
  readonly matches: readonly Match[];
  readonly comment?: string;
}

type ModuleParser = (options: readonly ModuleOption[]) => ModuleMatches;

interface ModuleSpec {
  readonly arity: Readonly<Record<string, number>>;
  readonly parse: ModuleParser;
}

const PORT_MODULE: ModuleSpec = {
  arity: { '--dport': 1, '--destination-port': 1 },
  parse: (options) => ({ matches: options.map((o) => portMatch(o, false)) }),
};

const MODULES: Readonly<Record<string, ModuleSpec>> = {
  tcp: PORT_MODULE,
  udp: PORT_MODULE,
  sctp: PORT_MODULE,
  multiport: {
    arity: { '--dports': 1, '--destination-ports': 1 },
    parse: (options) => ({ matches: options.map((o) => portMatch(o, true)) }),
  },
  comment: {
    arity: { '--comment': 1 },
    parse: (options) => ({
      matches: [{ kind: 'always', module: 'comment' }],
      comment: options[0]?.values[0] ?? '',
    }),
  },
  nfacct: {
    arity: { '--nfacct-name': 1 },
    parse: () => ({ matches: [{ kind: 'always', module: 'nfacct' }] }),
  },
  addrtype: {
    arity: { '--src-type': 1, '--dst-type': 1 },
    parse: (options) => ({ matches: options.map(addrtypeMatch) }),
  },
  statistic: {
    arity: { '--mode': 1, '--probability': 1 },
    parse: (options) => ({ matches: [statisticMatch(options)] }),
  },
  recent: {
    arity: {
      '--name': 1,
      '--rcheck': 0,
      '--update': 0,
      '--set': 0,
      '--seconds': 1,
      '--reap': 0,
      '--mask': 1,
      '--rsource': 0,
      '--rdest': 0,
      '--rttl': 0,
    },
    parse: (options) => ({ matches: [recentMatch(options)] }),
  },
  mark: { arity: { '--mark': 1 }, parse: (options) => ({ matches: options.map(markMatch) }) },
  conntrack: { arity: { '--ctstate': 1 }, parse: (options) => ({ matches: options.map(ctstateMatch) }) },
};

/** Parses the options that follow `-m name`; anything not understood becomes an `unsupported` match. */
export function parseMatchModule(name: string, tokens: readonly string[]): ModuleMatches {
  const spec = Object.hasOwn(MODULES, name) ? MODULES[name] : undefined;
  if (spec === undefined) return unsupported(`unknown match module "${name}"`);
  const read = readOptions(tokens, spec.arity, `-m ${name}`);
  if (read.kind === 'invalid') return unsupported(read.reason);
  return spec.parse(read.options);
}

function unsupported(reason: string): ModuleMatches {
  return { matches: [{ kind: 'unsupported', reason }] };
}

function portMatch(option: ModuleOption, list: boolean): Match {
  const text = option.values[0] ?? '';
  const parts = list ? text.split(',') : [text];
  const ranges = parts.map(parsePortRange);
  if (ranges.some((r) => r === undefined)) return { kind: 'unsupported', reason: `bad port list "${text}"` };
  return { kind: 'dport', negated: option.negated, ranges: ranges as PortRange[] };
}

function parsePortRange(text: string): PortRange | undefined {
  const [firstText = '', lastText, extra] = text.split(':');
  if (extra !== undefined) return undefined;
  const first = parsePort(firstText);
  const last = lastText === undefined ? first : parsePort(lastText);
  return first === undefined || last === undefined ? undefined : { first, last };
}

function addrtypeMatch(option: ModuleOption): Match {
  const type = option.values[0];
  if (type !== 'LOCAL')
    return { kind: 'unsupported', reason: `addrtype ${option.name} ${type ?? ''} (only LOCAL is modelled)` };
  return {
    kind: 'addrtype-local',
    field: option.name === '--src-type' ? 'src' : 'dst',
    negated: option.negated,
  };
}

function statisticMatch(options: readonly ModuleOption[]): Match {
  const mode = options.find((o) => o.name === '--mode');
  const probability = options.find((o) => o.name === '--probability');
  if (mode?.values[0] !== 'random')
    return { kind: 'unsupported', reason: 'statistic: only --mode random is modelled' };
  const p = Number(probability?.values[0]);
  if (probability === undefined || !Number.isFinite(p) || p < 0 || p > 1) {
    return { kind: 'unsupported', reason: 'statistic: missing or bad --probability' };
  }
  return { kind: 'statistic', probability: probability.negated ? 1 - p : p };
}

function recentMatch(options: readonly ModuleOption[]): Match {
  const modes = options.filter((o) => o.name === '--rcheck' || o.name === '--update' || o.name === '--set');
  const mode = modes[0];
  if (modes.length !== 1 || mode === undefined) {
    return { kind: 'unsupported', reason: 'recent: exactly one of --rcheck, --update, --set is modelled' };
  }
  const maskText = options.find((o) => o.name === '--mask')?.values[0];
  const mask = maskText === undefined ? undefined : parseAddress(maskText);
  if (maskText !== undefined && mask === undefined)
    return { kind: 'unsupported', reason: `recent: bad --mask ${maskText}` };
  return {
    kind: 'recent',
    mode: mode.name === '--set' ? 'set' : 'check',
    negated: mode.negated,
    name: options.find((o) => o.name === '--name')?.values[0] ?? 'DEFAULT',
    field: options.some((o) => o.name === '--rdest') ? 'dst' : 'src',
    mask,
  };
}

function markMatch(option: ModuleOption): Match {
  const parsed = parseValueMask(option.values[0] ?? '');
  if (parsed === undefined)
    return { kind: 'unsupported', reason: `mark: bad value ${option.values[0] ?? ''}` };
  return { kind: 'mark', negated: option.negated, ...parsed };
}

const CT_STATES: readonly CtState[] = [
  'NEW',
  'ESTABLISHED',
  'RELATED',
  'INVALID',
  'UNTRACKED',
  'SNAT',
  'DNAT',
];

function ctstateMatch(option: ModuleOption): Match {
  const names = (option.values[0] ?? '').split(',');
  const states = names.filter((n): n is CtState => (CT_STATES as readonly string[]).includes(n));
  if (states.length !== names.length)
    return { kind: 'unsupported', reason: `conntrack: unknown state in ${option.values[0] ?? ''}` };
  return { kind: 'ctstate', negated: option.negated, states };
}
