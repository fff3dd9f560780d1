import { parseAddress } from './address.js';
import { parsePort, parseUint32, parseValueMask, readOptions, type ModuleOption } from './options.js';
import type { Target } from './rule-types.js';

interface TargetSpec {
  readonly arity: Readonly<Record<string, number>>;
  readonly parse: (options: readonly ModuleOption[]) => Target;
}

const TARGETS: Readonly<Record<string, TargetSpec>> = {
  ACCEPT: { arity: {}, parse: () => ({ kind: 'accept' }) },
  DROP: { arity: {}, parse: () => ({ kind: 'drop' }) },
  RETURN: { arity: {}, parse: () => ({ kind: 'return' }) },
  REJECT: {
    arity: { '--reject-with': 1 },
    parse: (options) => ({ kind: 'reject', rejectWith: options[0]?.values[0] }),
  },
  DNAT: { arity: { '--to-destination': 1, '--random': 0, '--persistent': 0 }, parse: dnatTarget },
  MASQUERADE: {
    arity: { '--random-fully': 0, '--random': 0, '--to-ports': 1 },
    parse: () => ({ kind: 'masquerade' }),
  },
  MARK: {
    arity: { '--set-xmark': 1, '--set-mark': 1, '--or-mark': 1, '--and-mark': 1, '--xor-mark': 1 },
    parse: markTarget,
  },
};

/** Targets that exist but whose effect the tracer does not model. */
const UNMODELLED_TARGETS: ReadonlySet<string> = new Set([
  'SNAT',
  'REDIRECT',
  'NETMAP',
  'TPROXY',
  'LOG',
  'NFLOG',
  'ULOG',
  'CT',
  'NOTRACK',
  'CONNMARK',
  'TCPMSS',
  'TEE',
  'CLASSIFY',
  'CHECKSUM',
  'AUDIT',
  'NFQUEUE',
  'QUEUE',
  'SET',
  'TRACE',
]);

/** Parses `-j NAME options...`. A name that is no known target is a jump to a user chain. */
export function parseTarget(name: string, tokens: readonly string[]): Target {
  const spec = Object.hasOwn(TARGETS, name) ? TARGETS[name] : undefined;
  if (spec === undefined) {
    if (UNMODELLED_TARGETS.has(name))
      return { kind: 'unsupported', reason: `target ${name} is not modelled` };
    if (tokens.length > 0) return { kind: 'unsupported', reason: `unknown target ${name} with options` };
    return { kind: 'jump', chain: name };
  }
  const read = readOptions(tokens, spec.arity, `-j ${name}`);
  return read.kind === 'invalid' ? { kind: 'unsupported', reason: read.reason } : spec.parse(read.options);
}

function dnatTarget(options: readonly ModuleOption[]): Target {
  const destinations = options.filter((o) => o.name === '--to-destination');
  const text = destinations[0]?.values[0];
  if (destinations.length !== 1 || text === undefined) {
    return { kind: 'unsupported', reason: 'DNAT: exactly one --to-destination is modelled' };
  }
  const parsed = splitHostPort(text);
  const address = parsed && parseAddress(parsed.host);
  const port = parsed?.port === undefined ? undefined : parsePort(parsed.port);
  if (parsed === undefined || address === undefined || (parsed.port !== undefined && port === undefined)) {
    return { kind: 'unsupported', reason: `DNAT: --to-destination ${text} (ranges are not modelled)` };
  }
  return { kind: 'dnat', address, port };
}

/** `1.2.3.4`, `1.2.3.4:80`, `[fd00::1]:80`, `[fd00::1]`, `fd00::1`. */
function splitHostPort(text: string): { host: string; port: string | undefined } | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    return { host: text.slice(1, close), port: rest === '' ? undefined : rest.slice(1) };
  }
  const colons = text.split(':').length - 1;
  if (colons !== 1) return { host: text, port: undefined };
  const [host = '', port] = text.split(':');
  return { host, port };
}

function markTarget(options: readonly ModuleOption[]): Target {
  const option = options[0];
  if (options.length !== 1 || option === undefined)
    return { kind: 'unsupported', reason: 'MARK: exactly one option is modelled' };
  const text = option.values[0] ?? '';
  const bad: Target = { kind: 'unsupported', reason: `MARK: bad value ${option.name} ${text}` };
  switch (option.name) {
    case '--set-xmark': {
      const vm = parseValueMask(text);
      return vm === undefined ? bad : { kind: 'mark', ...vm };
    }
    case '--set-mark': {
      // libxt_MARK turns --set-mark v/m into xset with mask m|v.
      const vm = parseValueMask(text);
      return vm === undefined ? bad : { kind: 'mark', value: vm.value, mask: (vm.mask | vm.value) >>> 0 };
    }
    default: {
      const value = parseUint32(text);
      if (value === undefined) return bad;
      if (option.name === '--or-mark') return { kind: 'mark', value, mask: value };
      if (option.name === '--xor-mark') return { kind: 'mark', value, mask: 0 };
      return { kind: 'mark', value: 0, mask: ~value >>> 0 };
    }
  }
}
