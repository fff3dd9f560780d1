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
  /** Also time a bare --noflush restore of the full ruleset (fullFloorNoflushMs). */
  readonly noflushFloor: boolean;
  /** Check with iptables-save after the applies that the kernel holds exactly the desired rules. */
  readonly verify: boolean;
  /** Prefix of every network namespace this scenario creates. */
  readonly netnsPrefix: string;
  /** Programming latency through the controller: backends to measure it on (empty: not run). */
  readonly latencyBackends: readonly ('nft' | 'legacy')[];
  /** Why latency is not run (or a backend is left out); null when it runs on both. */
  readonly latencyNote: string | null;
  /** Prefix of the latency namespaces (`kpb-lat-<run>`); each is `<prefix>-<scenario>-<backend>`. */
  readonly latencyNetnsPrefix: string;
  readonly latencyChurnMs: number;
  readonly latencyRatePerSecond: number;
  /** iptables.minSyncPeriodMs of the controller under test. */
  readonly latencyMinSyncPeriodMs: number;
  /** Node flags of kproxy's processes (manifests/daemonset.yaml NODE_OPTIONS; build.ts). */
  readonly kproxyNodeOptions: readonly string[];
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
  /** Peak RSS of kproxy's controller path at this size, in a process of its own (controller-memory.ts). */
  readonly rssMb: number;
  /** The node flags both kproxy processes (controller-memory, the latency controller) ran with. */
  readonly kproxyNodeOptions: string;
  /** That process's heap after its last sync. */
  readonly controllerHeapMb: number;
  /** Peak RSS of the benchmark's compute stage (several renders and rulesets held at once). */
  readonly benchRssMb: number;
  readonly heapMb: number;
  readonly fullLines: number;
  readonly fullBytes: number;
  readonly change: ChangeRecord;
  readonly addService: ChangeRecord;
  readonly apply: { readonly nft: BackendApplyOutcome; readonly legacy: BackendApplyOutcome } | null;
  readonly applySkipped: string | null;
  readonly programmingLatencyMs: ProgrammingLatency | null;
  readonly programmingLatencyNote: string | null;
}

export interface SkippedScenario {
  readonly scenario: string;
  readonly services: number;
  readonly endpointsPerService: number;
  readonly skipped: string;
}

/** One backend's event-to-applied latency under endpoint churn (bench/latency.ts). */
export interface BackendLatencyRecord {
  /** Per update: its trigger time -> end of the first successful iptables-restore holding its DNAT. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** EndpointSlice updates sent, and how many of them were seen applied before the drain timeout. */
  readonly updates: number;
  readonly applied: number;
  /** Achieved update rate (updates / churn wall time). */
  readonly perSecond: number;
  readonly churnSeconds: number;
  readonly minSyncPeriodMs: number;
  /** kproxy's own view: the SyncReport networkProgrammingSeconds (trigger -> end of sync), in ms. */
  readonly reportedP50: number | null;
  readonly reportedP99: number | null;
  /** Successful / failed syncs from the first update to the end of the drain. */
  readonly syncs: number;
  readonly syncFailures: number;
  /** Those syncs' durationMs (snapshot, render, plan, restore) and restore lines sent. */
  readonly syncP50Ms: number | null;
  readonly syncP99Ms: number | null;
  /** Restore calls during the churn: median duration, ms. */
  readonly restoreP50Ms: number | null;
  /** (time in syncs - time in restores) / time in restores, over the churn: kproxy's own share. */
  readonly ownShare: number | null;
  readonly syncLinesP50: number | null;
  /** Bare flushing restore of the full ruleset into the fresh namespace before the controller starts. */
  readonly preloadMs: number;
  /** Controller start -> its first successful (full) sync; `firstSyncLines` it sent (0: preload matched). */
  readonly firstSyncMs: number;
  readonly firstSyncLines: number;
  /**
   * Peak RSS of kproxy's controller process over the run (compiled, plain node): restart on the
   * preloaded node (reading its live rules), the first full sync, the churn. Its heap at the end.
   */
  readonly kproxyRssMb: number;
  readonly kproxyHeapMb: number;
}

export type BackendLatencyOutcome = BackendLatencyRecord | BackendApplyError;

export interface ProgrammingLatency {
  /** The backend p50/p99/updates/perSecond below come from: nft when it succeeded, else legacy. */
  readonly backend: 'nft' | 'legacy';
  readonly p50: number;
  readonly p99: number;
  readonly updates: number;
  readonly perSecond: number;
  /** Every backend tried (absent: not run for this scenario, see programmingLatencyNote). */
  readonly backends: { readonly nft?: BackendLatencyOutcome; readonly legacy?: BackendLatencyOutcome };
}
