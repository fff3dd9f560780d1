import { expect } from 'chai';
import { conntrackArgs } from '../../../src/iptables/conntrack.js';
import { binaryName, parseVersion, waitFlags } from '../../../src/iptables/runner.js';

describe('iptables/runner (pure parts)', () => {
  it('names binaries per backend and family', () => {
    expect(binaryName('auto', 'ipv4', 'save')).to.equal('iptables-save');
    expect(binaryName('auto', 'ipv6', 'restore')).to.equal('ip6tables-restore');
    expect(binaryName('nft', 'ipv4', 'restore')).to.equal('iptables-nft-restore');
    expect(binaryName('legacy', 'ipv6', 'save')).to.equal('ip6tables-legacy-save');
  });

  it('parses versions and picks bounded lock-wait flags', () => {
    const v = parseVersion('iptables-save v1.8.9 (legacy)\n')!;
    expect(v).to.include({ major: 1, minor: 8, patch: 9, mode: 'legacy' });
    expect(waitFlags(v, 5)).to.deep.equal(['-w', '5']);
    expect(waitFlags(parseVersion('iptables-restore v1.8.4 (nf_tables)')!, 5)).to.deep.equal([
      '-w',
      '5',
      '-W',
      '100000',
    ]);
    expect(waitFlags(parseVersion('iptables-restore v1.6.1')!, 5)).to.deep.equal([]);
    expect(parseVersion('nonsense')).to.equal(undefined);
  });

  it('builds conntrack arguments', () => {
    expect(conntrackArgs('ipv4', { kind: 'orig-dst', ip: '10.0.0.1', protocol: 'udp' })).to.deep.equal([
      '-D',
      '--orig-dst',
      '10.0.0.1',
      '-p',
      'udp',
    ]);
    expect(conntrackArgs('ipv6', { kind: 'dst-nat', ip: 'fd00::1' })).to.deep.equal([
      '-D',
      '-f',
      'ipv6',
      '--dst-nat',
      'fd00::1',
    ]);
    expect(conntrackArgs('ipv4', { kind: 'orig-port-dst', port: 30001, protocol: 'udp' })).to.deep.equal([
      '-D',
      '-p',
      'udp',
      '--orig-port-dst',
      '30001',
    ]);
  });
});
