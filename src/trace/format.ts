import type { Outcome, TracePacket, TraceResult, TraceStep } from './types.js';

/**
 * An operator's report of a trace: a summary line per outcome, then for each outcome the rules it
 * matched, chain by chain, and where it ended. Rule numbers are 1-based, as `iptables -L
 * --line-numbers` shows them.
 */
export function formatTrace(result: TraceResult): string {
  const lines = [describePacket(result.packet), ''];
  const count = result.outcomes.length;
  lines.push(`${count} outcome${count === 1 ? '' : 's'}:`);
  result.outcomes.forEach((outcome, i) =>
    lines.push(`  [${i + 1}] ${formatPercent(outcome.probability).padStart(7)}  ${summary(outcome)}`),
  );
  result.outcomes.forEach((outcome, i) => lines.push('', ...describeOutcome(outcome, i + 1)));
  return lines.join('\n') + '\n';
}

/** `33.33%`; small shares keep two significant digits instead of rounding to zero. */
export function formatPercent(probability: number): string {
  const percent = probability * 100;
  if (percent >= 0.01 || percent === 0) return `${percent.toFixed(2)}%`;
  return `${percent.toPrecision(2)}%`;
}

function describePacket(packet: TracePacket): string {
  const from =
    packet.origin === 'local'
      ? 'local process'
      : `remote${packet.inInterface === undefined ? '' : `, in ${packet.inInterface}`}`;
  return `Packet: ${packet.protocol} ${packet.src} -> ${hostPort(packet.dst, packet.dport)} (${from}, first packet of a new connection)`;
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function summary(outcome: Outcome): string {
  const masquerade = `masquerade: ${outcome.masqueraded ? 'yes' : 'no'}`;
  const affinity = outcome.affinitySet === undefined ? '' : `, affinity recorded in ${outcome.affinitySet}`;
  switch (outcome.verdict) {
    case 'DNAT':
      return `DNAT to ${outcome.endpoint ?? '?'}, ${masquerade}${affinity}`;
    case 'ACCEPT':
      return `delivered to ${outcome.endpoint ?? '?'} without DNAT, ${masquerade}`;
    case 'REJECT':
      return `REJECT ${where(outcome)}`;
    case 'DROP':
      return `DROP ${where(outcome)}`;
    case 'ERROR':
      return `unknown: ${outcome.error ?? 'error'}`;
    default: {
      const unreachable: never = outcome.verdict;
      return unreachable;
    }
  }
}

function where(outcome: Outcome): string {
  if (outcome.droppedByPolicy !== undefined) return `by the policy of ${outcome.droppedByPolicy}`;
  const last = outcome.steps[outcome.steps.length - 1];
  return last === undefined ? '' : `in ${last.table} ${last.chain} rule ${last.ruleIndex + 1}`;
}

function describeOutcome(outcome: Outcome, number: number): string[] {
  const lines = [`Outcome ${number} (${formatPercent(outcome.probability)}): ${summary(outcome)}`];
  lines.push(`  path: ${outcome.hooks.join(' -> ')}`);
  let previous: TraceStep | undefined;
  for (const step of outcome.steps) {
    if (previous?.table !== step.table || previous.chain !== step.chain)
      lines.push(`  ${step.table} ${step.chain}:`);
    lines.push(`    ${String(step.ruleIndex + 1).padStart(3)}  ${step.rule}`);
    previous = step;
  }
  return lines;
}
