import type { EndpointSlice, Service } from '../src/model/cluster.js';
import { FakeApiServer } from '../test/support/fake-apiserver/index.js';
import { generateCluster, generateEndpoint, mulberry32 } from './generate.js';
import { nodeToApi, serviceToApi, sliceToApi } from './to-api.js';

/**
 * The API side of the latency benchmark, in a process of its own (forked with an IPC channel by
 * bench/latency.ts), so that the controller's synchronous work never delays an update or its
 * timestamp and the objects it serves never count in kproxy's memory. Loads the scenario's
 * synthetic cluster into a FakeApiServer on loopback, then on `churn` replaces one endpoint of one
 * EndpointSlice every 1/rate s, stamping last-change-trigger-time with the update's time. argv[2]
 * is the ApiProcessData JSON; it exits when the parent disconnects.
 */

export interface ApiProcessData {
  readonly services: number;
  readonly endpointsPerService: number;
  readonly seed: number;
}

/** The parent ends the process by disconnecting once the controller has stopped. */
export interface ToApiProcess {
  readonly kind: 'churn';
  readonly ratePerSecond: number;
  readonly durationMs: number;
}

export type FromApiProcess =
  | { readonly kind: 'ready'; readonly url: string; readonly objects: number; readonly loadMs: number }
  /** `ip` is the new endpoint's address (a fresh pod IP, never used before); `atMs` epoch ms. */
  | { readonly kind: 'update'; readonly ip: string; readonly atMs: number; readonly slice: string }
  | { readonly kind: 'churned'; readonly updates: number; readonly elapsedMs: number }
  | { readonly kind: 'error'; readonly message: string };

const epochMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whose endpoints always get a DNAT rule: ClusterIP, internalTrafficPolicy Cluster, no external IPs. */
const churnable = (s: Service): boolean =>
  s.type === 'ClusterIP' && s.internalTrafficPolicy === 'Cluster' && s.externalIPs.length === 0;

function send(msg: FromApiProcess): void {
  process.send?.(msg);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench/latency-api.ts runs as a forked child (IPC channel)');
  const data = JSON.parse(process.argv[2] ?? '') as ApiProcessData;
  const started = performance.now();
  const cluster = generateCluster(data);
  const api = await FakeApiServer.start();
  for (const node of cluster.nodes) api.create('nodes', nodeToApi(node));
  for (const svc of cluster.services) api.create('services', serviceToApi(svc));
  const slices = new Map<string, EndpointSlice>();
  for (const slice of cluster.endpointSlices) {
    api.create('endpointslices', sliceToApi(slice));
    slices.set(`${slice.namespace}/${slice.serviceName}`, slice);
  }
  const targets = cluster.services.filter(churnable).map((s) => `${s.namespace}/${s.name}`);
  const objects = cluster.nodes.length + cluster.services.length + cluster.endpointSlices.length;
  send({ kind: 'ready', url: api.url, objects, loadMs: performance.now() - started });

  const rand = mulberry32(data.seed ^ 0x5eed);
  const churn = async (ratePerSecond: number, durationMs: number): Promise<void> => {
    const intervalMs = 1000 / ratePerSecond;
    const count = Math.round((durationMs / 1000) * ratePerSecond);
    const begin = performance.now();
    for (let i = 0; i < count; i++) {
      await sleep(begin + i * intervalMs - performance.now());
      const key = targets[i % targets.length] ?? '';
      const old = slices.get(key);
      if (!old) throw new Error(`latency-api: no slice for ${key}`);
      const fresh = {
        ...generateEndpoint(rand, cluster.alloc),
        ready: true,
        serving: true,
        terminating: false,
      };
      const atMs = epochMs();
      const slice: EndpointSlice = {
        ...old,
        endpoints: [fresh, ...old.endpoints.slice(1)],
        triggerTimeMs: Math.floor(atMs),
      };
      slices.set(key, slice);
      api.update('endpointslices', sliceToApi(slice));
      send({ kind: 'update', ip: fresh.ip, atMs, slice: key });
    }
    send({ kind: 'churned', updates: count, elapsedMs: performance.now() - begin });
  };

  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: ToApiProcess) => {
    churn(msg.ratePerSecond, msg.durationMs).catch((err: unknown) => {
      send({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    });
  });
}

await main();
