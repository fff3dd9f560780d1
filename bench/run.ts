import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildChildren, kproxyNodeOptions, kproxyNodeOptionsFor } from './build.js';
import { sweepNetns } from './netns.js';
import { plotSvg } from './plot.js';
import { formatTable } from './report.js';
import type { ChildRecord } from './scenario.js';
import type { ScenarioParams, ScenarioRecord, SkippedScenario } from './types.js';

/**
 * `npm run bench [-- --quick] [--only 10kx10] [--no-apply] [--no-latency] [--seed N] [--out DIR]`.
 * Runs each scenario in a child process (bench/scenario.ts), prints a table, writes
 * DIR/results.json and DIR/plot.svg. See bench/README.md.
 */

const SERVICES = [1000, 10_000, 30_000];
const ENDPOINTS = [1, 10, 100];
const QUICK = ['1kx1', '1kx10'];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    'no-apply': { type: 'boolean', default: false },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: fileURLToPath(new URL('.', import.meta.url)) },
    'max-endpoints': { type: 'string' },
    'max-apply-endpoints': { type: 'string' },
    'max-cold-endpoints': { type: 'string' },
    'max-noflush-floor-endpoints': { type: 'string' },
    'max-old-space-mb': { type: 'string', default: '16384' },
    'no-latency': { type: 'boolean', default: false },
    'latency-backend': { type: 'string', multiple: true },
    'latency-seconds': { type: 'string' },
    'latency-rate': { type: 'string', default: '20' },
    // kproxy's syncs cost what the change costs, so the latency run lets them start as soon as the
    // previous one ends (minSyncPeriod 0); kube-proxy's default of 1 s puts a 1 s floor under p99.
    'latency-min-sync-ms': { type: 'string', default: '0' },
    'max-latency-endpoints': { type: 'string' },
    'max-latency-both-endpoints': { type: 'string', default: '100000' },
  },
});

const mode = args.quick ? 'quick' : 'full';
/** Scenarios above this many endpoints in total are not run (memory and time; see README). */
const MAX_ENDPOINTS = Number(args['max-endpoints'] ?? 400_000);
/** Real applies only up to this many endpoints in total (10k x 10 in a full run). */
const MAX_APPLY_ENDPOINTS = Number(args['max-apply-endpoints'] ?? (args.quick ? 20_000 : 100_000));
/** The Applier's cold start (an nft --noflush restore of everything: minutes above 1k x 10) only up to this. */
const MAX_COLD_ENDPOINTS = Number(args['max-cold-endpoints'] ?? (args.quick ? 2_000 : 100_000));
/** The bare --noflush restore of the full ruleset (quadratic on nft 1.8.9: tens of minutes at 10k x 10) only up to this. */
const MAX_NOFLUSH_FLOOR_ENDPOINTS = Number(
  args['max-noflush-floor-endpoints'] ?? (args.quick ? 2_000 : 20_000),
);
/** Programming latency (controller + fake API server) only up to this many endpoints in total. */
const MAX_LATENCY_ENDPOINTS = Number(args['max-latency-endpoints'] ?? (args.quick ? 1_000 : 100_000));
/** Above this, latency runs on iptables-legacy only (nft's first sync reads the table with iptables-nft-save: minutes; README). */
const MAX_LATENCY_BOTH_ENDPOINTS = Number(args['max-latency-both-endpoints']);
const LATENCY_CHURN_MS = 1000 * Number(args['latency-seconds'] ?? (args.quick ? 4 : 15));
const runId = `kpb-${process.pid.toString(36)}`;
const latencyRunId = `kpb-lat-${randomBytes(3).toString('hex')}`;

const label = (s: number, e: number): string => `${s / 1000}kx${e}`;

type BenchBackend = 'nft' | 'legacy';

function latencyPlan(total: number): { latencyBackends: BenchBackend[]; latencyNote: string | null } {
  if (args['no-latency']) return { latencyBackends: [], latencyNote: 'not run: --no-latency' };
  if (total > MAX_LATENCY_ENDPOINTS)
    return {
      latencyBackends: [],
      latencyNote: `not run: ${total} endpoints > --max-latency-endpoints ${MAX_LATENCY_ENDPOINTS}`,
    };
  const chosen = args['latency-backend'];
  if (chosen) {
    const backends = chosen.filter((b): b is BenchBackend => b === 'nft' || b === 'legacy');
    return {
      latencyBackends: backends,
      latencyNote: `backends chosen with --latency-backend: ${backends.join(', ')}`,
    };
  }
  if (total > MAX_LATENCY_BOTH_ENDPOINTS)
    return {
      latencyBackends: ['legacy'],
      latencyNote: `legacy only: ${total} endpoints > --max-latency-both-endpoints ${MAX_LATENCY_BOTH_ENDPOINTS} (on nft the controller's first full sync is slow and iptables-nft-save 1.8.9 crashes on big rulesets)`,
    };
  return { latencyBackends: ['nft', 'legacy'], latencyNote: null };
}

function plan(nodeOptions: readonly string[]): { run: ScenarioParams[]; skipped: SkippedScenario[] } {
  const run: ScenarioParams[] = [];
  const skipped: SkippedScenario[] = [];
  const wanted = args.only ?? (args.quick ? QUICK : undefined);
  for (const services of SERVICES) {
    for (const endpointsPerService of ENDPOINTS) {
      const scenario = label(services, endpointsPerService);
      if (wanted && !wanted.includes(scenario)) continue;
      const total = services * endpointsPerService;
      if (total > MAX_ENDPOINTS) {
        skipped.push({
          scenario,
          services,
          endpointsPerService,
          skipped: `${total} endpoints > --max-endpoints ${MAX_ENDPOINTS}`,
        });
        continue;
      }
      run.push({
        scenario,
        services,
        endpointsPerService,
        seed: Number(args.seed),
        renderRuns: total <= 20_000 ? 7 : 3,
        apply: !args['no-apply'] && total <= MAX_APPLY_ENDPOINTS,
        coldStart: total <= MAX_COLD_ENDPOINTS,
        noflushFloor: total <= MAX_NOFLUSH_FLOOR_ENDPOINTS,
        verify: total <= 20_000,
        netnsPrefix: `${runId}-${scenario}`,
        ...latencyPlan(total),
        latencyNetnsPrefix: latencyRunId,
        latencyChurnMs: LATENCY_CHURN_MS,
        latencyRatePerSecond: Number(args['latency-rate']),
        latencyMinSyncPeriodMs: Number(args['latency-min-sync-ms']),
        kproxyNodeOptions: kproxyNodeOptionsFor(nodeOptions, total),
      });
    }
  }
  return { run, skipped };
}

function runChild(params: ScenarioParams): Promise<ChildRecord> {
  const script = fileURLToPath(new URL('./scenario.ts', import.meta.url));
  const execArgv = [...process.execArgv, '--expose-gc', `--max-old-space-size=${args['max-old-space-mb']}`];
  return new Promise((resolve, reject) => {
    const child = fork(script, [JSON.stringify(params)], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let record: ChildRecord | undefined;
    child.on('message', (msg) => (record = msg as ChildRecord));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (record) resolve(record);
      else reject(new Error(`scenario ${params.scenario} failed (exit ${code ?? signal ?? '?'})`));
    });
  });
}

function complete(child: ChildRecord, params: ScenarioParams): ScenarioRecord {
  return {
    ...child,
    mode,
    applySkipped: params.apply
      ? null
      : args['no-apply']
        ? '--no-apply'
        : `${params.services * params.endpointsPerService} endpoints > --max-apply-endpoints ${MAX_APPLY_ENDPOINTS}`,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const sweepAll = async (): Promise<void> => {
    await sweepNetns(runId);
    await sweepNetns(latencyRunId);
  };
  process.on('SIGINT', () => void sweepAll().finally(() => process.exit(130)));
  process.stderr.write('bench: compiling the measuring children (tsconfig.bench.json) ...\n');
  await buildChildren();
  const { run, skipped } = plan(await kproxyNodeOptions());
  const records: ScenarioRecord[] = [];
  for (const params of run) {
    const latency = params.latencyBackends.length > 0 ? `, latency: ${params.latencyBackends.join('+')}` : '';
    process.stderr.write(`bench: ${params.scenario}${params.apply ? '' : ' (no apply)'}${latency} ...\n`);
    try {
      records.push(complete(await runChild(params), params));
    } catch (err) {
      skipped.push({ ...params, skipped: err instanceof Error ? err.message : String(err) });
    } finally {
      await sweepNetns(params.netnsPrefix);
      await sweepNetns(`${latencyRunId}-${params.scenario}`);
    }
  }
  process.stdout.write(formatTable(records, skipped));
  await mkdir(args.out, { recursive: true });
  await writeFile(`${args.out}/results.json`, JSON.stringify(records, null, 2) + '\n');
  await writeFile(`${args.out}/plot.svg`, plotSvg(records));
  process.stdout.write(
    `\nwrote ${args.out}/results.json and plot.svg (${mode}, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  if (records.length === 0) process.exitCode = 1;
}

await main();
