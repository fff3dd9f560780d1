import { traceTablesFromSaved, type SavedTablesInput, type TraceTables } from '../../../src/trace/tables.js';
import type { Outcome, TraceResult } from '../../../src/trace/types.js';

interface SavedChain {
  rules: string[];
  policy: string;
}

/** A minimal iptables-save reader for tests: `*table`, `:CHAIN POLICY`, `-A CHAIN rule`, `COMMIT`. */
export function parseSave(text: string): SavedTablesInput {
  const tables = new Map<string, { chains: Map<string, SavedChain> }>();
  let current: Map<string, SavedChain> | undefined;
  const chain = (name: string): SavedChain => {
    if (current === undefined) throw new Error(`rule outside a table: ${name}`);
    const found = current.get(name) ?? { rules: [], policy: '-' };
    current.set(name, found);
    return found;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith('*')) {
      current = new Map();
      tables.set(line.slice(1), { chains: current });
    } else if (line.startsWith(':')) {
      const [name = '', policy = '-'] = line.slice(1).split(' ');
      chain(name).policy = policy;
    } else {
      const match = /^-A (\S+) (.*)$/.exec(line);
      if (match === null) throw new Error(`cannot read line: ${line}`);
      chain(match[1]!).rules.push(match[2]!);
    }
  }
  return { tables };
}

export function tablesFromSave(text: string): TraceTables {
  return traceTablesFromSaved(parseSave(text));
}

/** Endpoint -> probability of the delivered outcomes. */
export function deliveries(result: TraceResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of result.outcomes)
    if (o.endpoint !== undefined) out.set(o.endpoint, (out.get(o.endpoint) ?? 0) + o.probability);
  return out;
}

/** The one outcome of a trace that must not branch. */
export function single(result: TraceResult): Outcome {
  if (result.outcomes.length !== 1)
    throw new Error(`expected one outcome, got ${JSON.stringify(result.outcomes, null, 2)}`);
  return result.outcomes[0]!;
}

export function totalProbability(result: TraceResult): number {
  return result.outcomes.reduce((sum, o) => sum + o.probability, 0);
}
