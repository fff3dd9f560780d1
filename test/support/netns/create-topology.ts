/** createTopology: namespaces, veths, routes and backend servers; cleans up after itself on failure. */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import * as batches from './batches.js';
import { runClient, summarize } from './client.js';
import { planTopology } from './plan.js';
import { track, type Owned } from './registry.js';
import { ipBatch, netnsExec, run, setSysctls } from './run.js';
import { startPodServer, type PodServer } from './servers.js';
import { settleAll, teardown } from './teardown.js';
import type { Topology, TopologyFacts, TopologyOptions } from './types.js';

/** createTopology failed; everything it had created is gone again. */
export class TopologyError extends Error {
  override readonly name = 'TopologyError';
  constructor(
    readonly id: string,
    cause: unknown,
  ) {
    super(`createTopology ${id} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** Prefix of every namespace the harness creates. */
export const NAMESPACE_PREFIX = 'kpt-';

async function existingNamespaces(): Promise<string[]> {
  return readdir('/run/netns').catch(() => []);
}

async function freshId(): Promise<string> {
  const existing = await existingNamespaces();
  for (;;) {
    const id = `${NAMESPACE_PREFIX}${randomBytes(2).toString('hex')}`;
    if (!existing.some((ns) => ns.startsWith(`${id}-`))) return id;
  }
}

async function addNamespace(ns: string, owned: Owned): Promise<void> {
  await run(['ip', 'netns', 'add', ns]);
  owned.namespaces.add(ns); // only after success: never delete a namespace we did not create
}

async function wire(facts: TopologyFacts, options: TopologyOptions, owned: Owned): Promise<void> {
  await settleAll(facts.namespaces.map((ns) => addNamespace(ns, owned)));
  await settleAll(facts.namespaces.map((ns) => setSysctls(ns, batches.sysctlsFor(facts, ns, options))));
  const apply = (batch: batches.NsBatch): Promise<void> => ipBatch(batch.ns, batch.lines);
  await apply(batches.nodeLinksBatch(facts));
  const onNode = [...facts.localPods, ...facts.clientPods].map((pod) => batches.podBatch(facts, pod));
  await settleAll([batches.node2Batch(facts), batches.extBatch(facts), ...onNode].map(apply));
  const remote = facts.remotePods.map((pod) => batches.podBatch(facts, pod));
  await settleAll([batches.nodeRoutesBatch(facts), ...remote].map(apply));
}

async function startServers(facts: TopologyFacts, owned: Owned, servers: PodServer[]): Promise<void> {
  const backends = [...facts.localPods, ...facts.remotePods];
  const started = backends.map(async (pod) => {
    servers.push(await startPodServer(pod, facts, owned));
  });
  await settleAll(started);
}

function resolver(facts: TopologyFacts): (nameOrNs: string) => string {
  return (nameOrNs) => {
    if (facts.namespaces.includes(nameOrNs)) return nameOrNs;
    if (nameOrNs === 'node' || nameOrNs === 'node2' || nameOrNs === 'ext') return facts[nameOrNs].ns;
    const pod = facts.pods[nameOrNs];
    if (pod) return pod.ns;
    throw new RangeError(`${nameOrNs} is not a namespace of topology ${facts.id}`);
  };
}

function assemble(facts: TopologyFacts, destroy: () => Promise<void>, isAlive: () => boolean): Topology {
  const resolve = resolver(facts);
  const nsName = (nameOrNs: string): string => {
    if (!isAlive()) throw new Error(`topology ${facts.id} has been destroyed`);
    return resolve(nameOrNs);
  };
  return {
    ...facts,
    nsName,
    exec: (ns, argv, options) => netnsExec(nsName(ns), argv, options),
    request: async (spec) => {
      const [result] = await runClient(nsName(spec.from), spec, 1, 1);
      return result!;
    },
    requestMany: async (spec, count, options) =>
      summarize(await runClient(nsName(spec.from), spec, count, options?.concurrency ?? 1)),
    flushConntrack: async (ns = 'node') => {
      await netnsExec(nsName(ns), ['conntrack', '-F']);
    },
    destroy,
  };
}

/** Builds a fresh topology (see address-plan.ts). Always pair with `destroy()` in an after hook. */
export async function createTopology(options: TopologyOptions = {}): Promise<Topology> {
  const facts = planTopology(await freshId(), options);
  const owned = track(facts.id);
  const servers: PodServer[] = [];
  let destroying: Promise<void> | undefined;
  const destroy = (): Promise<void> => (destroying ??= teardown(owned, servers));
  try {
    await wire(facts, options, owned);
    await startServers(facts, owned, servers);
  } catch (err) {
    await destroy();
    throw new TopologyError(facts.id, err);
  }
  return assemble(facts, destroy, () => destroying === undefined);
}
