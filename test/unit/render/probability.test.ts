import { expect } from 'chai';
import fc from 'fast-check';
import { probabilityFor } from '../../../src/render/probability.js';

describe('render/probability', () => {
  it('prints what iptables-save prints back for kube-proxy probabilities', () => {
    // Measured: restoring 0.3333333333 saves as 0.33333333349.
    expect(probabilityFor(3)).to.equal('0.33333333349');
    expect(probabilityFor(2)).to.equal('0.50000000000');
    expect(probabilityFor(4)).to.equal('0.25000000000');
    // An exact tie at the eleventh decimal: glibc rounds to even (measured with snprintf %.11f).
    expect(probabilityFor(4096)).to.equal('0.00024414062');
    expect(probabilityFor(100001)).to.equal('0.00001000008');
  });

  it('is a fixed point of the kernel round trip, for any endpoint count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200_000 }), (n) => {
        const printed = probabilityFor(n);
        const stored = Math.round(Number((1 / n).toFixed(10)) * 0x80000000);
        // Restoring what we print stores the same fixed-point value the kernel holds.
        expect(Math.round(Number(printed) * 0x80000000)).to.equal(stored);
        expect(Math.abs(Number(printed) - stored / 0x80000000)).to.be.at.most(5e-12);
        expect(Math.abs(Number(printed) - 1 / n)).to.be.below(1e-9);
      }),
    );
  });
});
