import { execa } from 'execa';
import { childScript } from './build.js';
import { applyBackend, type BenchBackend } from './apply.js';
import { computeScenario } from './compute.js';
import { measureLatency } from './latency.js';
import type { RuleSet } from '../src/model/ruleset.js';
import type {
  BackendApplyOutcome,
  BackendLatencyOutcome,
  ProgrammingLatency,
  ScenarioParams,
  ScenarioRecord,
} from './types.js';

/**
 * One scenario, in its own process (so peak RSS and heap belong to it alone). Forked by run.ts
 * with the parameters as JSON in argv[2]; sends back one ScenarioRecord minus `mode`, which run.ts
 * fills in.
 */

export type ChildRecord = Omit<ScenarioRecord, 'mode'>;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function latency(
  params: ScenarioParams,
  base: RuleSet,
): Promise<Pick<ScenarioRecord, 'programmingLatencyMs' | 'programmingLatencyNote'>> {
  if (params.latencyBackends.length === 0)
    return { programmingLatencyMs: null, programmingLatencyNote: params.latencyNote ?? 'not run' };
  const backends: { nft?: BackendLatencyOutcome; legacy?: BackendLatencyOutcome } = {};
  for (const backend of params.latencyBackends) {
    process.stderr.write(`bench: ${params.scenario} programming latency (${backend}) ...\n`);
    try {
      backends[backend] = await measureLatency({
        ...params,
        backend,
        netns: `${params.latencyNetnsPrefix}-${params.scenario}-${backend}`,
        base,
        churnMs: params.latencyChurnMs,
        ratePerSecond: params.latencyRatePerSecond,
        minSyncPeriodMs: params.latencyMinSyncPeriodMs,
        nodeOptions: params.kproxyNodeOptions,
      });
    } catch (err) {
      console.error(err);
      backends[backend] = { error: message(err) };
    }
  }
  const ok = (['nft', 'legacy'] as const).flatMap((b) => {
    const r = backends[b];
    return r && !('error' in r) ? [{ backend: b, r }] : [];
  });
  const primary = ok[0];
  if (!primary) {
    const errors = Object.entries(backends).map(([b, r]) => `${b}: ${'error' in r ? r.error : '?'}`);
    return { programmingLatencyMs: null, programmingLatencyNote: `failed (${errors.join('; ')})` };
  }
  const { backend, r } = primary;
  const record: ProgrammingLatency = {
    backend,
    p50: r.p50,
    p99: r.p99,
    updates: r.updates,
    perSecond: r.perSecond,
    backends,
  };
  return { programmingLatencyMs: record, programmingLatencyNote: params.latencyNote };
}

/**
 * kproxy's controller path at this size, in a process of its own: compiled, under plain node with
 * the DaemonSet's NODE_OPTIONS, as kproxy runs (build.ts).
 */
async function controllerMemory(
  params: ScenarioParams,
): Promise<{ rssMb: number; controllerHeapMb: number }> {
  const { stdout } = await execa(process.execPath, [
    ...params.kproxyNodeOptions,
    childScript('controller-memory'),
    JSON.stringify(params),
  ]);
  const out = JSON.parse(stdout) as { rssMb: number; heapMb: number };
  return { rssMb: out.rssMb, controllerHeapMb: out.heapMb };
}

async function main(): Promise<void> {
  const params = JSON.parse(process.argv[2] ?? '') as ScenarioParams;
  process.stderr.write(`bench: ${params.scenario} controller memory ...\n`);
  const memory = await controllerMemory(params);
  const { rulesets, ...computed } = computeScenario(params);
  let apply: ChildRecord['apply'] = null;
  if (params.apply) {
    const opts = {
      netnsPrefix: params.netnsPrefix,
      verify: params.verify,
      coldStart: params.coldStart,
      noflushFloor: params.noflushFloor,
    };
    const attempt = async (backend: BenchBackend): Promise<BackendApplyOutcome> => {
      try {
        return await applyBackend(backend, rulesets, opts);
      } catch (err) {
        console.error(err);
        return { error: message(err) };
      }
    };
    const nft = await attempt('nft');
    const legacy = await attempt('legacy');
    apply = { nft, legacy };
  }
  const record: ChildRecord = {
    scenario: params.scenario,
    seed: params.seed,
    services: params.services,
    endpointsPerService: params.endpointsPerService,
    ...computed,
    ...memory,
    kproxyNodeOptions: params.kproxyNodeOptions.join(' '),
    apply,
    applySkipped: params.apply ? null : 'over the apply size limit',
    ...(await latency(params, rulesets.base)),
  };
  if (!process.send) throw new Error('bench/scenario.ts is run by bench/run.ts (needs an IPC channel)');
  process.send(record, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
