import { expect } from 'chai';
import fc from 'fast-check';
import { ruleText, saveString, type RuleParts } from '../../../src/render/rule-text.js';

/** The straightforward forms the optimised ones must match byte for byte. */
function referenceSaveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

function referenceRuleText(parts: RuleParts): string {
  let out = '';
  const add = (piece: string): void => {
    out = out === '' ? piece : `${out} ${piece}`;
  };
  if (parts.src) add(`${parts.src.negate ? '! -s' : '-s'} ${parts.src.cidr}`);
  if (parts.dst) add(`${parts.dst.negate ? '! -d' : '-d'} ${parts.dst.cidr}`);
  if (parts.inInterface) add(`${parts.inInterface.negate ? '! -i' : '-i'} ${parts.inInterface.name}`);
  if (parts.protocol) add(`-p ${parts.protocol}`);
  if (parts.comment !== undefined) add(`-m comment --comment ${referenceSaveString(parts.comment)}`);
  if (parts.matches) for (const m of parts.matches) add(m);
  if (parts.target) add(`-j ${parts.target}`);
  return out;
}

const text = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '_', '-', ' ', '/', '"', "'", '\\', 'é', '$&'),
});

describe('render/rule-text', () => {
  it('saves strings bare only when safe, otherwise quoted with escapes', () => {
    expect(saveString('ns1-svc_1')).to.equal('ns1-svc_1');
    expect(saveString('')).to.equal('""');
    expect(saveString('ns/svc:http cluster IP')).to.equal('"ns/svc:http cluster IP"');
    expect(saveString(`a"b'c\\d`)).to.equal(`"a\\"b\\'c\\\\d"`);
    fc.assert(
      fc.property(text, (value) => {
        expect(saveString(value)).to.equal(referenceSaveString(value));
      }),
    );
  });

  it('orders the parts as iptables-save does', () => {
    expect(
      ruleText({
        target: 'KUBE-MARK-MASQ',
        matches: ['-m tcp --dport 80'],
        comment: 'ns/svc cluster IP',
        protocol: 'tcp',
        inInterface: { name: 'cbr0', negate: true },
        dst: { cidr: '10.96.0.1/32' },
        src: { cidr: '10.244.0.0/16', negate: true },
      }),
    ).to.equal(
      '! -s 10.244.0.0/16 -d 10.96.0.1/32 ! -i cbr0 -p tcp -m comment --comment "ns/svc cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
    );
    expect(ruleText({})).to.equal('');
  });

  it('gives the text piecewise concatenation gives, empty pieces included', () => {
    // An empty match leaves no separator before the first piece, and one space after it.
    expect(ruleText({ matches: ['', '-m tcp'], target: 'X' })).to.equal('-m tcp -j X');
    expect(ruleText({ protocol: 'tcp', matches: ['', '-m tcp'] })).to.equal('-p tcp  -m tcp');
    expect(ruleText({ matches: ['-m tcp', ''] })).to.equal('-m tcp ');
    const address = fc.option(fc.record({ cidr: text, negate: fc.boolean() }), { nil: undefined });
    const parts = fc.record(
      {
        src: address,
        dst: address,
        inInterface: fc.option(fc.record({ name: text, negate: fc.boolean() }), { nil: undefined }),
        protocol: fc.option(fc.constantFrom('', 'tcp', 'udp'), { nil: undefined }),
        comment: fc.option(text, { nil: undefined }),
        matches: fc.option(fc.array(fc.oneof(fc.constant(''), text), { maxLength: 4 }), { nil: undefined }),
        target: fc.option(fc.oneof(fc.constant(''), text), { nil: undefined }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(parts, (p) => {
        expect(ruleText(p)).to.equal(referenceRuleText(p));
      }),
    );
  });
});
