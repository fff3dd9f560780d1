import { expect } from 'chai';
import { HealthzServer } from '../../../src/server/healthz.js';
import { parseBindAddress } from '../../../src/server/http-listener.js';
import { createMetrics, type Metrics } from '../../../src/server/metrics.js';
import type { HealthState } from '../../../src/server/proxy-health.js';
import { FakeClock } from '../../support/fake-clock.js';
import { get, tryConnect } from './http-client.js';

const T0 = Date.parse('2025-01-02T03:04:05Z');

describe('HealthzServer', () => {
  let clock: FakeClock;
  let state: HealthState;
  let metrics: Metrics;
  let server: HealthzServer;
  let abort: AbortController;
  let port: number;

  beforeEach(async () => {
    clock = new FakeClock(T0);
    state = { lastQueuedAt: undefined, lastSyncedAt: T0 - 10_000, nodeEligible: true };
    metrics = createMetrics({ processMetrics: false });
    server = new HealthzServer({
      bindAddress: '127.0.0.1:0',
      healthTimeoutMs: 60_000,
      state: () => state,
      clock,
      metrics,
    });
    abort = new AbortController();
    port = await server.start(abort.signal);
  });

  afterEach(async () => {
    abort.abort();
    await server.stop();
  });

  it('answers 200 with kube-proxy-style JSON when nothing is queued', async () => {
    const reply = await get(port, '/healthz');
    expect(reply.status).to.equal(200);
    expect(reply.headers['content-type']).to.equal('application/json');
    expect(reply.headers['x-content-type-options']).to.equal('nosniff');
    expect(reply.body).to.equal(
      '{"lastUpdated": "2025-01-02T03:04:05Z","currentTime": "2025-01-02T03:04:05Z", "nodeEligible": true}',
    );
    expect(JSON.parse(reply.body)).to.deep.equal({
      lastUpdated: '2025-01-02T03:04:05Z',
      currentTime: '2025-01-02T03:04:05Z',
      nodeEligible: true,
    });
    const livez = await get(port, '/livez');
    expect(livez.status).to.equal(200);
    expect(JSON.parse(livez.body)).to.deep.equal({
      lastUpdated: '2025-01-02T03:04:05Z',
      currentTime: '2025-01-02T03:04:05Z',
    });
  });

  it('stays healthy while a queued change is younger than the timeout, then 503', async () => {
    state = { ...state, lastQueuedAt: T0 };
    clock.tick(59_999);
    expect((await get(port, '/healthz')).status).to.equal(200);
    clock.tick(1);
    for (const path of ['/healthz', '/livez']) {
      const reply = await get(port, path);
      expect(reply.status, path).to.equal(503);
      expect(JSON.parse(reply.body)).to.include({
        lastUpdated: '2025-01-02T03:03:55Z',
        currentTime: '2025-01-02T03:05:05Z',
      });
    }
  });

  it('reports Go zero time as lastUpdated when unhealthy before any sync', async () => {
    state = { lastQueuedAt: T0, lastSyncedAt: undefined, nodeEligible: true };
    clock.tick(120_000);
    const reply = await get(port, '/healthz');
    expect(reply.status).to.equal(503);
    expect(JSON.parse(reply.body)).to.include({ lastUpdated: '0001-01-01T00:00:00Z' });
  });

  it('fails /healthz but not /livez while the node is being deleted', async () => {
    state = { ...state, nodeEligible: false };
    const healthz = await get(port, '/healthz');
    expect(healthz.status).to.equal(503);
    expect(JSON.parse(healthz.body)).to.deep.equal({
      lastUpdated: '2025-01-02T03:03:55Z',
      currentTime: '2025-01-02T03:04:05Z',
      nodeEligible: false,
    });
    const livez = await get(port, '/livez');
    expect(livez.status).to.equal(200);
    expect(JSON.parse(livez.body)).to.not.have.property('nodeEligible');
  });

  it('counts answers by code and path', async () => {
    await get(port, '/healthz');
    state = { ...state, nodeEligible: false };
    await get(port, '/healthz');
    await get(port, '/livez');
    const text = await metrics.registry.metrics();
    expect(text).to.include('kubeproxy_proxy_healthz_total{code="200"} 1');
    expect(text).to.include('kubeproxy_proxy_healthz_total{code="503"} 1');
    expect(text).to.include('kubeproxy_proxy_livez_total{code="200"} 1');
  });

  it('answers 404 elsewhere and ignores query strings', async () => {
    expect((await get(port, '/metrics')).status).to.equal(404);
    expect((await get(port, '/healthz?verbose=1')).status).to.equal(200);
  });

  it('closes its port on abort', async () => {
    abort.abort();
    await server.stop();
    expect(await tryConnect(port)).to.equal('ECONNREFUSED');
  });
});

describe('parseBindAddress', () => {
  it('treats unspecified addresses as every address', () => {
    expect(parseBindAddress('0.0.0.0:10256')).to.deep.equal({ host: undefined, port: 10256 });
    expect(parseBindAddress('[::]:10256')).to.deep.equal({ host: undefined, port: 10256 });
    expect(parseBindAddress(':10249')).to.deep.equal({ host: undefined, port: 10249 });
  });

  it('keeps specific addresses', () => {
    expect(parseBindAddress('127.0.0.1:10249')).to.deep.equal({ host: '127.0.0.1', port: 10249 });
    expect(parseBindAddress('[fd00::1]:0')).to.deep.equal({ host: 'fd00::1', port: 0 });
  });

  it('rejects malformed values', () => {
    for (const bad of ['10256', '::1:80', '1.2.3.4:99999', '[::1]']) {
      expect(() => parseBindAddress(bad), bad).to.throw(/invalid bind address/);
    }
  });
});
