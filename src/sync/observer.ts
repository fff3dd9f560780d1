import type { IpFamily } from '../model/family.js';
import type { TableName } from '../model/ruleset.js';

/**
 * What a sync reports to the rest of the process. The syncer knows nothing about prom-client or
 * the health server; cli/ adapts these calls to them.
 */

export interface TableRuleCounts {
  /** Rules kproxy's chains hold after this sync (iptables_total). */
  readonly total: number;
  /** Rules written by this sync (iptables_last). */
  readonly last: number;
}

export interface FamilyReport {
  readonly family: IpFamily;
  readonly rules: Readonly<Record<TableName, TableRuleCounts>>;
  readonly noLocalEndpoints: { readonly internal: number; readonly external: number };
  readonly linesSent: number;
  /** Seconds from each changed EndpointSlice's trigger time (of this family) to the end of the sync. */
  readonly networkProgrammingSeconds: readonly number[];
}

export interface SyncReport {
  readonly syncId: number;
  readonly full: boolean;
  readonly dryRun: boolean;
  readonly durationMs: number;
  /** Clock time the sync finished (ms since epoch). */
  readonly finishedAtMs: number;
  readonly families: readonly FamilyReport[];
  readonly chainsWritten: number;
  readonly chainsDeleted: number;
  readonly linesSent: number;
  /** Services whose Service / EndpointSlices changed since the previous sync. */
  readonly serviceChanges: number;
  readonly endpointChanges: number;
}

export interface SyncFailure {
  readonly syncId: number;
  /** The families the sync tried to write. */
  readonly families: readonly IpFamily[];
  readonly full: boolean;
  readonly durationMs: number;
  readonly error: unknown;
}

export interface SyncObserver {
  syncSucceeded(report: SyncReport): void;
  syncFailed(failure: SyncFailure): void;
}

/** One eTP=Local LoadBalancer service and its ready local endpoints (for its health-check NodePort). */
export interface LocalHealthService {
  readonly namespace: string;
  readonly name: string;
  readonly healthCheckNodePort: number;
  readonly localEndpoints: number;
}

export interface ServiceHealthSink {
  /** The complete set after each successful sync; servers of services not listed are closed. */
  update(services: readonly LocalHealthService[]): void;
}

export const NOOP_OBSERVER: SyncObserver = { syncSucceeded: () => undefined, syncFailed: () => undefined };
export const NOOP_SERVICE_HEALTH: ServiceHealthSink = { update: () => undefined };
