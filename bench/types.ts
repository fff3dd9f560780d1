/** The shape of one bench/results.json record (documented field by field in bench/README.md). */

export interface ScenarioParams {
  readonly scenario: string;
  readonly services: number;
  readonly endpointsPerService: number;
  readonly seed: number;
  /** Render runs whose median is reported. */
  readonly renderRuns: number;
  /** Do the real iptables-restore applies (both backends). */
  readonly apply: boolean;
  /** Time the Applier's cold start (and the --noflush floor) too. */
  readonly coldStart: boolean;
  /** Check with iptables-save after the applies that the kernel holds exactly the desired rules. */
  readonly verify: boolean;
  /** Prefix of every network namespace this scenario creates. */
  readonly netnsPrefix: string;
}

export interface ChangeRecord {
  /** Restore input lines kproxy would send (`*table` and `COMMIT` included). */
  readonly lines: number;
  readonly bytes: number;
  /** Chains created, rewritten, flushed or deleted. */
  readonly chains: number;
  /** render + plan, median of the runs. */
  readonly computeMs: number;
  readonly renderMs: number;
  readonly planMs: number;
  /** buildSnapshot of the changed cluster (the controller's share before render). */
  readonly snapshotMs: number;
  readonly rewritesKubeServices: boolean;
}

export interface BackendApplyRecord {
  /** Cold start: Applier.apply({full: true}) into an empty netns (save + parse + plan + restore). */
  readonly fullMs: number | null;
  /** Bare `iptables-<backend>-restore` (flushing, no flags) of the same payload into an empty netns. */
  readonly fullFloorMs: number;
  /** Bare `iptables-<backend>-restore --noflush` of the same payload into an empty netns. */
  readonly fullFloorNoflushMs: number | null;
  /** Applier.apply({full: true}) when the kernel already holds the rules (save + parse + plan). */
  readonly resyncNoopMs: number;
  /** Applier.apply({full: false}) of the one-endpoint change. */
  readonly partialMs: number;
  /** Bare `iptables-<backend>-restore --noflush` of the same partial payload. */
  readonly partialFloorMs: number;
  readonly addServiceMs: number;
  readonly addServiceFloorMs: number;
  /** iptables-save after all applies matched the desired ruleset (null: not checked). */
  readonly verified: boolean | null;
}

/** An apply stage that failed: the error, instead of the numbers. */
export interface BackendApplyError {
  readonly error: string;
}

export type BackendApplyOutcome = BackendApplyRecord | BackendApplyError;

export interface ScenarioRecord {
  readonly scenario: string;
  readonly mode: 'quick' | 'full';
  readonly seed: number;
  readonly services: number;
  readonly endpointsPerService: number;
  readonly servicePorts: number;
  readonly endpoints: number;
  readonly generateMs: number;
  readonly snapshotMs: number;
  readonly renderMs: number;
  readonly renderRunsMs: readonly number[];
  readonly serializeMs: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly fullLines: number;
  readonly fullBytes: number;
  readonly change: ChangeRecord;
  readonly addService: ChangeRecord;
  readonly apply: { readonly nft: BackendApplyOutcome; readonly legacy: BackendApplyOutcome } | null;
  readonly applySkipped: string | null;
  readonly programmingLatencyMs: { readonly p50: number; readonly p99: number } | null;
  readonly programmingLatencyNote: string | null;
}

export interface SkippedScenario {
  readonly scenario: string;
  readonly services: number;
  readonly endpointsPerService: number;
  readonly skipped: string;
}
