import { expect } from 'chai';
import {
  endpointChain,
  endpointChains,
  serviceChain,
  servicePortHash,
  servicePortName,
} from '../../../src/render/names.js';

describe('render/names', () => {
  it('hashes service ports as kube-proxy does', () => {
    // Test vectors from kube-proxy's own expected rules.
    expect(servicePortHash('ns1/svc1:p80', 'TCP')).to.equal('XPGD46QRK7WJZT7O');
    expect(servicePortHash('ns2/svc2:p80', 'TCP')).to.equal('GNZBNJ2PO5MGZ6GT');
    expect(servicePortHash('ns4/svc4:p80', 'TCP')).to.equal('4SW47YFZTEDKD3PK');
  });

  it('hashes endpoints with the target port', () => {
    expect(endpointChain('ns1/svc1:p80', 'TCP', '10.180.0.1:80')).to.equal('KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(endpointChain('ns5/svc5:p80', 'TCP', '10.180.0.3:80')).to.equal('KUBE-SEP-I77PXRDZVX7PMWMN');
  });

  it('lower-cases the protocol and shares one hash between SVC, SVL, EXT and FW', () => {
    const h = servicePortHash('ns1/svc1:p80', 'UDP');
    expect(h).to.not.equal(servicePortHash('ns1/svc1:p80', 'TCP'));
    expect(serviceChain('KUBE-SVC-', h)).to.equal(`KUBE-SVC-${h}`);
    expect(serviceChain('KUBE-FW-', h)).to.equal(`KUBE-FW-${h}`);
    expect(`KUBE-SEP-${h}`.length).to.be.at.most(28);
  });

  it('names unnamed ports without a colon', () => {
    expect(servicePortName('ns1', 'svc1', '')).to.equal('ns1/svc1');
    expect(servicePortName('ns1', 'svc1', 'p80')).to.equal('ns1/svc1:p80');
  });

  it('gives the same names through a port memo as through the one-shot functions', () => {
    const chains = endpointChains('ns1/svc1:p80', 'TCP');
    expect(endpointChains('ns1/svc1:p80', 'TCP')).to.equal(chains);
    expect(chains.hash()).to.equal('XPGD46QRK7WJZT7O');
    expect(chains.chain('10.180.0.1:80')).to.equal('KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(endpointChains('ns1/svc1:p80', 'UDP').hash()).to.equal(servicePortHash('ns1/svc1:p80', 'UDP'));
    expect(endpointChains('ns1/svc1:p80', 'UDP').chain('10.180.0.1:80')).to.not.equal(
      'KUBE-SEP-SXIVWICOYRO3J4NJ',
    );
  });
});
