import { RestoreError } from '../errors.js';
import type { IpFamily } from '../model/family.js';
import type { Metrics } from '../server/metrics.js';
import type { SyncFailure, SyncObserver, SyncReport } from './observer.js';

/** kube-proxy's ip_family label values. */
export const familyLabel = (family: IpFamily): string => (family === 'ipv6' ? 'IPv6' : 'IPv4');

/** The family a restore error came from (ip6tables-restore -> IPv6), if it says. */
function failedFamilies(failure: SyncFailure): readonly IpFamily[] {
  const { error } = failure;
  if (error instanceof RestoreError) return [error.details.binary.startsWith('ip6') ? 'ipv6' : 'ipv4'];
  return failure.families;
}

/** Maps sync reports onto kube-proxy's metrics. */
export function metricsObserver(metrics: Metrics): SyncObserver {
  return {
    syncSucceeded(report: SyncReport): void {
      const seconds = report.durationMs / 1000;
      for (const f of report.families) {
        const ip_family = familyLabel(f.family);
        metrics.syncProxyRulesDuration.observe({ ip_family }, seconds);
        (report.full ? metrics.syncFullProxyRulesDuration : metrics.syncPartialProxyRulesDuration).observe(
          { ip_family },
          seconds,
        );
        metrics.syncProxyRulesLastTimestamp.set({ ip_family }, report.finishedAtMs / 1000);
        for (const [table, counts] of Object.entries(f.rules)) {
          metrics.iptablesRulesTotal.set({ table, ip_family }, counts.total);
          metrics.iptablesRulesLast.set({ table, ip_family }, counts.last);
        }
        metrics.noLocalEndpointsTotal.set(
          { traffic_policy: 'internal', ip_family },
          f.noLocalEndpoints.internal,
        );
        metrics.noLocalEndpointsTotal.set(
          { traffic_policy: 'external', ip_family },
          f.noLocalEndpoints.external,
        );
        if (!report.dryRun) metrics.restoreLinesTotal.inc({ ip_family }, f.linesSent);
        for (const s of f.networkProgrammingSeconds)
          metrics.networkProgrammingDuration.observe({ ip_family }, s);
      }
    },
    syncFailed(failure: SyncFailure): void {
      for (const family of failedFamilies(failure)) {
        const ip_family = familyLabel(family);
        metrics.iptablesRestoreFailuresTotal.inc({ ip_family });
        if (!failure.full) metrics.iptablesPartialRestoreFailuresTotal.inc({ ip_family });
      }
    },
  };
}
