import { execa } from 'execa';
import { Applier } from '../src/iptables/applier.js';
import { planRestore } from '../src/iptables/diff.js';
import { emptyLiveRuleSet } from '../src/iptables/live.js';
import { renderRestoreInput, type RestorePlan } from '../src/iptables/restore-plan.js';
import { binaryName, createRunner, type Runner } from '../src/iptables/runner.js';
import type { RuleSet } from '../src/model/ruleset.js';
import { createNetns, deleteNetns } from './netns.js';
import { round, timedAsync } from './measure.js';
import type { BackendApplyRecord } from './types.js';

export type BenchBackend = 'nft' | 'legacy';

const TIMEOUT_MS = 30 * 60_000;

/** The floor: a bare iptables-restore of `input`, spawned the same way the runner spawns it. */
export async function bareRestore(
  backend: BenchBackend,
  netns: string,
  input: string,
  noflush: boolean,
): Promise<number> {
  const binary = binaryName(backend, 'ipv4', 'restore');
  const args = ['netns', 'exec', netns, binary, ...(noflush ? ['--noflush'] : [])];
  const { ms } = await timedAsync(() => execa('ip', args, { input, timeout: TIMEOUT_MS }));
  return ms;
}

async function applyTimed(
  applier: Applier,
  rs: RuleSet,
  full: boolean,
): Promise<{ ms: number; plan: RestorePlan }> {
  const { value, ms } = await timedAsync(() => applier.apply([rs], { full }));
  const plan = value.families[0]?.plan;
  if (!plan) throw new Error('bench: applier returned no plan');
  return { ms, plan };
}

/** kproxy's rules read back from the kernel equal the desired ones: nothing left to send. */
async function verify(runner: Runner, desired: RuleSet): Promise<boolean> {
  const applier = new Applier(runner);
  const live = await applier.readLive('ipv4');
  return planRestore(desired, live).empty;
}

/**
 * Cold start, one-endpoint change and one-service add, each through the Applier in namespace A and
 * as a bare restore of the very same payload in namespace B (both namespaces hold the same rules
 * throughout). Without `coldStart` the Applier's cold start is not timed (on nft its --noflush
 * restore of a big ruleset takes minutes): A is loaded with a bare restore and the Applier takes
 * its state from a full resync that finds nothing to change.
 */
export async function applyBackend(
  backend: BenchBackend,
  rulesets: { readonly base: RuleSet; readonly changed: RuleSet; readonly added: RuleSet },
  opts: {
    readonly netnsPrefix: string;
    readonly verify: boolean;
    readonly coldStart: boolean;
    readonly noflushFloor: boolean;
  },
): Promise<BackendApplyRecord> {
  const nsA = `${opts.netnsPrefix}-${backend}-a`;
  const nsB = `${opts.netnsPrefix}-${backend}-b`;
  try {
    await createNetns(nsA);
    await createNetns(nsB);
    const runner = createRunner({ backend, netns: nsA, timeoutMs: TIMEOUT_MS });
    await runner.version(); // kproxy probes this at start-up, not in a sync
    const applier = new Applier(runner);

    const fullInput = renderRestoreInput(planRestore(rulesets.base, emptyLiveRuleSet('ipv4')));
    const fullFloorMs = await bareRestore(backend, nsB, fullInput, false);
    let fullMs: number | null = null;
    let fullFloorNoflushMs: number | null = null;
    if (opts.coldStart) {
      fullMs = (await applyTimed(applier, rulesets.base, true)).ms;
      if (opts.noflushFloor) {
        const nsC = await createNetns(`${opts.netnsPrefix}-${backend}-c`);
        fullFloorNoflushMs = await bareRestore(backend, nsC, fullInput, true);
        await deleteNetns(nsC);
      }
    } else {
      await bareRestore(backend, nsA, fullInput, false);
    }
    const resync = await applyTimed(applier, rulesets.base, true);
    if (!resync.plan.empty) throw new Error(`bench: ${backend} resync after the full apply is not empty`);
    const partial = await applyTimed(applier, rulesets.changed, false);
    const partialFloorMs = await bareRestore(backend, nsB, renderRestoreInput(partial.plan), true);
    const add = await applyTimed(applier, rulesets.added, false);
    const addFloorMs = await bareRestore(backend, nsB, renderRestoreInput(add.plan), true);

    let verified: boolean | null = null;
    if (opts.verify) {
      const floorRunner = createRunner({ backend, netns: nsB, timeoutMs: TIMEOUT_MS });
      verified = (await verify(runner, rulesets.added)) && (await verify(floorRunner, rulesets.added));
    }
    const r = (ms: number | null): number | null => (ms === null ? null : round(ms));
    return {
      fullMs: r(fullMs),
      fullFloorMs: round(fullFloorMs),
      fullFloorNoflushMs: r(fullFloorNoflushMs),
      resyncNoopMs: round(resync.ms),
      partialMs: round(partial.ms),
      partialFloorMs: round(partialFloorMs),
      addServiceMs: round(add.ms),
      addServiceFloorMs: round(addFloorMs),
      verified,
    };
  } finally {
    await deleteNetns(nsA);
    await deleteNetns(nsB);
  }
}
