import { expect } from 'chai';

import { parseRule } from '../../../src/trace/rule-parse.js';
import { tokenize } from '../../../src/trace/tokenize.js';

describe('trace: tokenize', () => {
  it('keeps a double-quoted comment in one argument and unescapes it', () => {
    expect(tokenize(String.raw`-m comment --comment "a \"b\" c\\d" -j X`)).to.deep.equal({
      kind: 'tokens',
      tokens: ['-m', 'comment', '--comment', 'a "b" c\\d', '-j', 'X'],
    });
  });

  it('keeps an empty quoted argument', () => {
    expect(tokenize('--comment ""')).to.deep.equal({ kind: 'tokens', tokens: ['--comment', ''] });
  });

  it('reports an unterminated quote', () => {
    expect(tokenize('-m comment --comment "abc').kind).to.equal('invalid');
  });
});

describe('trace: parseRule', () => {
  it('parses a service match rule', () => {
    const rule = parseRule(
      '-d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-X',
    );
    expect(rule.comment).to.equal('ns1/svc1:p80 cluster IP');
    expect(rule.target).to.deep.equal({ kind: 'jump', chain: 'KUBE-SVC-X' });
    expect(rule.matches.map((m) => m.kind)).to.deep.equal(['address', 'protocol', 'always', 'dport']);
  });

  it('reads negations of basic and module options', () => {
    const rule = parseRule(
      '! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -m mark ! --mark 0x4000/0x4000 -j DROP',
    );
    expect(rule.matches).to.deep.include({
      kind: 'ctstate',
      negated: true,
      states: ['RELATED', 'ESTABLISHED', 'DNAT'],
    });
    expect(rule.matches).to.deep.include({ kind: 'mark', negated: true, value: 0x4000, mask: 0x4000 });
    expect(rule.matches[0]).to.include({ kind: 'address', field: 'src', negated: true });
  });

  it('reads MARK targets in their saved and written forms', () => {
    expect(parseRule('-j MARK --set-xmark 0x4000/0x4000').target).to.deep.equal({
      kind: 'mark',
      value: 0x4000,
      mask: 0x4000,
    });
    expect(parseRule('-j MARK --xor-mark 0x4000').target).to.deep.equal({
      kind: 'mark',
      value: 0x4000,
      mask: 0,
    });
    expect(parseRule('-j MARK --or-mark 0x4000').target).to.deep.equal({
      kind: 'mark',
      value: 0x4000,
      mask: 0x4000,
    });
  });

  it('reads DNAT destinations of both families', () => {
    const v4 = parseRule('-p tcp -m tcp -j DNAT --to-destination 10.180.0.1:80').target;
    expect(v4).to.deep.include({ kind: 'dnat', port: 80 });
    const v6 = parseRule('-p tcp -m tcp -j DNAT --to-destination [fd00::1]:8080').target;
    expect(v6.kind === 'dnat' && v6.address.text).to.equal('fd00::1');
    expect(v6).to.deep.include({ port: 8080 });
  });

  it('reads recent, statistic and addrtype', () => {
    const rcheck = parseRule(
      '-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-Y --mask 255.255.255.255 --rsource -j KUBE-SEP-Y',
    );
    expect(rcheck.matches[0]).to.include({
      kind: 'recent',
      mode: 'check',
      name: 'KUBE-SEP-Y',
      field: 'src',
      negated: false,
    });
    expect(parseRule('-m statistic --mode random --probability 0.25 -j X').matches[0]).to.deep.equal({
      kind: 'statistic',
      probability: 0.25,
    });
    expect(parseRule('-m addrtype ! --src-type LOCAL -j X').matches[0]).to.deep.equal({
      kind: 'addrtype-local',
      field: 'src',
      negated: true,
    });
  });

  it('treats a rule without -j as a counter', () => {
    expect(parseRule('-m comment --comment "other traffic"').target).to.deep.equal({ kind: 'none' });
  });

  it('marks what it does not understand as unsupported instead of guessing', () => {
    const reasons = (text: string): string[] =>
      parseRule(text).matches.flatMap((m) => (m.kind === 'unsupported' ? [m.reason] : []));
    expect(reasons('-m set --match-set foo src -j X')).to.deep.equal(['unknown match module "set"']);
    expect(reasons('-p tcp -m tcp --sport 80 -j X')).to.deep.equal(['unsupported option --sport of -m tcp']);
    expect(reasons('-o eth0 -j X')).to.deep.equal(['option -o is not modelled']);
    expect(reasons('-m addrtype --dst-type UNICAST -j X')[0]).to.match(/only LOCAL/);
    expect(parseRule('-j SNAT --to-source 1.2.3.4').target.kind).to.equal('unsupported');
    expect(parseRule('-g KUBE-X').target.kind).to.equal('unsupported');
    expect(parseRule('-j DNAT --to-destination 10.0.0.1-10.0.0.5').target.kind).to.equal('unsupported');
  });
});
