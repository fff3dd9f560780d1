import type http from 'node:http';
import type { Registry } from 'prom-client';
import { ManagedListener, requestPath, respond } from './http-listener.js';

export interface MetricsServerOptions {
  /** "IP:port" or "[IPv6]:port" (metricsBindAddress, default "127.0.0.1:10249"). */
  readonly bindAddress: string;
  readonly registry: Registry;
}

/** `/metrics` (Prometheus text), `/healthz` ("ok") and `/proxyMode` ("iptables"), as kube-proxy. */
export class MetricsServer {
  private readonly server: ManagedListener;

  constructor(private readonly options: MetricsServerOptions) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.handle(req, res);
    this.server = new ManagedListener('metrics server', handler, options.bindAddress);
  }

  /** Listens; resolves with the bound port. Aborting `signal` stops the server. */
  start(signal: AbortSignal): Promise<number> {
    return this.server.start(signal);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    switch (requestPath(req)) {
      case '/metrics': {
        const { registry } = this.options;
        try {
          respond(res, 200, await registry.metrics(), registry.contentType);
        } catch (err) {
          respond(
            res,
            500,
            `collecting metrics failed: ${err instanceof Error ? err.message : String(err)}\n`,
          );
        }
        return;
      }
      case '/healthz':
        return respond(res, 200, 'ok');
      case '/proxyMode':
        return respond(res, 200, 'iptables');
      default:
        return respond(res, 404, '404 page not found\n');
    }
  }
}
