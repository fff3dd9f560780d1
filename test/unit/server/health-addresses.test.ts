import { expect } from 'chai';
import { healthCheckAddresses } from '../../../src/server/health-addresses.js';

const NODE = ['10.0.0.5', '127.0.0.1', '192.168.1.7', '::1', 'fd00::5'];

describe('server/health-addresses', () => {
  it('listens everywhere when nodePortAddresses is empty or holds a /0', () => {
    expect(healthCheckAddresses([], NODE)).to.deep.equal({ addresses: undefined, reason: undefined });
    expect(healthCheckAddresses(['0.0.0.0/0', '10.0.0.0/8'], NODE).addresses).to.equal(undefined);
    expect(healthCheckAddresses(['::/0'], NODE).reason).to.equal(undefined);
  });

  it("listens only on the node's addresses inside the CIDRs, both families", () => {
    expect(healthCheckAddresses(['10.0.0.0/8', 'fd00::/64'], NODE)).to.deep.equal({
      addresses: ['10.0.0.5', 'fd00::5'],
      reason: undefined,
    });
    expect(healthCheckAddresses(['127.0.0.0/8'], NODE).addresses).to.deep.equal(['127.0.0.1']);
  });

  it('falls back to every address, saying why, when it cannot tell the addresses', () => {
    expect(healthCheckAddresses(['172.16.0.0/12'], NODE)).to.deep.equal({
      addresses: undefined,
      reason: 'no local address is inside nodePortAddresses',
    });
    expect(healthCheckAddresses(['primary'], NODE).reason).to.equal('nodePortAddresses includes "primary"');
  });
});
