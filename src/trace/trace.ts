import { isLocalAddress, parseAddress, type Address } from './address.js';
import type { Branch, TraceContext } from './branch.js';
import { walkChain } from './chain-walk.js';
import { delivered, mergeOutcomes, type FinalBranch } from './outcomes.js';
import type { TraceTableName, TraceTables } from './tables.js';
import { TraceInputError, type TraceHost, type TracePacket, type TraceResult } from './types.js';

/**
 * Follows the first packet of a connection through the nat and filter tables, as netfilter would:
 *
 * - remote: nat PREROUTING; then, by the (possibly DNATed) destination, either filter INPUT
 *   (local delivery; POSTROUTING is not traversed) or filter FORWARD and nat POSTROUTING.
 * - local: nat OUTPUT, filter OUTPUT, nat POSTROUTING; a local destination then passes filter
 *   INPUT on `lo` (nat PREROUTING is not traversed again: the connection already has its NAT).
 *
 * Throws TraceInputError only for an unusable packet or host; rules it cannot evaluate end their
 * branch in an ERROR outcome instead.
 */
export function tracePacket(tables: TraceTables, packet: TracePacket, host: TraceHost): TraceResult {
  const ctx = buildContext(tables, packet, host);
  const start: Branch = {
    probability: 1,
    dst: address(packet.dst, 'destination'),
    dport: packet.dport,
    mark: 0,
    dnat: false,
    masqueraded: false,
    inInterface: packet.origin === 'remote' ? packet.inInterface : undefined,
    recorded: [],
    steps: [],
    hooks: [],
  };
  if (start.dst.family !== ctx.src.family)
    throw new TraceInputError('source and destination are of different families');
  const finals: FinalBranch[] = [];
  const isLocal = (b: Branch): boolean => isLocalAddress(b.dst, ctx.localAddresses);
  if (packet.origin === 'remote') {
    const routed = pass(ctx, 'nat', 'PREROUTING', [start], finals);
    const input = pass(ctx, 'filter', 'INPUT', routed.filter(isLocal), finals);
    const forwarded = pass(
      ctx,
      'filter',
      'FORWARD',
      routed.filter((b) => !isLocal(b)),
      finals,
    );
    const sent = pass(ctx, 'nat', 'POSTROUTING', forwarded, finals);
    finals.push(...[...input, ...sent].map(delivered));
  } else {
    const output = pass(ctx, 'filter', 'OUTPUT', pass(ctx, 'nat', 'OUTPUT', [start], finals), finals);
    const sent = pass(ctx, 'nat', 'POSTROUTING', output, finals);
    const looped = sent.filter(isLocal).map((b) => ({ ...b, inInterface: 'lo' }));
    const input = pass(ctx, 'filter', 'INPUT', looped, finals);
    finals.push(...[...sent.filter((b) => !isLocal(b)), ...input].map(delivered));
  }
  return { packet, outcomes: mergeOutcomes(finals) };
}

function buildContext(tables: TraceTables, packet: TracePacket, host: TraceHost): TraceContext {
  if (!Number.isInteger(packet.dport) || packet.dport < 0 || packet.dport > 65535) {
    throw new TraceInputError(`destination port ${packet.dport} is not a port number`);
  }
  const affinity = new Map<string, Address[]>();
  if (packet.affinity !== undefined && packet.affinity !== 'none') {
    for (const [name, entries] of packet.affinity)
      affinity.set(
        name,
        entries.map((e) => address(e, `affinity entry of ${name}`)),
      );
  }
  return {
    tables,
    src: address(packet.src, 'source'),
    protocol: packet.protocol,
    localAddresses: host.localAddresses.map((a) => address(a, 'local address')),
    affinity,
  };
}

function address(text: string, what: string): Address {
  const parsed = parseAddress(text);
  if (parsed === undefined) throw new TraceInputError(`${what} "${text}" is not an IP address`);
  return parsed;
}

/** Runs every branch through one built-in chain; returns those that go on, records the rest. */
function pass(
  ctx: TraceContext,
  table: TraceTableName,
  chain: string,
  branches: readonly Branch[],
  finals: FinalBranch[],
): Branch[] {
  const policy = ctx.tables[table].get(chain)?.policy ?? 'ACCEPT';
  const live: Branch[] = [];
  for (const branch of branches) {
    const entered = { ...branch, hooks: [...branch.hooks, `${table} ${chain}`] };
    for (const exit of walkChain(ctx, { table, chain }, [chain], entered)) {
      switch (exit.kind) {
        case 'fallthrough':
          if (policy === 'DROP')
            finals.push({ verdict: 'DROP', branch: exit.branch, droppedByPolicy: `${table} ${chain}` });
          else live.push(exit.branch);
          break;
        case 'accept':
          live.push(exit.branch);
          break;
        case 'drop':
          finals.push({ verdict: 'DROP', branch: exit.branch });
          break;
        case 'reject':
          finals.push({ verdict: 'REJECT', branch: exit.branch });
          break;
        case 'error':
          finals.push({ verdict: 'ERROR', branch: exit.branch, error: exit.message });
          break;
        default: {
          const unreachable: never = exit;
          return unreachable;
        }
      }
    }
  }
  return live;
}
