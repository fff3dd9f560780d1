import { applyBackend, type BenchBackend } from './apply.js';
import { computeScenario } from './compute.js';
import type { BackendApplyOutcome, ScenarioParams, ScenarioRecord } from './types.js';

/**
 * One scenario, in its own process (so peak RSS and heap belong to it alone). Forked by run.ts
 * with the parameters as JSON in argv[2]; sends back one ScenarioRecord minus `mode` and the
 * programming-latency fields, which run.ts fills in.
 */

export type ChildRecord = Omit<ScenarioRecord, 'mode' | 'programmingLatencyMs' | 'programmingLatencyNote'>;

async function main(): Promise<void> {
  const params = JSON.parse(process.argv[2] ?? '') as ScenarioParams;
  const { rulesets, ...computed } = computeScenario(params);
  let apply: ChildRecord['apply'] = null;
  if (params.apply) {
    const opts = { netnsPrefix: params.netnsPrefix, verify: params.verify, coldStart: params.coldStart };
    const attempt = async (backend: BenchBackend): Promise<BackendApplyOutcome> => {
      try {
        return await applyBackend(backend, rulesets, opts);
      } catch (err) {
        console.error(err);
        return { error: err instanceof Error ? err.message : String(err) };
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
    apply,
    applySkipped: params.apply ? null : 'over the apply size limit',
  };
  if (!process.send) throw new Error('bench/scenario.ts is run by bench/run.ts (needs an IPC channel)');
  process.send(record, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
