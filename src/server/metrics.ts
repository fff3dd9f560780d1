import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  exponentialBuckets,
  linearBuckets,
} from 'prom-client';

type Family = 'ip_family';

/**
 * Every metric kproxy exports, on its own registry (never prom-client's global one). Names, help
 * texts and buckets are kube-proxy's (pkg/proxy/metrics); `ip_family` values are "IPv4" / "IPv6".
 */
export interface Metrics {
  readonly registry: Registry;
  readonly syncProxyRulesDuration: Histogram<Family>;
  readonly syncFullProxyRulesDuration: Histogram<Family>;
  readonly syncPartialProxyRulesDuration: Histogram<Family>;
  readonly networkProgrammingDuration: Histogram<Family>;
  readonly syncProxyRulesLastTimestamp: Gauge<Family>;
  readonly syncProxyRulesLastQueuedTimestamp: Gauge<Family>;
  readonly iptablesRulesTotal: Gauge<'table' | Family>;
  readonly iptablesRulesLast: Gauge<'table' | Family>;
  /** `traffic_policy` is "internal" or "external". */
  readonly noLocalEndpointsTotal: Gauge<'traffic_policy' | Family>;
  readonly endpointChangesPending: Gauge;
  readonly serviceChangesPending: Gauge;
  readonly iptablesRestoreFailuresTotal: Counter<Family>;
  readonly iptablesPartialRestoreFailuresTotal: Counter<Family>;
  readonly endpointChangesTotal: Counter;
  readonly serviceChangesTotal: Counter;
  /** `code` is the HTTP status, "200" or "503". */
  readonly healthzTotal: Counter<'code'>;
  readonly livezTotal: Counter<'code'>;
  readonly watchRestartsTotal: Counter<'resource'>;
  readonly watchErrorsTotal: Counter<'resource'>;
  readonly watchLastEventTimestamp: Gauge<'resource'>;
  /** Objects left out as invalid; `kind` is the API kind, `reason` a short constant. */
  readonly skippedObjectsTotal: Counter<'kind' | 'reason'>;
  readonly restoreLinesTotal: Counter<Family>;
}

export interface MetricsOptions {
  /** prom-client's process/Node.js metrics (process_*, nodejs_*). Default true. */
  readonly processMetrics?: boolean;
}

/** kube-proxy: ExponentialBuckets(0.001, 2, 15), 1 ms .. ~16 s. */
const SYNC_BUCKETS = exponentialBuckets(0.001, 2, 15);

/** kube-proxy's merge(): a 0 bucket, 0.25 s, 0.5 s, 1..59 s, 60..115 s by 5, 2..5 min by 30 s. */
const PROGRAMMING_BUCKETS = [
  0,
  ...linearBuckets(0.25, 0.25, 2),
  ...linearBuckets(1, 1, 59),
  ...linearBuckets(60, 5, 12),
  ...linearBuckets(120, 30, 7),
];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const histogram = (name: string, help: string, buckets: number[]): Histogram<Family> =>
    new Histogram({ name, help, buckets, labelNames: ['ip_family'], registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    new Gauge({ name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    new Counter({ name, help, labelNames, registers });
  const k = (name: string): string => `kubeproxy_${name}`;
  const family = ['ip_family'] as const;

  const metrics: Metrics = {
    registry,
    syncProxyRulesDuration: histogram(
      k('sync_proxy_rules_duration_seconds'),
      'SyncProxyRules latency in seconds',
      SYNC_BUCKETS,
    ),
    syncFullProxyRulesDuration: histogram(
      k('sync_full_proxy_rules_duration_seconds'),
      'SyncProxyRules latency in seconds for full resyncs',
      SYNC_BUCKETS,
    ),
    syncPartialProxyRulesDuration: histogram(
      k('sync_partial_proxy_rules_duration_seconds'),
      'SyncProxyRules latency in seconds for partial resyncs',
      SYNC_BUCKETS,
    ),
    networkProgrammingDuration: histogram(
      k('network_programming_duration_seconds'),
      'In Cluster Network Programming Latency in seconds',
      PROGRAMMING_BUCKETS,
    ),
    syncProxyRulesLastTimestamp: gauge(
      k('sync_proxy_rules_last_timestamp_seconds'),
      'The last time proxy rules were successfully synced',
      family,
    ),
    syncProxyRulesLastQueuedTimestamp: gauge(
      k('sync_proxy_rules_last_queued_timestamp_seconds'),
      'The last time a sync of proxy rules was queued',
      family,
    ),
    iptablesRulesTotal: gauge(
      k('sync_proxy_rules_iptables_total'),
      'Total number of iptables rules owned by kube-proxy',
      ['table', 'ip_family'],
    ),
    iptablesRulesLast: gauge(
      k('sync_proxy_rules_iptables_last'),
      'Number of iptables rules written by kube-proxy in last sync',
      ['table', 'ip_family'],
    ),
    noLocalEndpointsTotal: gauge(
      k('sync_proxy_rules_no_local_endpoints_total'),
      'Number of services with a Local traffic policy and no endpoints',
      ['traffic_policy', 'ip_family'],
    ),
    endpointChangesPending: gauge(
      k('sync_proxy_rules_endpoint_changes_pending'),
      'Pending proxy rules Endpoint changes',
      [],
    ),
    serviceChangesPending: gauge(
      k('sync_proxy_rules_service_changes_pending'),
      'Pending proxy rules Service changes',
      [],
    ),
    iptablesRestoreFailuresTotal: counter(
      k('sync_proxy_rules_iptables_restore_failures_total'),
      'Cumulative proxy iptables restore failures',
      family,
    ),
    iptablesPartialRestoreFailuresTotal: counter(
      k('sync_proxy_rules_iptables_partial_restore_failures_total'),
      'Cumulative proxy iptables partial restore failures',
      family,
    ),
    endpointChangesTotal: counter(
      k('sync_proxy_rules_endpoint_changes_total'),
      'Cumulative proxy rules Endpoint changes',
      [],
    ),
    serviceChangesTotal: counter(
      k('sync_proxy_rules_service_changes_total'),
      'Cumulative proxy rules Service changes',
      [],
    ),
    healthzTotal: counter(k('proxy_healthz_total'), 'Cumulative proxy healthz HTTP status', ['code']),
    livezTotal: counter(k('proxy_livez_total'), 'Cumulative proxy livez HTTP status', ['code']),
    watchRestartsTotal: counter('kproxy_watch_restarts_total', 'Informer watch restarts', ['resource']),
    watchErrorsTotal: counter('kproxy_watch_errors_total', 'Informer list/watch errors', ['resource']),
    watchLastEventTimestamp: gauge(
      'kproxy_watch_last_event_timestamp_seconds',
      'The last time an informer received an event or bookmark',
      ['resource'],
    ),
    skippedObjectsTotal: counter('kproxy_skipped_objects_total', 'API objects skipped as invalid', [
      'kind',
      'reason',
    ]),
    restoreLinesTotal: counter('kproxy_restore_lines_total', 'Lines sent to iptables-restore', family),
  };
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return metrics;
}
