import { CommandError } from '../errors.js';
import type { IpFamily } from '../model/family.js';
import { execTool, type ExecOptions } from './runner.js';

/**
 * Deleting conntrack entries (stale UDP flows after endpoint changes, as kube-proxy does), through
 * the runner's exec core. conntrack exits 1 with "0 flow entries have been deleted" when nothing
 * matched; that is success here.
 */

const CONNTRACK_HINT = 'Install conntrack-tools (the conntrack binary) to clear stale UDP flows.';

export type ConntrackProtocol = 'tcp' | 'udp' | 'sctp';

export type ConntrackFilter =
  /** Flows to a service IP (`--orig-dst IP -p P`), e.g. a ClusterIP that lost its endpoints. */
  | {
      readonly kind: 'orig-dst';
      readonly ip: string;
      readonly protocol: ConntrackProtocol;
      readonly port?: number;
    }
  /** Flows DNATed to an endpoint (`--dst-nat IP`), e.g. a removed endpoint. */
  | { readonly kind: 'dst-nat'; readonly ip: string; readonly protocol?: ConntrackProtocol }
  /** Flows to a service IP that were DNATed to one endpoint. */
  | {
      readonly kind: 'flow';
      readonly origDst: string;
      readonly dstNat: string;
      readonly protocol: ConntrackProtocol;
      readonly port?: number;
    }
  /** Flows to a NodePort on any local address (`-p P --orig-port-dst PORT [--dst-nat EP]`). */
  | {
      readonly kind: 'orig-port-dst';
      readonly port: number;
      readonly protocol: ConntrackProtocol;
      /** Only the flows DNATed to this endpoint. */
      readonly dstNat?: string;
    };

export interface Conntrack {
  /** Deletes matching entries; resolves with how many were deleted. */
  delete(family: IpFamily, filter: ConntrackFilter): Promise<number>;
}

export function conntrackArgs(family: IpFamily, filter: ConntrackFilter): string[] {
  const fam = family === 'ipv6' ? ['-f', 'ipv6'] : [];
  const proto = (p: ConntrackProtocol | undefined): string[] => (p ? ['-p', p] : []);
  const port = (p: number | undefined): string[] => (p === undefined ? [] : ['--orig-port-dst', String(p)]);
  switch (filter.kind) {
    case 'orig-dst':
      return ['-D', ...fam, '--orig-dst', filter.ip, ...proto(filter.protocol), ...port(filter.port)];
    case 'dst-nat':
      return ['-D', ...fam, '--dst-nat', filter.ip, ...proto(filter.protocol)];
    case 'flow':
      return [
        '-D',
        ...fam,
        '--orig-dst',
        filter.origDst,
        '--dst-nat',
        filter.dstNat,
        ...proto(filter.protocol),
        ...port(filter.port),
      ];
    case 'orig-port-dst':
      return [
        '-D',
        ...fam,
        ...proto(filter.protocol),
        ...port(filter.port),
        ...(filter.dstNat === undefined ? [] : ['--dst-nat', filter.dstNat]),
      ];
    default: {
      const never: never = filter;
      return never;
    }
  }
}

export function createConntrack(opts: ExecOptions = {}): Conntrack {
  return {
    async delete(family, filter) {
      const args = conntrackArgs(family, filter);
      const result = await execTool('conntrack', args, opts, { notFoundHint: CONNTRACK_HINT });
      const deleted = /(\d+) flow entries have been deleted/.exec(result.stderr + result.stdout);
      if (result.exitCode === 0 || (result.exitCode === 1 && deleted?.[1] === '0'))
        return Number(deleted?.[1] ?? 0);
      throw new CommandError(['conntrack', ...args].join(' '), result.exitCode, result.stderr);
    },
  };
}
