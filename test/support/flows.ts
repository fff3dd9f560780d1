import type { TraceResult } from '../../src/trace/types.js';
import { formatTrace } from '../../src/trace/format.js';
import type { Flow } from './fixtures.js';

const EPSILON = 1e-6;

/** The ways a traced flow differs from what the fixture expects; empty when it matches. */
export function checkFlow(flow: Flow, result: TraceResult): string[] {
  const problems: string[] = [];
  const { outcomes } = result;
  const exp = flow.expect;
  if (exp.verdict !== undefined) {
    const other = outcomes.filter((o) => o.verdict !== exp.verdict);
    if (other.length > 0) problems.push(`expected every connection to end in ${exp.verdict}`);
  }
  if (exp.endpoints !== undefined) {
    const dnat = outcomes.filter((o) => o.verdict === 'DNAT');
    const got = [...new Set(dnat.map((o) => o.endpoint ?? ''))].sort();
    const want = [...exp.endpoints].sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`expected endpoints ${want.join(', ')}, got ${got.join(', ') || 'none'}`);
    }
    const total = dnat.reduce((n, o) => n + o.probability, 0);
    if (Math.abs(total - 1) > EPSILON)
      problems.push(`only ${(total * 100).toFixed(2)}% of connections reach an endpoint`);
    for (const ep of want) {
      const p = dnat.filter((o) => o.endpoint === ep).reduce((n, o) => n + o.probability, 0);
      if (Math.abs(p - 1 / want.length) > EPSILON)
        problems.push(`${ep} gets ${(p * 100).toFixed(2)}%, not an equal share`);
    }
  }
  if (exp.masquerade !== undefined) {
    for (const o of outcomes.filter((x) => x.verdict === 'DNAT' || x.verdict === 'ACCEPT')) {
      const want = Array.isArray(exp.masquerade) ? exp.masquerade.includes(o.endpoint ?? '') : exp.masquerade;
      if (o.masqueraded !== want)
        problems.push(`${o.endpoint ?? 'delivery'}: masquerade ${o.masqueraded}, expected ${want}`);
    }
  }
  return problems.length === 0 ? [] : [`${flow.name}:\n  ${problems.join('\n  ')}\n${formatTrace(result)}`];
}
