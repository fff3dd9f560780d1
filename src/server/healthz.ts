import type http from 'node:http';
import type { Counter } from 'prom-client';
import { realClock, type Clock } from '../sync/clock.js';
import { ManagedListener, requestPath, respond } from './http-listener.js';
import { isProxyHealthy, rfc3339, type HealthState } from './proxy-health.js';

export interface HealthzServerOptions {
  /** "IP:port" or "[IPv6]:port" (healthzBindAddress, default "0.0.0.0:10256"). */
  readonly bindAddress: string;
  /** How long a queued change may stay unapplied; kube-proxy uses 2 × iptables.syncPeriod. */
  readonly healthTimeoutMs: number;
  readonly state: () => HealthState;
  readonly clock?: Clock;
  readonly metrics?: { readonly healthzTotal: Counter<'code'>; readonly livezTotal: Counter<'code'> };
}

/** kube-proxy's health server: `/healthz` (includes node eligibility) and `/livez` (does not). */
export class HealthzServer {
  private readonly server: ManagedListener;

  constructor(private readonly options: HealthzServerOptions) {
    this.server = new ManagedListener(
      'healthz server',
      (req, res) => this.handle(req, res),
      options.bindAddress,
    );
  }

  /** Listens; resolves with the bound port. Aborting `signal` stops the server. */
  start(signal: AbortSignal): Promise<number> {
    return this.server.start(signal);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = requestPath(req);
    if (path !== '/healthz' && path !== '/livez') return respond(res, 404, '404 page not found\n');
    const { clock = realClock, healthTimeoutMs, metrics } = this.options;
    const state = this.options.state();
    const now = clock.now();
    const healthz = path === '/healthz';
    const ok = isProxyHealthy(state, now, healthTimeoutMs) && (!healthz || state.nodeEligible);
    const code = ok ? '200' : '503';
    (healthz ? metrics?.healthzTotal : metrics?.livezTotal)?.inc({ code });
    // kube-proxy's layout, with RFC 3339 times; lastUpdated is "now" when healthy, as upstream.
    const times = `"lastUpdated": "${rfc3339(ok ? now : state.lastSyncedAt)}","currentTime": "${rfc3339(now)}"`;
    const body = healthz ? `{${times}, "nodeEligible": ${String(state.nodeEligible)}}` : `{${times}}`;
    respond(res, Number(code), body, 'application/json');
  }
}
