import { expect } from 'chai';
import { conntrackArgs } from '../../../src/iptables/conntrack.js';
import { staleUdpFlows, type UdpServicePort } from '../../../src/sync/udp-conntrack.js';

const port = (endpoints: string[], nodePort = 30053): UdpServicePort => ({
  family: 'ipv4',
  serviceIPs: ['10.96.0.53'],
  port: 53,
  nodePort,
  endpoints: new Set(endpoints),
});

describe('sync/udp-conntrack', () => {
  it('deletes the flows of a removed endpoint to its service IPs and to its NodePort', () => {
    const deletions = staleUdpFlows(
      new Map([['dns', port(['10.244.1.11', '10.244.1.12'])]]),
      new Map([['dns', port(['10.244.1.12'])]]),
    );
    expect(deletions.map((d) => conntrackArgs(d.family, d.filter))).to.deep.equal([
      ['-D', '--orig-dst', '10.96.0.53', '--dst-nat', '10.244.1.11', '-p', 'udp', '--orig-port-dst', '53'],
      ['-D', '-p', 'udp', '--orig-port-dst', '30053', '--dst-nat', '10.244.1.11'],
    ]);
  });

  it('deletes every flow to a service that gets its first endpoint, NodePort included', () => {
    const deletions = staleUdpFlows(new Map([['dns', port([])]]), new Map([['dns', port(['10.244.1.11'])]]));
    expect(deletions.map((d) => conntrackArgs(d.family, d.filter))).to.deep.equal([
      ['-D', '--orig-dst', '10.96.0.53', '-p', 'udp', '--orig-port-dst', '53'],
      ['-D', '-p', 'udp', '--orig-port-dst', '30053'],
    ]);
  });

  it('leaves flows alone when nothing about the endpoints changed', () => {
    const same = new Map([['dns', port(['10.244.1.11'])]]);
    expect(staleUdpFlows(same, same)).to.deep.equal([]);
  });
});
