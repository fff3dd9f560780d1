import { parseCidr } from './address.js';
import { parseMatchModule } from './match-modules.js';
import type { AddressField, Match, ParsedRule, Target } from './rule-types.js';
import { parseTarget } from './target-parse.js';
import { tokenize } from './tokenize.js';

export type { Match, ParsedRule, Target } from './rule-types.js';

/**
 * Parses a rule (the text after `-A CHAIN `, as iptables-save prints it) into matches and a target.
 * Never throws: whatever is not understood becomes an `unsupported` match or target, which the
 * tracer reports as "cannot evaluate rule" when a packet gets that far, instead of guessing.
 */
export function parseRule(text: string): ParsedRule {
  const tokenized = tokenize(text);
  if (tokenized.kind === 'invalid') {
    return { matches: [{ kind: 'unsupported', reason: tokenized.reason }], target: { kind: 'none' } };
  }
  const tokens = tokenized.tokens;
  const matches: Match[] = [];
  let target: Target = { kind: 'none' };
  let comment: string | undefined;
  let i = 0;
  while (i < tokens.length) {
    const negated = tokens[i] === '!';
    const option = tokens[negated ? i + 1 : i];
    const value = tokens[negated ? i + 2 : i + 1];
    const valueAt = negated ? i + 2 : i + 1;
    if (option === undefined || !isBasicOption(option) || value === undefined) {
      matches.push({ kind: 'unsupported', reason: `unexpected argument "${tokens[i] ?? ''}"` });
      break;
    }
    if (option === '-j') {
      target = negated
        ? { kind: 'unsupported', reason: 'negated -j' }
        : parseTarget(value, tokens.slice(valueAt + 1));
      break;
    }
    if (option === '-g') {
      target = { kind: 'unsupported', reason: `-g ${value} (goto is not modelled)` };
      break;
    }
    if (option === '-m') {
      const end = nextBasicOption(tokens, valueAt + 1);
      const module = parseMatchModule(value, tokens.slice(valueAt + 1, end));
      matches.push(...(negated ? [{ kind: 'unsupported', reason: 'negated -m' } as const] : module.matches));
      comment = module.comment ?? comment;
      i = end;
      continue;
    }
    matches.push(basicMatch(option, value, negated));
    i = valueAt + 1;
  }
  return comment === undefined ? { matches, target } : { matches, target, comment };
}

function isBasicOption(token: string): boolean {
  return /^-[a-zA-Z]$/.test(token);
}

function nextBasicOption(tokens: readonly string[], from: number): number {
  for (let j = from; j < tokens.length; j++) {
    const token = tokens[j]!;
    if (isBasicOption(token)) return j;
    if (token === '!' && isBasicOption(tokens[j + 1] ?? '')) return j;
  }
  return tokens.length;
}

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '132': 'sctp',
  '0': 'all',
};

function basicMatch(option: string, value: string, negated: boolean): Match {
  switch (option) {
    case '-s':
    case '-d': {
      const cidr = parseCidr(value);
      const field: AddressField = option === '-s' ? 'src' : 'dst';
      return cidr === undefined
        ? { kind: 'unsupported', reason: `${option} ${value} is not an address or prefix` }
        : { kind: 'address', field, negated, cidr };
    }
    case '-p': {
      const lower = value.toLowerCase();
      return { kind: 'protocol', negated, protocol: PROTOCOL_NUMBERS[lower] ?? lower };
    }
    case '-i':
      return { kind: 'in-interface', negated, pattern: value };
    default:
      return { kind: 'unsupported', reason: `option ${option} is not modelled` };
  }
}
