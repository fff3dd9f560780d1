import { expect } from 'chai';
import winston from 'winston';
import { DEFAULT_CONFIG, type ProxyConfig } from '../../../src/config/types.js';
import { Applier } from '../../../src/iptables/applier.js';
import type { Conntrack, ConntrackFilter } from '../../../src/iptables/conntrack.js';
import { planRestore } from '../../../src/iptables/diff.js';
import { ClusterState, type TakenSnapshot } from '../../../src/k8s/cluster-state.js';
import { convertEndpointSlice, convertNode, convertService } from '../../../src/k8s/convert.js';
import type { IpFamily } from '../../../src/model/family.js';
import { render } from '../../../src/render/render.js';
import type { HostFacts } from '../../../src/render/input.js';
import type { LocalHealthService, SyncFailure, SyncReport } from '../../../src/sync/observer.js';
import { NotSyncedError, Syncer, type SnapshotSource } from '../../../src/sync/syncer.js';
import { ApplyTarget, DryRunTarget } from '../../../src/sync/targets.js';
import { apiNode, apiService, apiSlice, type EndpointSpec } from '../../support/api-objects.js';
import { FakeKernel } from '../../support/fake-kernel.js';

const HOST: HostFacts = {
  localAddresses: ['127.0.0.1', '192.168.50.1'],
  randomFully: true,
  tcpBeLiberal: false,
};
const CONFIG: ProxyConfig = { ...DEFAULT_CONFIG, hostname: 'node-a', clusterCIDRs: ['10.244.0.0/16'] };
const silent = winston.createLogger({ silent: true });

function ok<T>(result: { kind: string; value?: T }): T {
  if (result.kind !== 'ok' || result.value === undefined)
    throw new Error(`conversion failed: ${JSON.stringify(result)}`);
  return result.value;
}

class Source implements SnapshotSource {
  hasSynced = true;
  readonly state = new ClusterState();
  last: TakenSnapshot | undefined;
  service(name: string, clusterIP: string, protocol: 'TCP' | 'UDP' = 'TCP', extra: object = {}): void {
    const raw = apiService(name, { clusterIP, ports: [{ name: 'p', port: 80, protocol }], ...extra });
    this.state.setService(`default/${name}`, ok(convertService(raw)));
  }
  slice(
    name: string,
    service: string,
    endpoints: EndpointSpec[],
    protocol: 'TCP' | 'UDP' = 'TCP',
    trigger?: string,
  ): void {
    const raw = apiSlice(name, {
      service,
      ports: [{ name: 'p', port: 80, targetPort: 8080, protocol }],
      endpoints,
      triggerTime: trigger,
    });
    this.state.setSlices(`EndpointSlice/default/${name}`, [ok(convertEndpointSlice(raw))]);
  }
  take(): TakenSnapshot {
    this.last = this.state.take();
    return this.last;
  }
  requeue(changes: TakenSnapshot['changes']): void {
    this.state.requeue(changes);
  }
}

class RecordingConntrack implements Conntrack {
  readonly calls: { family: IpFamily; filter: ConntrackFilter }[] = [];
  delete(family: IpFamily, filter: ConntrackFilter): Promise<number> {
    this.calls.push({ family, filter });
    return Promise.resolve(1);
  }
}

interface Harness {
  source: Source;
  kernel: FakeKernel;
  applier: Applier;
  syncer: Syncer;
  reports: SyncReport[];
  failures: SyncFailure[];
  health: LocalHealthService[][];
  conntrack: RecordingConntrack;
  printed: string[];
}

function harness(opts: { dryRun?: boolean; now?: () => number } = {}): Harness {
  const source = new Source();
  source.state.setNode(ok(convertNode(apiNode('node-a', { ip: '192.168.50.1', podCIDR: '10.244.1.0/24' }))));
  const kernel = new FakeKernel();
  const applier = new Applier(kernel);
  const reports: SyncReport[] = [];
  const failures: SyncFailure[] = [];
  const health: LocalHealthService[][] = [];
  const printed: string[] = [];
  const conntrack = new RecordingConntrack();
  const target = opts.dryRun
    ? new DryRunTarget(applier, (t) => printed.push(t), silent)
    : new ApplyTarget(applier);
  const syncer = new Syncer({
    source,
    config: CONFIG,
    hostFacts: () => Promise.resolve(HOST),
    target,
    conntrack,
    clock: { now: opts.now ?? (() => 1_000_000) },
    logger: silent,
    observer: { syncSucceeded: (r) => reports.push(r), syncFailed: (f) => failures.push(f) },
    serviceHealth: { update: (s) => health.push([...s]) },
  });
  return { source, kernel, applier, syncer, reports, failures, health, conntrack, printed };
}

/** The kernel holds exactly what render gives for the last snapshot: a fresh plan is empty. */
function expectConverged(h: Harness): void {
  const snapshot = h.source.last!.snapshot;
  const rs = render({ snapshot, config: CONFIG, family: 'ipv4', host: HOST }).ruleSet;
  const plan = planRestore(rs, h.kernel.live('ipv4'));
  expect(plan.empty, JSON.stringify(plan.changes)).to.equal(true);
}

describe('sync/syncer', () => {
  it('refuses to sync before the caches are synced', async () => {
    const h = harness();
    h.source.hasSynced = false;
    const err: unknown = await h.syncer.sync({ full: true }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NotSyncedError);
    expect(h.kernel.restores).to.have.length(0);
  });

  it('applies what render gives, then only what changed', async () => {
    const h = harness();
    h.source.service('web', '10.96.0.10');
    h.source.slice('web-1', 'web', [{ ip: '10.244.1.11', nodeName: 'node-a' }]);
    h.source.service('db', '10.96.0.20');
    h.source.slice('db-1', 'db', [{ ip: '10.244.2.11', nodeName: 'node-b' }]);
    const first = await h.syncer.sync({ full: true });
    expectConverged(h);
    expect(first).to.include({ full: true, serviceChanges: 2, endpointChanges: 2 });
    expect(first.families.map((f) => f.family)).to.deep.equal(['ipv4']);
    expect(first.families[0]!.rules.nat.total).to.be.greaterThan(0);
    expect(first.families[0]!.rules.nat.last).to.equal(first.families[0]!.rules.nat.total);

    h.source.slice('web-1', 'web', [
      { ip: '10.244.1.11', nodeName: 'node-a' },
      { ip: '10.244.1.12', nodeName: 'node-a' },
    ]);
    const second = await h.syncer.sync({ full: false });
    expectConverged(h);
    const input = h.kernel.restores[1]!.input;
    expect(input).to.include('10.244.1.12');
    expect(input).not.to.include('10.244.2.11'); // db's chains were not rewritten
    expect(second.families[0]!.rules.nat.last).to.be.lessThan(second.families[0]!.rules.nat.total);
    expect(second).to.include({ serviceChanges: 0, endpointChanges: 1 });

    const third = await h.syncer.sync({ full: false });
    expect(third.linesSent).to.equal(0);
    expect(h.kernel.restores).to.have.length(2);
  });

  it('throws on a failed restore, reports it, and repairs on the next full sync', async () => {
    const h = harness();
    h.source.service('web', '10.96.0.10');
    h.source.slice('web-1', 'web', [{ ip: '10.244.1.11' }]);
    h.kernel.failRestores = 1;
    const err: unknown = await h.syncer.sync({ full: true }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect(h.failures).to.have.length(1);
    expect(h.failures[0]!.families).to.deep.equal(['ipv4']);
    expect(h.reports).to.have.length(0);
    await h.syncer.sync({ full: true });
    expectConverged(h);
  });

  it('keeps the trigger times of a failed sync for the retry', async () => {
    const h = harness({ now: () => Date.parse('2026-01-01T00:00:05Z') });
    h.source.service('web', '10.96.0.10');
    h.source.slice('web-1', 'web', [{ ip: '10.244.1.11' }], 'TCP', '2026-01-01T00:00:02Z');
    h.kernel.failRestores = 1;
    await h.syncer.sync({ full: true }).catch(() => undefined);
    const report = await h.syncer.sync({ full: true });
    expect(report.families[0]!.networkProgrammingSeconds).to.deep.equal([3]);
    expect(report.endpointChanges).to.equal(1);
  });

  it('reports network programming latency from slice trigger times', async () => {
    const h = harness({ now: () => Date.parse('2026-01-01T00:00:05Z') });
    h.source.service('web', '10.96.0.10');
    h.source.slice('web-1', 'web', [{ ip: '10.244.1.11' }], 'TCP', '2026-01-01T00:00:02Z');
    const report = await h.syncer.sync({ full: true });
    expect(report.families[0]!.networkProgrammingSeconds).to.deep.equal([3]);
  });

  it('updates health-check services with their ready local endpoints', async () => {
    const h = harness();
    h.source.service('lb', '10.96.0.30', 'TCP', {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 30999,
      loadBalancerIP: '203.0.113.7',
      ports: [{ name: 'p', port: 80, nodePort: 30080 }],
    });
    h.source.slice('lb-1', 'lb', [
      { ip: '10.244.1.11', nodeName: 'node-a' },
      { ip: '10.244.1.12', nodeName: 'node-a', ready: false },
      { ip: '10.244.2.11', nodeName: 'node-b' },
    ]);
    await h.syncer.sync({ full: true });
    expect(h.health.at(-1)).to.deep.equal([
      { namespace: 'default', name: 'lb', healthCheckNodePort: 30999, localEndpoints: 1 },
    ]);
  });

  it('clears stale UDP conntrack entries', async () => {
    const h = harness();
    h.source.service('dns', '10.96.0.53', 'UDP');
    await h.syncer.sync({ full: true });
    expect(h.conntrack.calls).to.deep.equal([]);
    h.source.slice('dns-1', 'dns', [{ ip: '10.244.1.11' }, { ip: '10.244.1.12' }], 'UDP');
    await h.syncer.sync({ full: false });
    expect(h.conntrack.calls).to.deep.equal([
      { family: 'ipv4', filter: { kind: 'orig-dst', ip: '10.96.0.53', protocol: 'udp', port: 80 } },
    ]);
    h.source.slice('dns-1', 'dns', [{ ip: '10.244.1.12' }], 'UDP');
    await h.syncer.sync({ full: false });
    expect(h.conntrack.calls.slice(1)).to.deep.equal([
      {
        family: 'ipv4',
        filter: { kind: 'flow', origDst: '10.96.0.53', dstNat: '10.244.1.11', protocol: 'udp', port: 80 },
      },
    ]);
  });

  it('dry run prints the changes and applies nothing', async () => {
    const h = harness({ dryRun: true });
    h.source.service('web', '10.96.0.10');
    h.source.slice('web-1', 'web', [{ ip: '10.244.1.11' }]);
    await h.syncer.sync({ full: true });
    expect(h.kernel.restores).to.have.length(0);
    expect(h.printed[0]).to.match(/^# sync 1 \(full, dry run\)/);
    expect(h.printed[0]).to.include('new chain KUBE-SERVICES');
    expect(h.printed[0]).to.include('10.244.1.11');
  });

  it('dry run without a readable live ruleset diffs against its previous state', async () => {
    const h = harness({ dryRun: true });
    h.kernel.save = () => Promise.reject(new Error('Permission denied (you must be root)'));
    h.source.service('web', '10.96.0.10');
    h.source.slice('web-1', 'web', [{ ip: '10.244.1.11' }]);
    await h.syncer.sync({ full: true });
    h.source.slice('web-1', 'web', [{ ip: '10.244.1.11' }, { ip: '10.244.1.12' }]);
    await h.syncer.sync({ full: false });
    expect(h.printed[1]).to.include('10.244.1.12');
    expect(h.printed[1]).not.to.include('new chain KUBE-SERVICES');
  });
});
