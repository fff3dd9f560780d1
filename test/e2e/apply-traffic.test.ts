/**
 * `kproxy apply`, `diff` and `cleanup` run inside a node network namespace on both iptables
 * backends, checked with real TCP and UDP traffic from pods, from the node's other pods and from an
 * off-cluster client (see test/support/netns/address-plan.ts for the addresses).
 *
 * One topology per backend. The first group applies the base cluster once and only sends traffic;
 * the second changes the rules, so each of its tests starts from empty tables holding only a user's
 * rules, no conntrack entries, and a fresh apply of the base cluster.
 */
import { expect } from 'chai';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IpFamily } from '../../src/model/family.js';
import type { LiveChain, LiveRuleSet } from '../../src/iptables/live.js';
import { parseSave, parseSaveWithCounters, type CountedRuleSet } from '../../src/iptables/parse.js';
import { binaryName, createRunner, type Runner } from '../../src/iptables/runner.js';
import {
  describeRun,
  runKproxyInNetns,
  type KproxyRun,
  type KproxyRunOptions,
} from '../support/kproxy-cli.js';
import {
  createTopology,
  describeWithNetns,
  iptablesBinary,
  restoreRules,
  type IptablesBackend,
  type RequestSpec,
  type RequestSummary,
  type Topology,
} from '../support/netns/index.js';
import { configYaml, withEndpoints, writeCluster, type ServiceSpec } from './apply-traffic/cluster.js';
import { foreignLines } from '../support/save-text.js';

/** NodePort 30080 (TCP and UDP); local1, local2, remote1 ready, local3 not ready. */
const WEB = '10.96.0.10';
const WEB_NODE_PORT = 30080;
/** local1 only: hairpin, and the service the counters test changes. */
const SOLO = '10.96.0.11';
/** NodePort 30090 (TCP and UDP), no endpoints. */
const EMPTY = '10.96.0.20';
const EMPTY_NODE_PORT = 30090;
/** NodePort 30100 with externalTrafficPolicy Local; local2 and remote1. */
const LOCAL = '10.96.0.30';
const LOCAL_NODE_PORT = 30100;
/** sessionAffinity ClientIP; local1, local2, remote1. */
const STICKY = '10.96.0.40';
/** A user's DNAT (not kproxy's): node's ext-side address, this port, to local1. */
const FOREIGN_PORT = 9999;

const WEB_BACKENDS = ['local1', 'local2', 'remote1'];

function baseServices(topo: Topology): ServiceSpec[] {
  const pod = (name: string): NonNullable<Topology['pods'][string]> => topo.pods[name]!;
  const http = { name: 'http', protocol: 'TCP', port: 80 } as const;
  const ready = (...names: string[]): { pod: ReturnType<typeof pod> }[] =>
    names.map((n) => ({ pod: pod(n) }));
  return [
    {
      name: 'web',
      type: 'NodePort',
      clusterIP: WEB,
      ports: [
        { ...http, nodePort: WEB_NODE_PORT },
        { name: 'dns', protocol: 'UDP', port: 80, nodePort: WEB_NODE_PORT },
      ],
      endpoints: [...ready(...WEB_BACKENDS), { pod: pod('local3'), ready: false }],
    },
    { name: 'solo', type: 'ClusterIP', clusterIP: SOLO, ports: [http], endpoints: ready('local1') },
    {
      name: 'empty',
      type: 'NodePort',
      clusterIP: EMPTY,
      ports: [
        { ...http, nodePort: EMPTY_NODE_PORT },
        { name: 'dns', protocol: 'UDP', port: 80, nodePort: EMPTY_NODE_PORT },
      ],
      endpoints: [],
    },
    {
      name: 'local',
      type: 'NodePort',
      clusterIP: LOCAL,
      externalTrafficPolicy: 'Local',
      ports: [{ ...http, nodePort: LOCAL_NODE_PORT }],
      endpoints: ready('local2', 'remote1'),
    },
    {
      name: 'sticky',
      type: 'ClusterIP',
      clusterIP: STICKY,
      clientIPAffinity: true,
      ports: [http],
      endpoints: ready(...WEB_BACKENDS),
    },
  ];
}

function foreignRules(topo: Topology): string {
  return [
    '*filter',
    ':USER-FILTER - [0:0]',
    '-A INPUT -s 192.0.2.1/32 -j USER-FILTER',
    '-A USER-FILTER -p tcp -m tcp --dport 22 -j ACCEPT',
    'COMMIT',
    '*nat',
    ':USER-NAT - [0:0]',
    `-A PREROUTING -d ${topo.node.extSideIp}/32 -p tcp -m tcp --dport ${FOREIGN_PORT} -j USER-NAT`,
    `-A USER-NAT -p tcp -j DNAT --to-destination ${topo.pods.local1!.ip}:8080`,
    'COMMIT',
    '',
  ].join('\n');
}

/** Save output without comment lines and with chain counters zeroed (legacy prints policy counters). */
function comparable(save: string): string {
  return save
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]$/, '[0:0]'))
    .join('\n');
}

/** `table/chain` names of nat chains with a rule containing every one of `needles`. */
function chainsWithRule(live: LiveRuleSet, ...needles: string[]): string[] {
  const chains = live.tables.get('nat')?.chains ?? new Map<string, LiveChain>();
  return [...chains]
    .filter(([, chain]) => chain.rules.some((rule) => needles.every((n) => rule.includes(n))))
    .map(([name]) => name);
}

interface CounterComparison {
  /** `table/chain` of chains declared on one side only or whose rules differ. */
  readonly changed: string[];
  /** `table/chain` -> [counters before, counters after] for chains whose rules are unchanged. */
  readonly kept: Map<string, [string, string]>;
}

function compareCounters(before: CountedRuleSet, after: CountedRuleSet): CounterComparison {
  const flat = (rs: CountedRuleSet): Map<string, { rules: string; counters: string }> => {
    const out = new Map<string, { rules: string; counters: string }>();
    for (const [table, t] of rs.tables) {
      for (const [name, chain] of t.chains) {
        const counters = chain.counters.map((c) => (c ? `${c.packets}:${c.bytes}` : '-')).join(' ');
        out.set(`${table}/${name}`, { rules: JSON.stringify(chain.rules), counters });
      }
    }
    return out;
  };
  const [b, a] = [flat(before), flat(after)];
  const changed: string[] = [];
  const kept = new Map<string, [string, string]>();
  for (const key of new Set([...b.keys(), ...a.keys()])) {
    const [x, y] = [b.get(key), a.get(key)];
    if (x && y && x.rules === y.rules) kept.set(key, [x.counters, y.counters]);
    else changed.push(key);
  }
  return { changed: changed.sort(), kept };
}

function expectPods(byPod: Readonly<Record<string, number>>, pods: readonly string[], atLeast: number): void {
  const seen = JSON.stringify(byPod);
  expect(Object.keys(byPod).sort(), seen).to.deep.equal([...pods].sort());
  for (const pod of pods) expect(byPod[pod], `${pod} in ${seen}`).to.be.at.least(atLeast);
}

function suite(backend: IptablesBackend): void {
  describeWithNetns(`kproxy apply/diff/cleanup with real traffic (iptables-${backend})`, function () {
    this.timeout(30_000);
    let topo: Topology | undefined;
    let dir = '';
    const files = { config: '', base: '', shrunk: '', soloMoved: '' };
    /** PATH with a failing iptables-restore (every name kproxy might use) first. */
    let failingPathEnv: Record<string, string> = {};
    let foreignBaseline: string[] = [];
    let runner: Runner;

    const t = (): Topology => topo!;
    const kproxy = (args: readonly string[], options?: KproxyRunOptions): Promise<KproxyRun> =>
      runKproxyInNetns(t().nsName('node'), [...args, '--iptables-backend', backend], options);
    const apply = (objects: string, options?: KproxyRunOptions): Promise<KproxyRun> =>
      kproxy(['apply', '--config', files.config, '--objects', objects], options);
    const diff = (objects: string): Promise<KproxyRun> =>
      kproxy(['diff', '--config', files.config, '--objects', objects, '--exit-code']);
    const expectExit = (run: KproxyRun, code: number): void => {
      expect(run.exitCode, describeRun(run)).to.equal(code);
    };
    const save = (family: IpFamily = 'ipv4'): Promise<string> => runner.save(family);
    const countedSave = async (): Promise<CountedRuleSet> =>
      parseSaveWithCounters(await runner.save('ipv4', undefined, { counters: true }), 'ipv4');

    /** `count` requests that must all be answered. */
    const replies = async (spec: RequestSpec, count: number): Promise<RequestSummary> => {
      const summary = await t().requestMany(spec, count);
      expect(summary.byKind, `${spec.from} -> ${spec.to}:${spec.port}/${spec.protocol}`).to.deep.equal({
        reply: count,
        refused: 0,
        timeout: 0,
        error: 0,
      });
      return summary;
    };
    /** The address a backend sees for masqueraded traffic: the node's address on the way to it. */
    const masqueradedPeer = (pod: string): string =>
      t().pods[pod]!.node === 'node' ? t().node.podGateway : t().node.ip;
    /**
     * Fresh filter, nat and mangle tables (a restore without --noflush), the user's rules again, no
     * conntrack entries. Cheaper than `kproxy cleanup`, which has a test of its own.
     */
    const reset = async (): Promise<void> => {
      const empty = '*filter\nCOMMIT\n*nat\nCOMMIT\n*mangle\nCOMMIT\n';
      await t().exec('node', [iptablesBinary(backend, 4, 'restore')], { input: empty });
      await restoreRules(t(), backend, 4, foreignRules(t()));
      await t().flushConntrack();
    };

    before(async function () {
      topo = await createTopology({ localPods: 3, remotePods: 1, clientPods: 1 });
      runner = createRunner({ backend, netns: t().nsName('node') });
      dir = await mkdtemp(path.join(tmpdir(), 'kpt-apply-traffic-'));
      files.config = path.join(dir, 'config.yaml');
      await writeFile(files.config, configYaml());
      const base = baseServices(t());
      files.base = await writeCluster(dir, 'base', t(), base);
      files.shrunk = await writeCluster(
        dir,
        'shrunk',
        t(),
        withEndpoints(
          base,
          'web',
          base[0]!.endpoints.filter((e) => e.pod.name !== 'remote1'),
        ),
      );
      files.soloMoved = await writeCluster(
        dir,
        'solo-moved',
        t(),
        withEndpoints(base, 'solo', [{ pod: t().pods.local2! }]),
      );
      const fakes = path.join(dir, 'fake-bin');
      await mkdir(fakes);
      for (const name of ['iptables-restore', binaryName(backend, 'ipv4', 'restore')]) {
        const fake = path.join(fakes, name);
        await writeFile(
          fake,
          '#!/bin/sh\ncat >/dev/null\necho "fake iptables-restore: line 2 failed" >&2\nexit 1\n',
        );
        await chmod(fake, 0o755);
      }
      failingPathEnv = { PATH: `${fakes}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` };
      // A user's rules, there before kproxy ever runs.
      await restoreRules(t(), backend, 4, foreignRules(t()));
      foreignBaseline = foreignLines(await save());
      expect(foreignBaseline).to.have.length(6);
    });

    after(async function () {
      await topo?.destroy();
      topo = undefined;
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    describe('traffic through the applied base cluster', function () {
      before(async function () {
        await reset();
        const run = await apply(files.base);
        expectExit(run, 0);
        expect(run.stdout).to.match(/^applied in \d+ ms: ipv4: \d+ chains written, 0 deleted/);
      });
      afterEach(async function () {
        await t().flushConntrack();
      });

      it('ClusterIP spreads TCP over every ready endpoint, local and remote, and skips a not-ready one', async function () {
        const { byPod } = await replies({ from: 'client1', to: WEB, port: 80, protocol: 'tcp' }, 60);
        // Binomial(60, 1/3): fewer than 5 for one pod happens about once in 10^5 runs.
        expectPods(byPod, WEB_BACKENDS, 5);
      });

      it('UDP ClusterIP spreads the same way', async function () {
        const { byPod } = await replies({ from: 'client1', to: WEB, port: 80, protocol: 'udp' }, 60);
        expectPods(byPod, WEB_BACKENDS, 5);
      });

      it('masquerades off-cluster sources but keeps pod sources', async function () {
        const fromExt = await replies({ from: 'ext', to: WEB, port: 80, protocol: 'tcp' }, 30);
        for (const r of fromExt.results) {
          if (r.kind === 'reply') expect(r.peerIp, `ext -> ${r.pod}`).to.equal(masqueradedPeer(r.pod));
        }
        expectPods(fromExt.byPod, WEB_BACKENDS, 1);
        const fromPod = await replies({ from: 'client1', to: WEB, port: 80, protocol: 'tcp' }, 30);
        for (const r of fromPod.results) {
          if (r.kind === 'reply') expect(r.peerIp, `client1 -> ${r.pod}`).to.equal(t().pods.client1!.ip);
        }
        expectPods(fromPod.byPod, WEB_BACKENDS, 1);
      });

      it('hairpin: a backend reaching itself through its service is answered, masqueraded', async function () {
        const result = await t().request({ from: 'local1', to: SOLO, port: 80, protocol: 'tcp' });
        expect(result).to.include({ kind: 'reply', pod: 'local1', peerIp: t().node.podGateway });
      });

      it('NodePort from off-cluster (TCP and UDP) spreads over every endpoint, masqueraded', async function () {
        const to = t().node.extSideIp;
        const tcp = await replies({ from: 'ext', to, port: WEB_NODE_PORT, protocol: 'tcp' }, 60);
        expectPods(tcp.byPod, WEB_BACKENDS, 5);
        for (const r of tcp.results) {
          if (r.kind === 'reply') expect(r.peerIp, `ext -> ${r.pod}`).to.equal(masqueradedPeer(r.pod));
        }
        const udp = await replies({ from: 'ext', to, port: WEB_NODE_PORT, protocol: 'udp' }, 30);
        expectPods(udp.byPod, WEB_BACKENDS, 1);
      });

      it('a service without endpoints is refused at once (REJECT), ClusterIP and NodePort, TCP and UDP', async function () {
        const targets: RequestSpec[] = (['tcp', 'udp'] as const).flatMap((protocol) => [
          { from: 'client1', to: EMPTY, port: 80, protocol, timeoutMs: 3000 },
          { from: 'ext', to: t().node.extSideIp, port: EMPTY_NODE_PORT, protocol, timeoutMs: 3000 },
        ]);
        for (const spec of targets) {
          const started = Date.now();
          const result = await t().request(spec);
          const what = `${spec.from} -> ${spec.to}:${spec.port}/${spec.protocol}`;
          expect(result, what).to.deep.equal({ kind: 'refused' });
          expect(Date.now() - started, `${what} took`).to.be.below(1000);
        }
      });

      it('externalTrafficPolicy Local: the NodePort keeps the client address and uses only local endpoints', async function () {
        const nodePort = await replies(
          { from: 'ext', to: t().node.extSideIp, port: LOCAL_NODE_PORT, protocol: 'tcp' },
          30,
        );
        expect(nodePort.byPod).to.deep.equal({ local2: 30 });
        for (const r of nodePort.results) if (r.kind === 'reply') expect(r.peerIp).to.equal(t().ext.ip);
        // The remote endpoint exists and serves the ClusterIP (internalTrafficPolicy Cluster).
        const clusterIp = await replies({ from: 'client1', to: LOCAL, port: 80, protocol: 'tcp' }, 30);
        expectPods(clusterIp.byPod, ['local2', 'remote1'], 1);
      });

      it('session affinity ClientIP pins every connection of a client to one endpoint', async function () {
        for (const from of ['client1', 'ext']) {
          const { byPod } = await replies({ from, to: STICKY, port: 80, protocol: 'tcp' }, 30);
          expect(Object.values(byPod), `${from}: ${JSON.stringify(byPod)}`).to.deep.equal([30]);
        }
      });

      it('an unchanged re-apply sends nothing, and diff agrees', async function () {
        // A failing iptables-restore first on PATH: the re-apply must not call it at all.
        const [noop, unchanged] = await Promise.all([
          apply(files.base, { env: failingPathEnv }),
          diff(files.base),
        ]);
        expectExit(noop, 0);
        expect(noop.stdout).to.match(/^applied in \d+ ms: ipv4: no changes$/);
        expectExit(unchanged, 0);
        expect(unchanged.stdout).to.equal('ipv4: no changes');
      });

      it('a failing iptables-restore makes apply exit 1 naming the failure and leaves rules and traffic as they were', async function () {
        const before = comparable(await save());
        const failed = await apply(files.shrunk, { env: failingPathEnv });
        expectExit(failed, 1);
        const binary = binaryName(backend, 'ipv4', 'restore');
        expect(failed.stderr).to.include(`${binary} failed (exit 1)`);
        expect(failed.stderr).to.include('fake iptables-restore: line 2 failed');
        expect(comparable(await save())).to.equal(before);
        const { byPod } = await replies({ from: 'client1', to: WEB, port: 80, protocol: 'tcp' }, 60);
        expectPods(byPod, WEB_BACKENDS, 5);
      });
    });

    describe('changing the rules', function () {
      beforeEach(async function () {
        await reset();
        expectExit(await apply(files.base), 0);
      });

      it('an update that removes an endpoint stops traffic to it and deletes its KUBE-SEP chains', async function () {
        const remote = `--to-destination ${t().pods.remote1!.ip}:8080`;
        const before = parseSave(await save(), 'ipv4');
        const webSeps = chainsWithRule(before, '"app/web:', remote);
        const stickySeps = chainsWithRule(before, '"app/sticky:', remote);
        expect(webSeps, 'web: tcp and udp').to.have.length(2);
        expect(stickySeps).to.have.length(1);

        const run = await apply(files.shrunk);
        expectExit(run, 0);
        expect(run.stdout).to.match(/ipv4: \d+ chains written, 2 deleted/);
        const after = parseSave(await save(), 'ipv4');
        const natChains = [...(after.tables.get('nat')?.chains.keys() ?? [])];
        expect(natChains.filter((c) => webSeps.includes(c))).to.deep.equal([]);
        expect(natChains).to.include.members(stickySeps);

        const tcp = await replies({ from: 'client1', to: WEB, port: 80, protocol: 'tcp' }, 60);
        expectPods(tcp.byPod, ['local1', 'local2'], 10);
        const udp = await replies({ from: 'client1', to: WEB, port: 80, protocol: 'udp' }, 30);
        expectPods(udp.byPod, ['local1', 'local2'], 1);
      });

      it('a re-apply that changes one service keeps the counters of every other chain', async function () {
        await replies({ from: 'client1', to: WEB, port: 80, protocol: 'tcp' }, 20);
        await replies({ from: 'ext', to: STICKY, port: 80, protocol: 'tcp' }, 10);
        const before = await countedSave();

        const pending = await diff(files.soloMoved);
        expectExit(pending, 1);
        expect(pending.stdout).to.include('app/solo').and.not.include('app/web');
        const changed = await apply(files.soloMoved);
        expectExit(changed, 0);
        expect(changed.stdout).to.match(/ipv4: 2 chains written, 1 deleted, 0 hooks added, 0 removed/);
        const after = await countedSave();

        const comparison = compareCounters(before, after);
        expect(comparison.changed, 'SVC rewritten, SEP added, SEP deleted').to.have.length(3);
        for (const key of comparison.changed) {
          expect(key.startsWith('nat/KUBE-'), key).to.equal(true);
          const rules = [before, after].flatMap(
            (rs) => rs.tables.get('nat')?.chains.get(key.slice('nat/'.length))?.rules ?? [],
          );
          expect(
            rules.some((r) => r.includes('app/solo')),
            `${key} belongs to app/solo`,
          ).to.equal(true);
        }
        for (const [key, [was, is]] of comparison.kept) expect(is, `counters of ${key}`).to.equal(was);
        // The comparison means something: endpoint chains of the services that carried traffic counted it.
        const counted = (svc: string): string[] =>
          [...comparison.kept]
            .filter(([key, [was]]) => key.startsWith('nat/KUBE-SEP-') && /(^| )[1-9]\d*:/.test(was))
            .filter(([key]) => chainsWithRule(before, `"app/${svc}:http"`).includes(key.slice('nat/'.length)))
            .map(([key]) => key);
        expect(counted('web'), 'web endpoint chains with packets').to.not.be.empty;
        expect(counted('sticky'), 'sticky endpoint chains with packets').to.not.be.empty;

        const solo = await replies({ from: 'client1', to: SOLO, port: 80, protocol: 'tcp' }, 10);
        expect(solo.byPod).to.deep.equal({ local2: 10 });
      });

      it('foreign chains and rules survive apply and cleanup byte for byte; cleanup leaves no KUBE-* behind', async function () {
        const foreignWorks = async (): Promise<void> => {
          const spec = { from: 'ext', to: t().node.extSideIp, port: FOREIGN_PORT, protocol: 'tcp' } as const;
          const result = await t().request(spec);
          expect(result).to.include({ kind: 'reply', pod: 'local1', peerIp: t().ext.ip });
        };
        expect(foreignLines(await save()), 'after apply').to.deep.equal(foreignBaseline);
        await foreignWorks();

        const cleaned = await kproxy(['cleanup']);
        expectExit(cleaned, 0);
        expect(cleaned.stdout).to.match(/^cleaned up: ipv4: \d+ chains written, \d+ deleted/);
        for (const family of ['ipv4', 'ipv6'] as const) {
          const left = (await save(family)).split('\n').filter((l) => l.includes('KUBE-'));
          expect(left, `${family} after cleanup`).to.deep.equal([]);
        }
        expect(foreignLines(await save()), 'after cleanup').to.deep.equal(foreignBaseline);
        await t().flushConntrack();
        await foreignWorks();
        const refused = await t().request({
          from: 'client1',
          to: EMPTY,
          port: 80,
          protocol: 'tcp',
          timeoutMs: 300,
        });
        expect(refused.kind, 'no REJECT rule left').to.equal('timeout');

        const again = await kproxy(['cleanup']);
        expectExit(again, 0);
        expect(again.stdout).to.equal('cleaned up: ipv4: no changes; ipv6: no changes');
      });
    });
  });
}

suite('nft');
suite('legacy');
