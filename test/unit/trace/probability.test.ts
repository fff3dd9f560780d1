import { expect } from 'chai';
import fc from 'fast-check';

import { tracePacket } from '../../../src/trace/trace.js';
import { tablesFromSave } from './support.js';

/** An SVC chain laid out as kube-proxy does: rule i of n carries 1/(n-i) with ten decimals. */
function serviceSave(n: number): string {
  const lines = ['*nat', '-A PREROUTING -d 172.30.0.1/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-X'];
  for (let i = 0; i < n; i++) {
    const statistic =
      i < n - 1 ? `-m statistic --mode random --probability ${(1 / (n - i)).toFixed(10)} ` : '';
    lines.push(`-A KUBE-SVC-X ${statistic}-j KUBE-SEP-${i}`);
    lines.push(`-A KUBE-SEP-${i} -p tcp -m tcp -j DNAT --to-destination 10.180.${i >> 8}.${i & 255}:80`);
  }
  return [...lines, 'COMMIT'].join('\n');
}

describe('trace: probabilities', () => {
  it('gives each of n endpoints about 1/n, summing to 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (n) => {
        const tables = tablesFromSave(serviceSave(n));
        const result = tracePacket(
          tables,
          { src: '10.0.0.1', dst: '172.30.0.1', dport: 80, protocol: 'tcp', origin: 'remote' },
          { localAddresses: [] },
        );
        expect(result.outcomes).to.have.length(n);
        for (const o of result.outcomes) expect(o.probability).to.be.closeTo(1 / n, 1e-6);
        expect(result.outcomes.reduce((s, o) => s + o.probability, 0)).to.be.closeTo(1, 1e-9);
      }),
      { numRuns: 40 },
    );
  });
});
