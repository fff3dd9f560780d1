import { expect } from 'chai';
import {
  GENERATION_ENTRIES,
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

  it("remembers the endpoints of a port's last render per family, and only those", () => {
    const chains = endpointChains('ns9/churn:http', 'TCP');
    const first = chains.names('ipv4', ['10.0.0.1:80', '10.0.0.2:80']);
    expect(first).to.deep.equal([
      endpointChain('ns9/churn:http', 'TCP', '10.0.0.1:80'),
      endpointChain('ns9/churn:http', 'TCP', '10.0.0.2:80'),
    ]);
    chains.names('ipv6', ['[fd00::1]:80']);
    expect(chains.entries).to.equal(4);
    // One endpoint replaced: the same name for the one that stayed (the same string), none kept
    // for the one that left; the IPv6 endpoint is untouched.
    const second = chains.names('ipv4', ['10.0.0.2:80', '10.0.0.3:80']);
    expect(second[0]).to.equal(first[1]);
    expect(chains.entries).to.equal(4);
    expect(chains.names('ipv4', [])).to.deep.equal([]);
    expect(chains.entries).to.equal(2);
  });

  it('keeps a port across one generation turnover and forgets it after two untouched', () => {
    const port = endpointChains('ns9/kept:http', 'TCP');
    // Every new port counts one entry: a generation's worth turns the young generation old.
    for (let i = 0; i <= GENERATION_ENTRIES; i++) endpointChains(`filler-a/${i}`, 'TCP');
    expect(endpointChains('ns9/kept:http', 'TCP'), 'found in the old generation').to.equal(port);
    for (let g = 0; g < 2; g++)
      for (let i = 0; i <= GENERATION_ENTRIES; i++) endpointChains(`filler-${g}/${i}`, 'UDP');
    expect(endpointChains('ns9/kept:http', 'TCP'), 'dropped with its generation').to.not.equal(port);
  });
});
