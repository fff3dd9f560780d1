import { expect } from 'chai';
import fc from 'fast-check';
import { cidrContains, formatHostPort, ipFamilyOf, parseCidr, parseIp } from '../../../src/model/ip.js';

describe('model/ip', () => {
  describe('parseIp', () => {
    const cases: [string, string, 'ipv4' | 'ipv6'][] = [
      ['10.0.0.1', '10.0.0.1', 'ipv4'],
      ['172.30.0.041', '172.30.0.41', 'ipv4'],
      ['010.001.000.009', '10.1.0.9', 'ipv4'],
      ['0.0.0.0', '0.0.0.0', 'ipv4'],
      ['255.255.255.255', '255.255.255.255', 'ipv4'],
      ['::', '::', 'ipv6'],
      ['::1', '::1', 'ipv6'],
      ['1::', '1::', 'ipv6'],
      ['FD00:0:0:0:0:0:0:1', 'fd00::1', 'ipv6'],
      ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329', 'ipv6'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', 'ipv6'],
      ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::', 'ipv6'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1', 'ipv6'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8', 'ipv6'],
      ['::1.2.3.4', '::102:304', 'ipv6'],
      ['64:ff9b::192.0.2.33', '64:ff9b::c000:221', 'ipv6'],
    ];
    for (const [input, canonical, family] of cases) {
      it(`parses ${input} as ${canonical}`, () => {
        expect(parseIp(input)).to.deep.equal({ family, canonical });
      });
    }

    const rejected = [
      '',
      ' 10.0.0.1',
      '10.0.0.1 ',
      '1.2.3.4 -j ACCEPT',
      '1.2.3.4\n-A KUBE-SERVICES -j ACCEPT',
      '1.2.3',
      '1.2.3.4.5',
      '256.0.0.1',
      '1.2.3.-4',
      '0x1.2.3.4',
      '1.2.3.4/32',
      '::ffff:1.2.3.4',
      '::ffff:0102:0304',
      'fe80::1%eth0',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      '1::2::3',
      ':::1',
      '1:',
      ':1',
      '12345::1',
      'g::1',
      '1:2:3:4:5:6:7:1.2.3.4',
      'localhost',
      '"1.2.3.4"',
    ];
    for (const input of rejected) {
      it(`rejects ${JSON.stringify(input)}`, () => {
        expect(parseIp(input)).to.equal(undefined);
      });
    }

    it('round-trips canonical IPv4 addresses', () => {
      fc.assert(
        fc.property(fc.ipV4(), (ip) => {
          const parsed = parseIp(ip);
          expect(parsed?.family).to.equal('ipv4');
          expect(parseIp(parsed!.canonical)?.canonical).to.equal(parsed!.canonical);
        }),
      );
    });

    it('reads extended (leading-zero) IPv4 as decimal', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), (parts) => {
          const padded = parts.map((p) => p.toString().padStart(3, '0')).join('.');
          expect(parseIp(padded)?.canonical).to.equal(parts.join('.'));
        }),
      );
    });

    it('round-trips IPv6 addresses and prints them per RFC 5952', () => {
      fc.assert(
        fc.property(fc.ipV6(), (ip) => {
          const parsed = parseIp(ip);
          if (parsed === undefined) {
            // The only IPv6 addresses rejected are IPv4-mapped ones.
            expect(ip.toLowerCase()).to.match(/^(0{0,4}:){0,5}:?(0{0,4}:)*ffff:/);
            return;
          }
          const again = parseIp(parsed.canonical);
          expect(again).to.deep.equal(parsed);
          expect(parsed.canonical).to.equal(parsed.canonical.toLowerCase());
          expect(parsed.canonical).not.to.match(/(^|:)0[0-9a-f]/);
          expect(parsed.canonical.split('::').length).to.be.at.most(2);
        }),
      );
    });

    it('prints the same canonical form for any spelling of the same 16 bytes', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
          (groups) => {
            fc.pre(!(groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff));
            const full = groups.map((g) => g.toString(16).padStart(4, '0').toUpperCase()).join(':');
            const short = groups.map((g) => g.toString(16)).join(':');
            expect(parseIp(full)?.canonical).to.equal(parseIp(short)?.canonical);
          },
        ),
      );
    });
  });

  describe('parseCidr', () => {
    it('returns the network address form', () => {
      expect(parseCidr('10.1.2.3/8')).to.deep.equal({
        family: 'ipv4',
        canonical: '10.0.0.0/8',
        address: '10.0.0.0',
        prefixLength: 8,
      });
      expect(parseCidr('172.30.0.041/32')?.canonical).to.equal('172.30.0.41/32');
      expect(parseCidr('203.0.113.200/25')?.canonical).to.equal('203.0.113.128/25');
      expect(parseCidr('0.0.0.0/0')?.canonical).to.equal('0.0.0.0/0');
      expect(parseCidr('1.2.3.4/0')?.canonical).to.equal('0.0.0.0/0');
      expect(parseCidr('FD00:10:244::1/64')).to.deep.equal({
        family: 'ipv6',
        canonical: 'fd00:10:244::/64',
        address: 'fd00:10:244::',
        prefixLength: 64,
      });
      expect(parseCidr('2001:db8::ff/121')?.canonical).to.equal('2001:db8::80/121');
      expect(parseCidr('::/0')?.canonical).to.equal('::/0');
    });

    for (const bad of [
      '10.0.0.0',
      '10.0.0.0/',
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/8/8',
      '10.0.0.0/-1',
      '10.0.0.0/ 8',
      '/8',
      '10.0.0.0/8 -j ACCEPT',
      'x/8',
      '10.0.0.0/1000',
    ]) {
      it(`rejects ${JSON.stringify(bad)}`, () => {
        expect(parseCidr(bad)).to.equal(undefined);
      });
    }

    it('canonical CIDRs round-trip', () => {
      fc.assert(
        fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
          const c = parseCidr(`${ip}/${prefix}`)!;
          expect(parseCidr(c.canonical)).to.deep.equal(c);
          expect(cidrContains(c.canonical, ip)).to.equal(true);
        }),
      );
    });
  });

  describe('cidrContains', () => {
    it('tests membership within a family', () => {
      expect(cidrContains('10.0.0.0/8', '10.255.0.1')).to.equal(true);
      expect(cidrContains('10.0.0.0/8', '11.0.0.1')).to.equal(false);
      expect(cidrContains('10.1.2.3/8', '10.9.9.9')).to.equal(true);
      expect(cidrContains('0.0.0.0/0', '192.0.2.1')).to.equal(true);
      expect(cidrContains('203.0.113.0/25', '203.0.113.127')).to.equal(true);
      expect(cidrContains('203.0.113.0/25', '203.0.113.128')).to.equal(false);
      expect(cidrContains('fd00::/8', 'fd12::1')).to.equal(true);
      expect(cidrContains('fd00::/16', 'fd01::1')).to.equal(false);
      expect(cidrContains('127.0.0.0/8', '127.0.0.1')).to.equal(true);
    });

    it('is false across families and for junk', () => {
      expect(cidrContains('0.0.0.0/0', '::1')).to.equal(false);
      expect(cidrContains('::/0', '1.2.3.4')).to.equal(false);
      expect(cidrContains('junk', '1.2.3.4')).to.equal(false);
      expect(cidrContains('10.0.0.0/8', 'junk')).to.equal(false);
    });
  });

  describe('ipFamilyOf', () => {
    it('knows IPs and CIDRs', () => {
      expect(ipFamilyOf('10.0.0.1')).to.equal('ipv4');
      expect(ipFamilyOf('10.0.0.0/8')).to.equal('ipv4');
      expect(ipFamilyOf('fd00::1')).to.equal('ipv6');
      expect(ipFamilyOf('fd00::/64')).to.equal('ipv6');
      expect(ipFamilyOf('nope')).to.equal(undefined);
    });
  });

  describe('formatHostPort', () => {
    it('brackets IPv6', () => {
      expect(formatHostPort('0.0.0.0', 10256)).to.equal('0.0.0.0:10256');
      expect(formatHostPort('::', 10256)).to.equal('[::]:10256');
      expect(formatHostPort('fd00::1', 80)).to.equal('[fd00::1]:80');
    });
  });
});
