import { expect } from 'chai';
import { createMetrics } from '../../../src/server/metrics.js';
import { MetricsServer } from '../../../src/server/metrics-server.js';
import { get, tryConnect } from './http-client.js';

const KUBE_PROXY_NAMES = [
  'kubeproxy_sync_proxy_rules_duration_seconds',
  'kubeproxy_sync_full_proxy_rules_duration_seconds',
  'kubeproxy_sync_partial_proxy_rules_duration_seconds',
  'kubeproxy_network_programming_duration_seconds',
  'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
  'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
  'kubeproxy_sync_proxy_rules_iptables_total',
  'kubeproxy_sync_proxy_rules_iptables_last',
  'kubeproxy_sync_proxy_rules_no_local_endpoints_total',
  'kubeproxy_sync_proxy_rules_endpoint_changes_pending',
  'kubeproxy_sync_proxy_rules_service_changes_pending',
  'kubeproxy_sync_proxy_rules_iptables_restore_failures_total',
  'kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total',
  'kubeproxy_sync_proxy_rules_endpoint_changes_total',
  'kubeproxy_sync_proxy_rules_service_changes_total',
  'kubeproxy_proxy_healthz_total',
  'kubeproxy_proxy_livez_total',
];

const KPROXY_NAMES = [
  'kproxy_watch_restarts_total',
  'kproxy_watch_errors_total',
  'kproxy_watch_last_event_timestamp_seconds',
  'kproxy_skipped_objects_total',
  'kproxy_restore_lines_total',
];

describe('createMetrics', () => {
  it('can be created many times (own registry each)', () => {
    const a = createMetrics();
    const b = createMetrics();
    expect(a.registry).to.not.equal(b.registry);
  });

  it('uses kube-proxy histogram buckets', async () => {
    const m = createMetrics({ processMetrics: false });
    m.syncProxyRulesDuration.observe({ ip_family: 'IPv4' }, 0.02);
    m.networkProgrammingDuration.observe({ ip_family: 'IPv4' }, 3);
    const text = await m.registry.metrics();
    expect(text).to.include(
      'kubeproxy_sync_proxy_rules_duration_seconds_bucket{le="0.001",ip_family="IPv4"} 0',
    );
    expect(text).to.include(
      'kubeproxy_sync_proxy_rules_duration_seconds_bucket{le="16.384",ip_family="IPv4"} 1',
    );
    for (const le of ['0', '0.25', '0.5', '1', '59', '60', '115', '120', '300']) {
      expect(text).to.include(
        `kubeproxy_network_programming_duration_seconds_bucket{le="${le}",ip_family="IPv4"}`,
      );
    }
  });
});

describe('MetricsServer', () => {
  it('serves every metric name, process metrics, /healthz and /proxyMode', async () => {
    const metrics = createMetrics();
    metrics.iptablesRulesTotal.set({ table: 'nat', ip_family: 'IPv4' }, 12);
    metrics.watchRestartsTotal.inc({ resource: 'services' });
    const server = new MetricsServer({ bindAddress: '127.0.0.1:0', registry: metrics.registry });
    const abort = new AbortController();
    const port = await server.start(abort.signal);
    try {
      const reply = await get(port, '/metrics');
      expect(reply.status).to.equal(200);
      expect(reply.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
      for (const name of [...KUBE_PROXY_NAMES, ...KPROXY_NAMES]) {
        expect(reply.body, name).to.include(`# TYPE ${name} `);
      }
      expect(reply.body).to.include(
        'kubeproxy_sync_proxy_rules_iptables_total{table="nat",ip_family="IPv4"} 12',
      );
      expect(reply.body).to.include('kproxy_watch_restarts_total{resource="services"} 1');
      expect(reply.body).to.include('process_cpu_user_seconds_total');
      expect(await get(port, '/healthz')).to.include({ status: 200, body: 'ok' });
      expect(await get(port, '/proxyMode')).to.include({ status: 200, body: 'iptables' });
      expect((await get(port, '/nope')).status).to.equal(404);
    } finally {
      abort.abort();
      await server.stop();
    }
    expect(await tryConnect(port)).to.equal('ECONNREFUSED');
  });
});
