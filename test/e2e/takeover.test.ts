/**
 * Replacing kube-proxy in place, and rolling back (issue 5), in a node network namespace on both
 * iptables backends, with real TCP traffic:
 *
 * - The node starts with kube-proxy's layout for a cluster (test/e2e/takeover/kube-proxy-layout.ts:
 *   the chains `kproxy render` prints, written in kube-proxy's own restore syntax and installed as
 *   kube-proxy does: one `iptables-restore --noflush` of KUBE-* chains plus `iptables -I` hooks).
 *   `kproxy apply` then takes over while clients keep connecting: no connection fails, and no chain
 *   is rewritten (the per-rule packet counters of every KUBE-SVC/KUBE-SEP chain carry on exactly).
 *   `kproxy cleanup` removes everything, and kube-proxy's layout installs and works again.
 * - `kproxy trace` (offline from the cluster files, and `--live` on the node) agrees with the
 *   traffic: the endpoints it prints are the pods that answered, masquerade is whether a pod saw a
 *   node address as its peer, and REJECT is a refused connection.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSaveWithCounters, type CountedRuleSet } from '../../src/iptables/parse.js';
import { createRunner, type Runner } from '../../src/iptables/runner.js';
import { describeRun, runKproxyInNetns, type KproxyRun } from '../support/kproxy-cli.js';
import {
  createTopology,
  describeWithNetns,
  iptablesBinary,
  type IptablesBackend,
  type RequestResult,
  type RequestSpec,
  type Topology,
} from '../support/netns/index.js';
import { configYaml, writeCluster, type ServiceSpec } from './apply-traffic/cluster.js';
import { kubeProxyLayout } from './takeover/kube-proxy-layout.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BATCH = fileURLToPath(new URL('./takeover/kproxy-batch.ts', import.meta.url));

/** NodePort 30080, externalTrafficPolicy Cluster: local1, local2, remote1. */
const WEB = '10.96.0.10';
const WEB_NODE_PORT = 30080;
const WEB_BACKENDS = ['local1', 'local2', 'remote1'];
/** NodePort 30100, externalTrafficPolicy Local: local2 (on this node) and remote1. */
const LOCAL = '10.96.0.30';
const LOCAL_NODE_PORT = 30100;
/** No endpoints. */
const EMPTY = '10.96.0.20';

function services(topo: Topology): ServiceSpec[] {
  const ready = (...names: string[]): { pod: NonNullable<Topology['pods'][string]> }[] =>
    names.map((n) => ({ pod: topo.pods[n]! }));
  const http = { name: 'http', protocol: 'TCP', port: 80 } as const;
  return [
    {
      name: 'web',
      type: 'NodePort',
      clusterIP: WEB,
      ports: [{ ...http, nodePort: WEB_NODE_PORT }],
      endpoints: ready(...WEB_BACKENDS),
    },
    {
      name: 'local',
      type: 'NodePort',
      clusterIP: LOCAL,
      externalTrafficPolicy: 'Local',
      ports: [{ ...http, nodePort: LOCAL_NODE_PORT }],
      endpoints: ready('local2', 'remote1'),
    },
    { name: 'empty', type: 'ClusterIP', clusterIP: EMPTY, ports: [http], endpoints: [] },
  ];
}

/**
 * `kproxy render` output by cluster file content: the address plan is fixed, so both backends'
 * topologies have the same cluster and one render (offline, backend-independent) serves both.
 */
const renders = new Map<string, Promise<KproxyRun>>();

/** `kproxy ARGS` for each argument list, in order, in one process inside a namespace. */
async function kproxyBatchInNetns(ns: string, runs: readonly (readonly string[])[]): Promise<KproxyRun[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kpt-takeover-batch-'));
  try {
    const out = path.join(dir, 'results.json');
    await execa(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--import', 'tsx', BATCH, JSON.stringify(runs), out],
      {
        cwd: REPO_ROOT,
        stdin: 'ignore',
        timeout: 30_000,
      },
    );
    return JSON.parse(await readFile(out, 'utf8')) as KproxyRun[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface TracedOutcome {
  readonly verdict: string;
  readonly endpoint?: string;
  readonly masqueraded?: boolean;
}

/** The outcome summary lines of `kproxy trace`: `  [1]  33.33%  DNAT to IP:PORT, masquerade: no`. */
function traceOutcomes(stdout: string): TracedOutcome[] {
  const outcomes: TracedOutcome[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^ {2}\[\d+\]\s+[\d.e-]+%\s+(.*)$/.exec(line);
    if (!m) continue;
    const dnat = /^DNAT to (\S+):\d+, masquerade: (yes|no)/.exec(m[1]!);
    if (dnat) outcomes.push({ verdict: 'DNAT', endpoint: dnat[1]!, masqueraded: dnat[2] === 'yes' });
    else outcomes.push({ verdict: m[1]!.split(' ')[0]! });
  }
  return outcomes;
}

/** pod name -> masqueraded, or 'REJECT'; from a trace or from real traffic. */
type Observed = Readonly<Record<string, boolean>> | 'REJECT';

function fromTrace(topo: Topology, outcomes: readonly TracedOutcome[], what: string): Observed {
  if (outcomes.length > 0 && outcomes.every((o) => o.verdict === 'REJECT')) return 'REJECT';
  const byIp = new Map(Object.values(topo.pods).map((p) => [p.ip, p.name]));
  const seen: Record<string, boolean> = {};
  for (const o of outcomes) {
    expect(o.verdict, `${what}: ${JSON.stringify(outcomes)}`).to.equal('DNAT');
    const pod = byIp.get(o.endpoint!);
    expect(pod, `${what}: endpoint ${o.endpoint} is a pod`).to.be.a('string');
    seen[pod!] = o.masqueraded!;
  }
  return seen;
}

function fromTraffic(topo: Topology, results: readonly RequestResult[], what: string): Observed {
  const nodeAddresses = new Set([topo.node.ip, topo.node.extSideIp, topo.node.podGateway]);
  if (results.every((r) => r.kind === 'refused')) return 'REJECT';
  const seen: Record<string, boolean> = {};
  for (const r of results) {
    expect(r.kind, `${what}: ${JSON.stringify(r)}`).to.equal('reply');
    if (r.kind !== 'reply') continue;
    const masqueraded = nodeAddresses.has(r.peerIp);
    expect(seen[r.pod] ?? masqueraded, `${what}: ${r.pod} saw both masqueraded and not`).to.equal(
      masqueraded,
    );
    seen[r.pod] = masqueraded;
  }
  return seen;
}

/** `nat/CHAIN#rule` -> packets, for KUBE-SVC-* and KUBE-SEP-* chains; and the DNAT target of each SEP. */
function serviceCounters(rs: CountedRuleSet): { packets: Map<string, number>; rules: Map<string, string> } {
  const packets = new Map<string, number>();
  const rules = new Map<string, string>();
  for (const [name, chain] of rs.tables.get('nat')?.chains ?? []) {
    if (!/^KUBE-(SVC|SEP)-/.test(name)) continue;
    chain.rules.forEach((rule, i) => {
      const counters = chain.counters[i];
      if (!counters) throw new Error(`nat ${name} rule ${i + 1} has no counters`);
      packets.set(`${name}#${i + 1}`, Number(counters.packets));
      rules.set(`${name}#${i + 1}`, rule);
    });
  }
  return { packets, rules };
}

function suite(backend: IptablesBackend): void {
  describeWithNetns(`takeover from kube-proxy and back (iptables-${backend})`, function () {
    this.timeout(30_000);
    let topo: Topology | undefined;
    let dir = '';
    const files = { config: '', cluster: '' };
    let layout = kubeProxyLayout('');
    let runner: Runner;

    const t = (): Topology => topo!;
    const kproxy = (args: readonly string[]): Promise<KproxyRun> =>
      runKproxyInNetns(t().nsName('node'), [...args, '--iptables-backend', backend]);
    const expectOk = (run: KproxyRun): KproxyRun => {
      expect(run.exitCode, describeRun(run)).to.equal(0);
      return run;
    };
    const countedSave = async (): Promise<CountedRuleSet> =>
      parseSaveWithCounters(await runner.save('ipv4', undefined, { counters: true }), 'ipv4');
    const kubeLines = async (): Promise<string[]> =>
      (await runner.save('ipv4')).split('\n').filter((l) => l.includes('KUBE-'));

    /** What kube-proxy's first sync leaves: its restore of KUBE-* chains, then its -I hooks. */
    const installKubeProxy = async (): Promise<void> => {
      // -w: wait for the xtables lock (legacy) like kube-proxy does, should anything else hold it.
      const restore = iptablesBinary(backend, 4, 'restore');
      await t().exec('node', [restore, '-w', '10', '--noflush'], { input: layout.restore });
      const iptables = iptablesBinary(backend, 4, 'iptables');
      for (const hook of layout.hooks) {
        await t().exec('node', [iptables, '-w', '10', '-t', hook.table, '-I', hook.chain, '1', ...hook.args]);
      }
    };
    const emptyTables = async (): Promise<void> => {
      const empty = '*filter\nCOMMIT\n*nat\nCOMMIT\n*mangle\nCOMMIT\n';
      await t().exec('node', [iptablesBinary(backend, 4, 'restore'), '-w', '10'], { input: empty });
      await t().flushConntrack();
    };

    const webClusterIp: RequestSpec = { from: 'client1', to: WEB, port: 80, protocol: 'tcp' };
    const webNodePort = (): RequestSpec => ({
      from: 'ext',
      to: t().node.ip,
      port: WEB_NODE_PORT,
      protocol: 'tcp',
    });

    before(async function () {
      topo = await createTopology({ localPods: 2, remotePods: 1, clientPods: 1 });
      runner = createRunner({ backend, netns: t().nsName('node') });
      dir = await mkdtemp(path.join(tmpdir(), 'kpt-takeover-'));
      files.config = path.join(dir, 'config.yaml');
      await writeFile(files.config, configYaml());
      files.cluster = await writeCluster(dir, 'cluster', t(), services(t()));
      const key = (await readFile(files.config, 'utf8')) + (await readFile(files.cluster, 'utf8'));
      let rendering = renders.get(key);
      if (!rendering) {
        const args = ['render', '--config', files.config, '--objects', files.cluster];
        renders.set(key, (rendering = runKproxyInNetns(t().nsName('node'), args)));
      }
      const render = expectOk(await rendering);
      layout = kubeProxyLayout(render.stdout);
      // The layout is kube-proxy's written form, not the save form kproxy renders.
      expect(layout.restore).to.match(/--probability 0\.5000000000 /);
      expect(layout.restore).to.include('-j MARK --or-mark 0x4000');
      expect(layout.restore).to.match(
        /-m comment --comment "app\/web:http cluster IP" -m tcp -p tcp -d 10\.96\.0\.10 /,
      );
      expect(layout.hooks.length).to.be.at.least(3);
    });

    after(async function () {
      await topo?.destroy();
      topo = undefined;
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('kproxy takes over kube-proxy’s rules with no failed connection and no rewritten chain, and cleanup rolls back', async function () {
      await emptyTables();
      await installKubeProxy();
      // Every web endpoint carries traffic under kube-proxy's rules first, so a reset counter shows.
      const warm = await t().requestMany(webClusterIp, 30);
      expect(warm.byKind.reply, JSON.stringify(warm.byKind)).to.equal(30);
      expect(Object.keys(warm.byPod).sort()).to.deep.equal(WEB_BACKENDS);
      const before = serviceCounters(await countedSave());

      // Continuous traffic (new connections, one after another) to a ClusterIP and a NodePort
      // while kproxy starts on the node: `diff --exit-code` (what an operator checks first), then
      // `apply`, the takeover. Both run in one kproxy process (see takeover/kproxy-batch.ts).
      let applying = true;
      const results: RequestResult[][] = [[], []];
      const loop = async (spec: RequestSpec, into: RequestResult[]): Promise<void> => {
        for (let batch = 0; applying || batch < 3; batch++) {
          into.push(...(await t().requestMany(spec, 10)).results);
        }
      };
      const traffic = Promise.all([loop(webClusterIp, results[0]!), loop(webNodePort(), results[1]!)]);
      let runs: KproxyRun[];
      try {
        const objects = ['--config', files.config, '--objects', files.cluster, '--iptables-backend', backend];
        runs = await kproxyBatchInNetns(t().nsName('node'), [
          ['diff', ...objects, '--exit-code'],
          ['apply', ...objects],
        ]);
        await new Promise((resolve) => setTimeout(resolve, 300));
      } finally {
        applying = false;
        await traffic;
      }
      const [diff, applied] = runs.map(expectOk);
      expect(diff!.stdout).to.equal('ipv4: no changes\n');
      expect(applied!.stdout).to.match(/^applied in \d+ ms: ipv4: no changes\n$/);

      const all = results.flat();
      const failed = all.filter((r) => r.kind !== 'reply');
      expect(failed, `${failed.length} of ${all.length} connections failed`).to.deep.equal([]);
      expect(results[0]!.length, 'ClusterIP connections during the takeover').to.be.at.least(30);
      expect(results[1]!.length, 'NodePort connections during the takeover').to.be.at.least(30);

      // No chain was rewritten: every KUBE-SVC/KUBE-SEP rule is still there with its counters,
      // grown by exactly the connections it carried (nat rules see a connection's first packet).
      const after = serviceCounters(await countedSave());
      expect([...after.rules].sort(), 'the same rules').to.deep.equal([...before.rules].sort());
      const perPod: Record<string, number> = {};
      for (const r of all) if (r.kind === 'reply') perPod[r.pod] = (perPod[r.pod] ?? 0) + 1;
      const podByIp = new Map(Object.values(t().pods).map((p) => [p.ip, p.name]));
      const sepPod = new Map<string, string>();
      for (const [key, rule] of after.rules) {
        const dnat = /"app\/web:http" .*-j DNAT --to-destination (\S+):\d+/.exec(rule);
        if (dnat) sepPod.set(key.split('#')[0]!, podByIp.get(dnat[1]!)!);
      }
      expect([...sepPod.values()].sort(), 'web endpoint chains').to.deep.equal(WEB_BACKENDS);
      for (const [key, rule] of after.rules) {
        const chain = key.split('#')[0]!;
        const jumpTo = /-j (KUBE-SEP-\S+)/.exec(rule)?.[1];
        const carried =
          (sepPod.has(chain) && rule.includes('-j DNAT')) || (jumpTo !== undefined && sepPod.has(jumpTo))
            ? (perPod[sepPod.get(jumpTo ?? chain)!] ?? 0)
            : 0;
        const [was, is] = [before.packets.get(key)!, after.packets.get(key)!];
        expect(is - was, `${backend} nat ${key}: ${rule} (packets ${was} -> ${is})`).to.equal(carried);
        if (rule.includes('-j DNAT') && sepPod.has(chain)) expect(was, `${key} warmed`).to.be.above(0);
      }

      // Roll back: cleanup leaves no KUBE-* rule, then kube-proxy's layout installs and works again.
      expect(expectOk(await kproxy(['cleanup'])).stdout).to.match(/^cleaned up: ipv4: \d+ chains written/);
      expect(await kubeLines(), 'KUBE-* after cleanup').to.deep.equal([]);
      const gone = await t().request({ ...webClusterIp, timeoutMs: 300 });
      expect(gone.kind, 'no service rule left').to.equal('timeout');
      await installKubeProxy();
      for (const spec of [webClusterIp, webNodePort()]) {
        const back = await t().requestMany(spec, 15);
        expect(back.byKind, `${spec.from} -> ${spec.to}:${spec.port} under kube-proxy again`).to.deep.equal({
          reply: 15,
          refused: 0,
          timeout: 0,
          error: 0,
        });
      }
    });

    it('kproxy trace, offline and --live, agrees with real traffic for every flow', async function () {
      // kube-proxy's layout: the rules kproxy takes over unchanged (first test), read by --live.
      await emptyTables();
      await installKubeProxy();
      const node = t().node;
      const web = (masqueraded: boolean): Observed =>
        Object.fromEntries(WEB_BACKENDS.map((pod) => [pod, masqueraded]));
      /** `expected` pins what the traffic shows, so that agreeing with it means something. */
      const flows: {
        name: string;
        spec: RequestSpec;
        expected: Observed;
        count?: number;
        origin?: 'local';
      }[] = [
        { name: 'pod -> ClusterIP', spec: webClusterIp, expected: web(false) },
        { name: 'ext -> NodePort (eTP Cluster)', spec: webNodePort(), expected: web(true) },
        {
          name: 'ext -> NodePort (eTP Local)',
          spec: { from: 'ext', to: node.ip, port: LOCAL_NODE_PORT, protocol: 'tcp' },
          expected: { local2: false },
        },
        // Few: the kernel rate-limits the ICMP errors REJECT sends (about 6 at once, then 1 a second).
        {
          name: 'pod -> service without endpoints',
          spec: { ...webClusterIp, to: EMPTY },
          expected: 'REJECT',
          count: 3,
        },
        {
          name: 'node (local process) -> ClusterIP',
          spec: { ...webClusterIp, from: 'node', localAddress: node.ip },
          expected: web(true),
          origin: 'local',
        },
      ];
      const sourceIp = (spec: RequestSpec): string =>
        spec.localAddress ?? (spec.from === 'ext' ? t().ext.ip : t().pods[spec.from]!.ip);
      const traceArgs = (flow: (typeof flows)[number]): string[] => [
        'trace',
        '--from',
        sourceIp(flow.spec),
        '--to',
        `${flow.spec.to}:${flow.spec.port}/${flow.spec.protocol}`,
        ...(flow.origin ? ['--origin', flow.origin] : []),
      ];
      // Every trace through kproxy's CLI (main), offline from the files and --live on this node.
      const traces = await kproxyBatchInNetns(
        t().nsName('node'),
        flows.flatMap((flow) => [
          [...traceArgs(flow), '--config', files.config, '--objects', files.cluster],
          [...traceArgs(flow), '--live', '--iptables-backend', backend],
        ]),
      );
      for (const [i, flow] of flows.entries()) {
        await t().flushConntrack();
        const traffic = await t().requestMany({ ...flow.spec, timeoutMs: 2000 }, flow.count ?? 45);
        const real = fromTraffic(t(), traffic.results, `${flow.name}: traffic`);
        expect(real, `${flow.name}: traffic`).to.deep.equal(flow.expected);
        for (const [j, mode] of ['offline', 'live'].entries()) {
          const run = expectOk(traces[2 * i + j]!);
          const what = `${flow.name}: trace (${mode})\n${run.stdout}`;
          expect(fromTrace(t(), traceOutcomes(run.stdout), what), what).to.deep.equal(real);
        }
      }
    });
  });
}

suite('nft');
suite('legacy');
