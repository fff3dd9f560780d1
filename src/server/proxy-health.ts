/** What the health endpoints report on. Times are clock milliseconds. */
export interface HealthState {
  /** When the oldest change not yet applied was queued; undefined when all are applied. */
  readonly lastQueuedAt: number | undefined;
  /** End of the last successful sync. */
  readonly lastSyncedAt: number | undefined;
  /** False while the own Node is being deleted or tainted ToBeDeletedByClusterAutoscaler. */
  readonly nodeEligible: boolean;
}

/**
 * kube-proxy's rule (pkg/proxy/healthcheck): healthy unless a queued change has waited
 * `healthTimeoutMs` or longer without being applied. Node eligibility is not part of it.
 */
export function isProxyHealthy(state: HealthState, now: number, healthTimeoutMs: number): boolean {
  return state.lastQueuedAt === undefined || now - state.lastQueuedAt < healthTimeoutMs;
}

/** RFC 3339 in UTC, whole seconds; Go's zero time for undefined. */
export function rfc3339(ms: number | undefined): string {
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
