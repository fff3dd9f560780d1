import { restoreInput, type RestorePlan } from '../src/iptables/restore-plan.js';

/** Renders the plan's restore input chunk by chunk, as the runner streams it; returns its length. */
function streamed(plan: RestorePlan): number {
  let length = 0;
  for (const chunk of restoreInput(plan)) length += chunk.length;
  return length;
}
import { ControllerModel, sliceKey } from './controller-model.js';
import { generateCluster, generateEndpoint, mulberry32 } from './generate.js';
import { peakRssMb, round } from './measure.js';

/**
 * kproxy's memory at a scenario's size, in a process of its own started with node's defaults (as
 * kproxy runs): the cluster's model objects (standing in for the informers' caches), the cluster
 * state, the render cache, the first sync into an empty node (render, plan, the restore input
 * text) and then CHANGE_SYNCS one-endpoint syncs. Prints `{"rssMb": <peak RSS>, "heapMb": <heap
 * after the last sync>}` on stdout. Forked by bench/scenario.ts; argv[2] is the ScenarioParams JSON.
 */

const CHANGE_SYNCS = 20;

const params = JSON.parse(process.argv[2] ?? '{}') as {
  services: number;
  endpointsPerService: number;
  seed: number;
};
const cluster = generateCluster(params);
const model = new ControllerModel(cluster);
let sent = streamed(model.sync().plan);
const slice = cluster.endpointSlices[Math.floor(cluster.endpointSlices.length / 2)];
for (let i = 0; slice && i < CHANGE_SYNCS; i++) {
  const fresh = generateEndpoint(mulberry32(params.seed + 100 + i), cluster.alloc);
  const endpoints = [{ ...fresh, ready: true, terminating: false }, ...slice.endpoints.slice(1)];
  model.state.setSlices(sliceKey(slice), [{ ...slice, endpoints }]);
  sent += streamed(model.sync().plan);
}
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
process.stdout.write(`${JSON.stringify({ rssMb: round(peakRssMb()), heapMb: round(heapMb), sent })}\n`);
