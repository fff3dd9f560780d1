import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseConfig } from '../../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../../src/config/types.js';
import { ConfigError } from '../../../src/errors.js';

const HEAD = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n';
const DEFAULTS = { hostname: 'Node-1.Example.COM' };

function parse(body: string, defaults = DEFAULTS): ReturnType<typeof parseConfig> {
  return parseConfig(HEAD + body, 'config.yaml', defaults);
}

function parseError(text: string): ConfigError {
  try {
    parseConfig(text, 'config.yaml', DEFAULTS);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function bodyError(body: string): string {
  return parseError(HEAD + body).message;
}

/** A kubeadm-style kube-proxy ConfigMap payload, as `kubectl -n kube-system get cm kube-proxy` shows it. */
const KUBEADM = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: ""
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""
`;

describe('config/load parseConfig', () => {
  describe('defaults', () => {
    it('gives DEFAULT_CONFIG (with the machine hostname lower-cased) for a minimal file', () => {
      const { config, warnings } = parse('');
      expect(config).to.deep.equal({ ...DEFAULT_CONFIG, hostname: 'node-1.example.com' });
      expect(warnings).to.deep.equal([
        'detectLocalMode is ClusterCIDR but clusterCIDR is empty: no traffic will be treated as local',
      ]);
    });

    it('accepts the kubeadm ConfigMap payload silently, zero durations meaning the defaults', () => {
      const { config, warnings } = parseConfig(KUBEADM, 'config.conf', DEFAULTS);
      expect(warnings).to.deep.equal([]);
      expect(config).to.deep.equal({
        ...DEFAULT_CONFIG,
        hostname: 'node-1.example.com',
        clusterCIDRs: ['10.244.0.0/16'],
        conntrack: { tcpBeLiberal: false },
      });
    });

    it('accepts JSON', () => {
      const json = JSON.stringify({
        apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
        kind: 'KubeProxyConfiguration',
        mode: 'iptables',
        clusterCIDR: '10.244.0.0/16',
        iptables: { masqueradeBit: 15, syncPeriod: '1m0s' },
      });
      const { config } = parseConfig(json, 'config.json', DEFAULTS);
      expect(config.iptables.masqueradeBit).to.equal(15);
      expect(config.iptables.syncPeriodMs).to.equal(60_000);
    });
  });

  describe('fields that shape rules', () => {
    it('reads every field', () => {
      const { config, warnings } = parse(`
hostnameOverride: "  Worker-7  "
bindAddress: 192.168.1.010
clusterCIDR: 10.244.1.7/16,fd00:10:244::1/56
detectLocalMode: InterfaceNamePrefix
detectLocal:
  bridgeInterface: cbr0
  interfaceNamePrefix: cali
iptables:
  masqueradeAll: true
  masqueradeBit: 0
  localhostNodePorts: false
  syncPeriod: 1h2m3.5s
  minSyncPeriod: 500ms
nodePortAddresses: [192.168.1.7/24, "FD00::1/64"]
conntrack:
  tcpBeLiberal: true
healthzBindAddress: "[::]:10256"
metricsBindAddress: 0.0.0.0:9100
featureGates:
  PreferSameTrafficDistribution: true
  SomethingElse: false
`);
      expect(warnings).to.deep.equal([]);
      expect(config).to.deep.equal({
        hostname: 'worker-7',
        bindAddress: '192.168.1.10',
        clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'],
        detectLocalMode: 'InterfaceNamePrefix',
        detectLocal: { bridgeInterface: 'cbr0', interfaceNamePrefix: 'cali' },
        iptables: {
          masqueradeAll: true,
          masqueradeBit: 0,
          localhostNodePorts: false,
          syncPeriodMs: 3_723_500,
          minSyncPeriodMs: 500,
        },
        nodePortAddresses: ['192.168.1.0/24', 'fd00::/64'],
        conntrack: { tcpBeLiberal: true },
        healthzBindAddress: '[::]:10256',
        metricsBindAddress: '0.0.0.0:9100',
        featureGates: { PreferSameTrafficDistribution: true, SomethingElse: false },
      });
    });

    it('falls back to the lower-cased machine hostname when hostnameOverride is blank', () => {
      expect(parse('hostnameOverride: "   "').config.hostname).to.equal('node-1.example.com');
      expect(parse('', { hostname: ' MyHost ' }).config.hostname).to.equal('myhost');
    });

    it('treats the unspecified bind addresses as unset', () => {
      expect(parse('bindAddress: 0.0.0.0').config.bindAddress).to.equal('');
      expect(parse('bindAddress: "::"').config.bindAddress).to.equal('');
      expect(parse('bindAddress: ""').config.bindAddress).to.equal('');
      expect(parse('bindAddress: "FD00::0:7"').config.bindAddress).to.equal('fd00::7');
    });

    it('accepts mode iptables and an empty mode', () => {
      expect(() => parse('mode: iptables')).not.to.throw();
      expect(() => parse('mode: ""')).not.to.throw();
    });

    it('appends the default port to a bare bind IP, as kube-proxy defaulting does', () => {
      const { config } = parse('healthzBindAddress: 127.0.0.1\nmetricsBindAddress: "::1"');
      expect(config.healthzBindAddress).to.equal('127.0.0.1:10256');
      expect(config.metricsBindAddress).to.equal('[::1]:10249');
    });

    it('canonicalises host:port', () => {
      expect(parse('healthzBindAddress: "[FD00:0::1]:8080"').config.healthzBindAddress).to.equal(
        '[fd00::1]:8080',
      );
      expect(parse('healthzBindAddress: 010.0.0.1:80').config.healthzBindAddress).to.equal('10.0.0.1:80');
    });

    it('accepts nodePortAddresses primary, and expands all/localhost', () => {
      expect(parse('nodePortAddresses: [primary]').config.nodePortAddresses).to.deep.equal(['primary']);
      expect(parse('nodePortAddresses: [all]').config.nodePortAddresses).to.deep.equal(['0.0.0.0/0', '::/0']);
      expect(parse('nodePortAddresses: [localhost, 10.0.0.0/8]').config.nodePortAddresses).to.deep.equal([
        '127.0.0.0/8',
        '::1/128',
        '10.0.0.0/8',
      ]);
      expect(parse('nodePortAddresses: []').config.nodePortAddresses).to.deep.equal([]);
    });

    it('accepts every detectLocalMode', () => {
      expect(parse('detectLocalMode: NodeCIDR').config.detectLocalMode).to.equal('NodeCIDR');
      expect(parse('detectLocalMode: ClusterCIDR\nclusterCIDR: 10.0.0.0/8').config.detectLocalMode).to.equal(
        'ClusterCIDR',
      );
      const bridge = parse('detectLocalMode: BridgeInterface\ndetectLocal: {bridgeInterface: cbr0}').config;
      expect(bridge.detectLocalMode).to.equal('BridgeInterface');
      expect(bridge.detectLocal.bridgeInterface).to.equal('cbr0');
    });

    it('keeps tcpBeLiberal unset when absent', () => {
      expect(parse('conntrack: {}').config.conntrack.tcpBeLiberal).to.equal(undefined);
      expect(parse('conntrack: {tcpBeLiberal: false}').config.conntrack.tcpBeLiberal).to.equal(false);
    });

    it('allows minSyncPeriod equal to syncPeriod', () => {
      const { config } = parse('iptables: {syncPeriod: 10s, minSyncPeriod: 10s}');
      expect(config.iptables.syncPeriodMs).to.equal(10_000);
      expect(config.iptables.minSyncPeriodMs).to.equal(10_000);
    });
  });

  describe('warnings', () => {
    it('names unknown fields by dotted path at every modelled level', () => {
      const { warnings } = parse(`
clusterCIDR: 10.0.0.0/8
bogus: 1
iptables:
  masqueradeBits: 14
  syncPeriod: 30s
conntrack:
  tcpBeLibreal: true
clientConnection:
  kubeconfig: /x
  qpss: 5
logging:
  format: json
  options:
    anything: goes
featureGates:
  AnyGate: true
`);
      expect(warnings).to.deep.equal([
        'unknown field "bogus" is ignored',
        'unknown field "iptables.masqueradeBits" is ignored',
        'unknown field "conntrack.tcpBeLibreal" is ignored',
        'unknown field "clientConnection.qpss" is ignored',
      ]);
    });

    it('warns that snatNodeInternalIP is ignored', () => {
      expect(parse('clusterCIDR: 10.0.0.0/8\niptables: {snatNodeInternalIP: true}').warnings).to.deep.equal([
        'iptables.snatNodeInternalIP is not supported by kproxy and is ignored',
      ]);
    });
  });

  describe('errors', () => {
    const cases: [string, string][] = [
      ['iptables: {masqueradeBit: 40}', 'iptables.masqueradeBit: 40 is out of range (0..31)'],
      ['iptables: {masqueradeBit: -1}', 'iptables.masqueradeBit: -1 is out of range (0..31)'],
      ['iptables: {masqueradeBit: 1.5}', 'iptables.masqueradeBit: 1.5 is not an integer'],
      ['iptables: {masqueradeBit: "14"}', 'iptables.masqueradeBit: "14" is not an integer'],
      ['iptables: {masqueradeAll: yes}', 'iptables.masqueradeAll: "yes" is not a boolean (true or false)'],
      [
        'iptables: {localhostNodePorts: 1}',
        'iptables.localhostNodePorts: 1 is not a boolean (true or false)',
      ],
      ['iptables: {syncPeriod: 30}', 'iptables.syncPeriod: 30 is not a string'],
      [
        'iptables: {syncPeriod: 30x}',
        'iptables.syncPeriod: "30x" is not a valid duration (e.g. "30s", "1m0s", "500ms")',
      ],
      ['iptables: {syncPeriod: -5s}', 'iptables.syncPeriod: "-5s" must not be negative'],
      ['iptables: {minSyncPeriod: -1s}', 'iptables.minSyncPeriod: "-1s" must not be negative'],
      [
        'iptables: {syncPeriod: 1s, minSyncPeriod: 2s}',
        'iptables.syncPeriod: "1000ms" must be greater than or equal to iptables.minSyncPeriod (2000ms)',
      ],
      ['iptables: [1]', 'iptables: [1] is not a mapping'],
      ['mode: ipvs', 'mode: "ipvs" is not supported: kproxy only implements iptables mode'],
      ['mode: nftables', 'mode: "nftables" is not supported: kproxy only implements iptables mode'],
      ['bindAddress: 1.2.3', 'bindAddress: "1.2.3" is not a valid IP address'],
      ['bindAddress: 1.2.3.4/32', 'bindAddress: "1.2.3.4/32" is not a valid IP address'],
      [
        'hostnameOverride: "bad host"',
        'hostnameOverride: "bad host" is not a valid node name (a lower-case DNS-1123 subdomain)',
      ],
      ['clusterCIDR: 10.0.0.0', 'clusterCIDR: "10.0.0.0" contains "10.0.0.0", which is not a valid CIDR'],
      [
        'clusterCIDR: 10.0.0.0/8,11.0.0.0/8',
        'clusterCIDR: "10.0.0.0/8,11.0.0.0/8" has two CIDRs of the same family (expected one CIDR or a dual-stack pair)',
      ],
      [
        'clusterCIDR: 10.0.0.0/8,fd00::/64,11.0.0.0/8',
        'clusterCIDR: "10.0.0.0/8,fd00::/64,11.0.0.0/8" has more than two CIDRs (expected one CIDR or a dual-stack pair)',
      ],
      [
        'detectLocalMode: LocalCIDR',
        'detectLocalMode: "LocalCIDR" is not a valid mode (expected one of ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix)',
      ],
      [
        'detectLocalMode: BridgeInterface',
        'detectLocal.bridgeInterface: "" must be set when detectLocalMode is BridgeInterface',
      ],
      [
        'detectLocalMode: InterfaceNamePrefix\ndetectLocal: {bridgeInterface: cbr0}',
        'detectLocal.interfaceNamePrefix: "" must be set when detectLocalMode is InterfaceNamePrefix',
      ],
      [
        'detectLocal: {interfaceNamePrefix: "cali+"}',
        'detectLocal.interfaceNamePrefix: "cali+" is not a valid interface name (1-15 letters, digits, "_", "." or "-", not starting with "." or "-")',
      ],
      [
        'detectLocal: {bridgeInterface: "br0 -j ACCEPT"}',
        'detectLocal.bridgeInterface: "br0 -j ACCEPT" is not a valid interface name (1-15 letters, digits, "_", "." or "-", not starting with "." or "-")',
      ],
      [
        'detectLocal: {bridgeInterface: averyveryverylongname}',
        'detectLocal.bridgeInterface: "averyveryverylongname" is not a valid interface name (1-15 letters, digits, "_", "." or "-", not starting with "." or "-")',
      ],
      [
        'nodePortAddresses: [primary, 10.0.0.0/8]',
        `nodePortAddresses[0]: "primary" can't be combined with other entries`,
      ],
      [
        'nodePortAddresses: [10.0.0.0/8, primary]',
        `nodePortAddresses[1]: "primary" can't be combined with other entries`,
      ],
      ['nodePortAddresses: [10.0.0.1]', 'nodePortAddresses[0]: "10.0.0.1" is not a valid CIDR or "primary"'],
      ['nodePortAddresses: 10.0.0.0/8', 'nodePortAddresses: "10.0.0.0/8" is not a list of strings'],
      ['nodePortAddresses: [1]', 'nodePortAddresses[0]: 1 is not a string'],
      [
        'healthzBindAddress: "0.0.0.0:0"',
        'healthzBindAddress: "0.0.0.0:0" does not end with a valid port (1..65535)',
      ],
      [
        'healthzBindAddress: "0.0.0.0:70000"',
        'healthzBindAddress: "0.0.0.0:70000" does not end with a valid port (1..65535)',
      ],
      [
        'healthzBindAddress: "localhost:80"',
        'healthzBindAddress: "localhost:80" does not start with a valid IP address',
      ],
      [
        'metricsBindAddress: ":::80"',
        'metricsBindAddress: ":::80" is not a valid address (expected IP:port or [IPv6]:port)',
      ],
      [
        'metricsBindAddress: "[1.2.3.4]:80"',
        'metricsBindAddress: "[1.2.3.4]:80" has an IPv4 address in brackets',
      ],
      ['featureGates: {Foo: "true"}', 'featureGates.Foo: "true" is not a boolean (true or false)'],
      ['featureGates: [Foo]', 'featureGates: ["Foo"] is not a mapping of names to booleans'],
      [
        'conntrack: {tcpBeLiberal: "true"}',
        'conntrack.tcpBeLiberal: "true" is not a boolean (true or false)',
      ],
    ];
    for (const [body, message] of cases) {
      it(`${body.replace(/\n/g, ' ')} -> ${message}`, () => {
        expect(bodyError(body)).to.equal(`config.yaml: ${message}`);
      });
    }

    it('rejects a wrong or missing apiVersion and kind', () => {
      expect(parseError('apiVersion: v1\nkind: KubeProxyConfiguration').message).to.equal(
        'config.yaml: apiVersion: "v1" is not supported (expected kubeproxy.config.k8s.io/v1alpha1)',
      );
      expect(
        parseError('apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeletConfiguration').message,
      ).to.equal(
        'config.yaml: kind: "KubeletConfiguration" is not supported (expected KubeProxyConfiguration)',
      );
      expect(parseError('kind: KubeProxyConfiguration').message).to.equal(
        'config.yaml: apiVersion: is missing (expected kubeproxy.config.k8s.io/v1alpha1)',
      );
      expect(parseError('apiVersion: kubeproxy.config.k8s.io/v1alpha1').message).to.equal(
        'config.yaml: kind: is missing (expected KubeProxyConfiguration)',
      );
    });

    it('reports YAML syntax errors with the line', () => {
      const err = parseError(`${HEAD}iptables:\n  syncPeriod: [30s\n`);
      expect(err.message).to.match(/^config\.yaml: line \d+: /);
      expect(err.message).not.to.include('\n');
      expect(err.file).to.equal('config.yaml');
    });

    it('rejects a document that is not a mapping', () => {
      expect(parseError('').message).to.equal(
        'config.yaml: expected a KubeProxyConfiguration mapping, got null',
      );
      expect(parseError('- a').message).to.equal(
        'config.yaml: expected a KubeProxyConfiguration mapping, got ["a"]',
      );
    });

    it('rejects duplicate keys', () => {
      expect(parseError(`${HEAD}mode: iptables\nmode: ipvs\n`).message).to.match(
        /^config\.yaml: line 4: .*unique/i,
      );
    });

    it('keeps error messages on one line even for hostile values', () => {
      const err = parseError(`${HEAD}bindAddress: "1.2.3.4\\n-A KUBE-SERVICES -j ACCEPT"\n`);
      expect(err.message).to.equal(
        'config.yaml: bindAddress: "1.2.3.4\\n-A KUBE-SERVICES -j ACCEPT" is not a valid IP address',
      );
    });
  });
});

describe('config/load loadConfigFile', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kproxy-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses a file', async () => {
    const path = join(dir, 'config.yaml');
    await writeFile(path, `${HEAD}clusterCIDR: 10.244.0.0/16\n`);
    const { config, warnings } = await loadConfigFile(path, DEFAULTS);
    expect(config.clusterCIDRs).to.deep.equal(['10.244.0.0/16']);
    expect(warnings).to.deep.equal([]);
  });

  it('names the file it cannot read', async () => {
    const path = join(dir, 'missing.yaml');
    const err: unknown = await loadConfigFile(path, DEFAULTS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).file).to.equal(path);
    expect((err as ConfigError).message).to.match(
      new RegExp(`^${path}: cannot read the configuration file: ENOENT`),
    );
  });

  it('names the file in validation errors', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, `${HEAD}iptables: {masqueradeBit: 40}\n`);
    const err: unknown = await loadConfigFile(path, DEFAULTS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as ConfigError).message).to.equal(
      `${path}: iptables.masqueradeBit: 40 is out of range (0..31)`,
    );
  });
});
