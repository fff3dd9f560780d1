/** One `[!] --option [value...]` of a match module or target, as read from a rule. */
export interface ModuleOption {
  readonly name: string;
  readonly negated: boolean;
  readonly values: readonly string[];
}

export type OptionsResult =
  | { readonly kind: 'options'; readonly options: readonly ModuleOption[] }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Reads a module's options. `arity` says how many values each known option takes; an option not
 * in it makes the whole list unreadable, since its values cannot be told apart from options.
 */
export function readOptions(
  tokens: readonly string[],
  arity: Readonly<Record<string, number>>,
  owner: string,
): OptionsResult {
  const options: ModuleOption[] = [];
  let negated = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '!') {
      negated = true;
      continue;
    }
    const count = Object.hasOwn(arity, token) ? arity[token] : undefined;
    if (count === undefined) return { kind: 'invalid', reason: `unsupported option ${token} of ${owner}` };
    const values = tokens.slice(i + 1, i + 1 + count);
    if (values.length < count)
      return { kind: 'invalid', reason: `option ${token} of ${owner} lacks a value` };
    options.push({ name: token, negated, values });
    negated = false;
    i += count;
  }
  if (negated) return { kind: 'invalid', reason: `dangling "!" in ${owner}` };
  return { kind: 'options', options };
}

/** A 32-bit unsigned number in C notation (`0x4000`, `16384`); undefined when it is not one. */
export function parseUint32(text: string): number | undefined {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value <= 0xffffffff ? value : undefined;
}

/** `value[/mask]`, the mask defaulting to all ones. */
export function parseValueMask(text: string): { value: number; mask: number } | undefined {
  const [valueText = '', maskText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const value = parseUint32(valueText);
  const mask = maskText === undefined ? 0xffffffff : parseUint32(maskText);
  return value === undefined || mask === undefined ? undefined : { value, mask };
}

export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
