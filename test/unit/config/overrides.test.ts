import { expect } from 'chai';
import { applyOverrides } from '../../../src/config/load.js';
import { DEFAULT_CONFIG, type ProxyConfig } from '../../../src/config/types.js';
import { ConfigError } from '../../../src/errors.js';

const BASE: ProxyConfig = { ...DEFAULT_CONFIG, hostname: 'node-1', clusterCIDRs: ['10.244.0.0/16'] };

function overrideError(overrides: Parameters<typeof applyOverrides>[1], base = BASE): string {
  try {
    applyOverrides(base, overrides);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config/load applyOverrides', () => {
  it('returns the same configuration when nothing is overridden', () => {
    expect(applyOverrides(BASE, {})).to.deep.equal(BASE);
  });

  it('applies every flag, validated and canonicalised', () => {
    const config = applyOverrides(BASE, {
      hostnameOverride: ' Worker-2 ',
      clusterCIDR: '10.1.0.0/16, fd00::1/48',
      masqueradeAll: true,
      syncPeriod: '1m',
      minSyncPeriod: '0s',
      nodePortAddresses: ['192.168.0.10/24,10.0.0.0/8', 'fd00::/64'],
      detectLocalMode: 'NodeCIDR',
      healthzBindAddress: '[::]:10256',
      metricsBindAddress: '0.0.0.0',
      bindAddress: '192.168.000.010',
    });
    expect(config).to.deep.equal({
      ...BASE,
      hostname: 'worker-2',
      clusterCIDRs: ['10.1.0.0/16', 'fd00::/48'],
      detectLocalMode: 'NodeCIDR',
      iptables: { ...BASE.iptables, masqueradeAll: true, syncPeriodMs: 60_000, minSyncPeriodMs: 0 },
      nodePortAddresses: ['192.168.0.0/24', '10.0.0.0/8', 'fd00::/64'],
      healthzBindAddress: '[::]:10256',
      metricsBindAddress: '0.0.0.0:10249',
      bindAddress: '192.168.0.10',
    });
  });

  it('leaves the hostname alone for an empty --hostname-override', () => {
    expect(applyOverrides(BASE, { hostnameOverride: '  ' }).hostname).to.equal('node-1');
  });

  it('can clear values', () => {
    const base = { ...BASE, nodePortAddresses: ['primary'], bindAddress: '10.0.0.1' };
    const config = applyOverrides(base, { clusterCIDR: '', nodePortAddresses: [], bindAddress: '0.0.0.0' });
    expect(config.clusterCIDRs).to.deep.equal([]);
    expect(config.nodePortAddresses).to.deep.equal([]);
    expect(config.bindAddress).to.equal('');
  });

  it('masqueradeAll false overrides a true file value', () => {
    const base = { ...BASE, iptables: { ...BASE.iptables, masqueradeAll: true } };
    expect(applyOverrides(base, { masqueradeAll: false }).iptables.masqueradeAll).to.equal(false);
  });

  it('names the flag in errors', () => {
    expect(overrideError({ clusterCIDR: 'nope' })).to.equal(
      '--cluster-cidr: "nope" contains "nope", which is not a valid CIDR',
    );
    expect(overrideError({ syncPeriod: '30' })).to.equal(
      '--iptables-sync-period: "30" is not a valid duration (e.g. "30s", "1m0s", "500ms")',
    );
    expect(overrideError({ minSyncPeriod: '-1s' })).to.equal(
      '--iptables-min-sync-period: "-1s" must not be negative',
    );
    expect(overrideError({ nodePortAddresses: ['primary,10.0.0.0/8'] })).to.equal(
      `--nodeport-addresses[0]: "primary" can't be combined with other entries`,
    );
    expect(overrideError({ detectLocalMode: 'Bridge' })).to.match(
      /^--detect-local-mode: "Bridge" is not a valid mode/,
    );
    expect(overrideError({ healthzBindAddress: '0.0.0.0:99999' })).to.equal(
      '--healthz-bind-address: "0.0.0.0:99999" does not end with a valid port (1..65535)',
    );
    expect(overrideError({ metricsBindAddress: 'x:1' })).to.equal(
      '--metrics-bind-address: "x:1" does not start with a valid IP address',
    );
    expect(overrideError({ bindAddress: 'eth0' })).to.equal(
      '--bind-address: "eth0" is not a valid IP address',
    );
    expect(overrideError({ hostnameOverride: 'a_b' })).to.equal(
      '--hostname-override: "a_b" is not a valid node name (a lower-case DNS-1123 subdomain)',
    );
  });

  it('re-checks cross-field rules after the flags', () => {
    expect(overrideError({ syncPeriod: '0s' })).to.equal('iptables.syncPeriod: "0ms" must be greater than 0');
    expect(overrideError({ syncPeriod: '500ms' })).to.equal(
      'iptables.syncPeriod: "500ms" must be greater than or equal to iptables.minSyncPeriod (1000ms)',
    );
    expect(overrideError({ detectLocalMode: 'BridgeInterface' })).to.equal(
      'detectLocal.bridgeInterface: "" must be set when detectLocalMode is BridgeInterface',
    );
    const withBridge = { ...BASE, detectLocal: { bridgeInterface: 'cbr0', interfaceNamePrefix: '' } };
    expect(applyOverrides(withBridge, { detectLocalMode: 'BridgeInterface' }).detectLocalMode).to.equal(
      'BridgeInterface',
    );
  });
});
