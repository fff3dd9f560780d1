import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { expect } from 'chai';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { HEALTHZ_PORT, parseHostPort } from '../../../src/config/fields.js';
import { parseConfig } from '../../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../../src/config/types.js';
import { HealthzServer } from '../../../src/server/healthz.js';
import { get } from '../server/http-client.js';
import { REPO_ROOT, commandHelp, type CommandHelp } from './kproxy-help.js';
import {
  MANIFESTS_DIR,
  flagName,
  flagValue,
  kustomization,
  manifestFiles,
  objects,
  readYamlDocs,
  type Objects,
} from './manifests.js';
import { schemaProblems } from './schema.js';

const CONFIG_KEY = 'config.yaml';

function portOf(bindAddress: string): number {
  return Number(/:(\d+)$/.exec(bindAddress)?.[1]);
}

function kproxyContainer(o: Objects): IContainer {
  const containers = o.daemonSet.spec?.template.spec?.containers ?? [];
  expect(containers.map((c) => c.name)).to.deep.equal(['kproxy']);
  return containers[0]!;
}

/** A probe's port as a number (a named port resolved against the container's ports). */
function probePort(container: IContainer, probe: IProbe | undefined): number | undefined {
  const port = probe?.httpGet?.port;
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function configText(o: Objects): string {
  const text = o.configMap.data?.[CONFIG_KEY];
  expect(text, `ConfigMap ${o.configMap.metadata?.name} has no ${CONFIG_KEY}`).to.be.a('string');
  return text!;
}

describe('deploy: manifests/', function () {
  // Spawning the CLI from source (tsx) takes a few seconds on a cold cache.
  this.timeout(60_000);

  describe('schemas', () => {
    for (const file of manifestFiles()) {
      it(`${file} validates against the Kubernetes schemas, with no unknown field`, () => {
        const docs = readYamlDocs(file);
        expect(docs, `${file} holds no object`).to.not.be.empty;
        for (const { object } of docs) expect(schemaProblems(object), file).to.deep.equal([]);
      });
    }

    it('the schema check rejects a misspelt field, a wrong type and an unknown kind', () => {
      const { daemonSet } = objects();
      const misspelt = structuredClone(daemonSet) as unknown as { spec: { template: { spec: object } } };
      misspelt.spec.template.spec = { ...misspelt.spec.template.spec, hostNetwrok: true };
      expect(schemaProblems(misspelt)).to.deep.equal(['/spec/template/spec/hostNetwrok: unknown field']);

      const wrongType = structuredClone(daemonSet);
      wrongType.spec!.template.spec!.containers[0]!.ports![0]!.containerPort = '10256' as unknown as number;
      expect(schemaProblems(wrongType).join('\n')).to.match(
        /containers\/0\/ports\/0\/containerPort must be integer/,
      );

      expect(schemaProblems({ apiVersion: 'apps/v1', kind: 'Deamonset' })[0]).to.match(/no schema/);
    });
  });

  describe('kustomization', () => {
    it('lists every manifest file, and only existing ones', () => {
      const { resources, namespace } = kustomization();
      expect([...resources].sort()).to.deep.equal(manifestFiles());
      for (const r of resources) expect(existsSync(join(MANIFESTS_DIR, r)), r).to.equal(true);
      expect(namespace).to.equal('kube-system');
    });
  });

  describe('RBAC', () => {
    it('grants only read access to what kproxy watches, and event writes', () => {
      const grants = (objects().clusterRole.rules ?? []).flatMap((rule) =>
        (rule.apiGroups ?? []).flatMap((group) =>
          (rule.resources ?? []).flatMap((resource) =>
            rule.verbs.map((verb) => `${group === '' ? 'core' : group}/${resource}:${verb}`),
          ),
        ),
      );
      const read = ['core/services', 'core/endpoints', 'core/nodes', 'discovery.k8s.io/endpointslices'];
      const events = ['core/events', 'events.k8s.io/events'];
      const expected = [
        ...read.flatMap((r) => ['get', 'list', 'watch'].map((v) => `${r}:${v}`)),
        ...events.flatMap((r) => ['create', 'patch'].map((v) => `${r}:${v}`)),
      ];
      expect([...grants].sort()).to.deep.equal(expected.sort());
      for (const rule of objects().clusterRole.rules ?? []) {
        expect(rule.resourceNames, 'resourceNames').to.equal(undefined);
        expect(rule.nonResourceURLs, 'nonResourceURLs').to.equal(undefined);
      }
    });

    it("binds the role to the DaemonSet's service account", () => {
      const o = objects();
      const sa = o.serviceAccount.metadata!;
      expect(o.clusterRoleBinding.roleRef).to.deep.equal({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: o.clusterRole.metadata?.name,
      });
      expect(o.clusterRoleBinding.subjects).to.deep.equal([
        { kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace },
      ]);
      expect(o.daemonSet.spec?.template.spec?.serviceAccountName).to.equal(sa.name);
      expect(o.daemonSet.metadata?.namespace).to.equal(sa.namespace);
    });
  });

  describe('ConfigMap', () => {
    it('holds a KubeProxyConfiguration that kproxy loads without errors or warnings', () => {
      const { config, warnings } = parseConfig(configText(objects()), 'manifests/configmap.yaml', {
        hostname: 'node-1',
      });
      expect(warnings).to.deep.equal([]);
      expect(config.clusterCIDRs).to.not.be.empty;
      expect(config.healthzBindAddress).to.equal(DEFAULT_CONFIG.healthzBindAddress);
    });
  });

  describe('DaemonSet', () => {
    let help: CommandHelp;
    before(() => {
      help = commandHelp('run');
    });

    it('passes only flags that `kproxy run --help` lists', () => {
      expect(
        help.isCommandHelp,
        `\`kproxy run --help\` did not print the run command's help: is \`run\` registered in src/cli/main.ts?\n${help.text}`,
      ).to.equal(true);
      expect(help.status).to.equal(0);
      const args = kproxyContainer(objects()).args ?? [];
      expect(args[0], 'the first argument is the command').to.equal('run');
      const unknown = args.slice(1).filter((a) => {
        const name = flagName(a);
        return name === undefined || !help.flags.has(name);
      });
      expect(unknown, `not in \`kproxy run --help\` (${[...help.flags].join(', ')})`).to.deep.equal([]);
    });

    it("its arguments are accepted by kproxy run's own parser, with the ConfigMap's configuration", () => {
      const o = objects();
      const dir = mkdtempSync(join(tmpdir(), 'kproxy-manifests-'));
      try {
        writeFileSync(join(dir, CONFIG_KEY), configText(o));
        const args = (kproxyContainer(o).args ?? []).map((a) =>
          a.replace(/^--config=.*$/, `--config=${join(dir, CONFIG_KEY)}`).replace('$(NODE_NAME)', 'node-1'),
        );
        // A kubeconfig that cannot be read stops start-up right after flags and config are
        // checked; --dry-run keeps anything from touching the host.
        const kubeconfig = join(dir, 'missing-kubeconfig');
        const result = spawnSync(
          process.execPath,
          ['--import', 'tsx', 'src/cli/entry.ts', ...args, `--kubeconfig=${kubeconfig}`, '--dry-run'],
          { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, KUBECONFIG: '' } },
        );
        expect(result.stderr, 'the only complaint is the missing kubeconfig').to.include(kubeconfig);
        expect(result.stderr).to.not.match(/Unknown argument|Invalid values|Missing required/i);
        expect(result.status).to.equal(2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('probes /livez (liveness) and /healthz (readiness) on the health port kproxy binds', () => {
      const o = objects();
      const c = kproxyContainer(o);
      expect(c.livenessProbe?.httpGet?.path).to.equal('/livez');
      expect(c.readinessProbe?.httpGet?.path).to.equal('/healthz');

      const { config } = parseConfig(configText(o), 'configmap', { hostname: 'node-1' });
      const flag = flagValue(c.args ?? [], 'healthz-bind-address');
      const bind = flag === undefined ? config.healthzBindAddress : parseHostPort(flag, 'flag', HEALTHZ_PORT);
      const helpDefault = help.defaults.get('healthz-bind-address');
      const port = portOf(bind);
      expect(port).to.equal(HEALTHZ_PORT).and.to.equal(10256);
      expect(portOf(DEFAULT_CONFIG.healthzBindAddress)).to.equal(port);
      if (helpDefault !== undefined)
        expect(portOf(helpDefault), '--healthz-bind-address default').to.equal(port);
      expect(
        bind.startsWith('0.0.0.0:') || bind.startsWith('[::]:'),
        `${bind} is reachable by the kubelet`,
      ).to.equal(true);
      expect(probePort(c, c.livenessProbe)).to.equal(port);
      expect(probePort(c, c.readinessProbe)).to.equal(port);
      expect(c.ports?.find((p) => p.name === 'healthz')).to.deep.include({
        containerPort: port,
        hostPort: port,
      });
    });

    it("the probe paths are the ones kproxy's health server answers", async () => {
      const c = kproxyContainer(objects());
      const abort = new AbortController();
      const server = new HealthzServer({
        bindAddress: '127.0.0.1:0',
        healthTimeoutMs: 60_000,
        state: () => ({ lastQueuedAt: undefined, lastSyncedAt: Date.now(), nodeEligible: true }),
      });
      const port = await server.start(abort.signal);
      try {
        for (const probe of [c.livenessProbe, c.readinessProbe]) {
          const reply = await get(port, probe!.httpGet!.path!);
          expect(reply.status, probe!.httpGet!.path).to.equal(200);
        }
      } finally {
        abort.abort();
        await server.stop();
      }
    });

    it('mounts the xtables lock, /lib/modules read-only and the configuration', () => {
      const o = objects();
      const c = kproxyContainer(o);
      const volumes = new Map((o.daemonSet.spec?.template.spec?.volumes ?? []).map((v) => [v.name, v]));
      const mount = (path: string): { name: string; readOnly?: boolean } => {
        const found = c.volumeMounts?.find((m) => m.mountPath === path);
        expect(found, `no volumeMount at ${path}`).to.not.equal(undefined);
        return found!;
      };
      const lock = mount('/run/xtables.lock');
      expect(volumes.get(lock.name)?.hostPath).to.deep.equal({
        path: '/run/xtables.lock',
        type: 'FileOrCreate',
      });
      const modules = mount('/lib/modules');
      expect(modules.readOnly).to.equal(true);
      expect(volumes.get(modules.name)?.hostPath?.path).to.equal('/lib/modules');

      const configPath = flagValue(c.args ?? [], 'config');
      expect(configPath, '--config').to.be.a('string');
      const configMount = c.volumeMounts?.find((m) => configPath!.startsWith(`${m.mountPath}/`));
      expect(configMount, `no volumeMount holds ${configPath}`).to.not.equal(undefined);
      const source = volumes.get(configMount!.name)?.configMap;
      expect(source?.name).to.equal(o.configMap.metadata?.name);
      const item = posix.relative(configMount!.mountPath, configPath!);
      const keys = source?.items?.map((i) => ({ key: i.key, path: i.path })) ?? [{ key: item, path: item }];
      expect(keys).to.deep.include({ key: CONFIG_KEY, path: item });
    });

    it("runs on every node in the node's network namespace, as the node's name", () => {
      const o = objects();
      const spec = o.daemonSet.spec!;
      const pod = spec.template.spec!;
      expect(pod.hostNetwork).to.equal(true);
      expect(pod.dnsPolicy).to.equal('ClusterFirstWithHostNet');
      expect(pod.priorityClassName).to.equal('system-node-critical');
      expect(pod.tolerations).to.deep.equal([{ operator: 'Exists' }]);
      expect(spec.updateStrategy).to.deep.equal({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1 },
      });
      expect(spec.selector.matchLabels).to.deep.equal(spec.template.metadata?.labels);

      const c = kproxyContainer(o);
      expect(c.command, 'the image entrypoint (iptables wrapper) must stay in force').to.equal(undefined);
      expect(c.args).to.include('--hostname-override=$(NODE_NAME)');
      const nodeName = c.env?.find((e) => e.name === 'NODE_NAME');
      expect(nodeName?.valueFrom?.fieldRef?.fieldPath).to.equal('spec.nodeName');
    });

    it('adds only NET_ADMIN and NET_RAW, unprivileged, with resources set', () => {
      const c = kproxyContainer(objects());
      const sc = c.securityContext!;
      expect(sc.privileged).to.not.equal(true);
      expect(sc.capabilities?.drop).to.deep.equal(['ALL']);
      expect([...(sc.capabilities?.add ?? [])].sort()).to.deep.equal(['NET_ADMIN', 'NET_RAW']);
      expect(c.resources?.requests).to.have.keys('cpu', 'memory');
      expect(c.resources?.limits).to.have.property('memory');
    });

    it("gives Node a heap budget well inside the container's memory limit", () => {
      const c = kproxyContainer(objects());
      const options = c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
      const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(options)?.[1]);
      const limit = /^(\d+)Mi$/.exec(String(c.resources?.limits?.memory ?? ''));
      expect(heapMiB, 'NODE_OPTIONS sets --max-old-space-size').to.be.greaterThan(0);
      expect(limit, 'the memory limit is in Mi').to.not.equal(null);
      // The iptables commands kproxy runs share the limit (an iptables-nft-save of 10k services
      // takes ~390 MiB): the heap may have at most half of it.
      expect(heapMiB).to.be.at.most(Number(limit?.[1]) / 2);
    });
  });
});
