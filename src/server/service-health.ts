import type http from 'node:http';
import type winston from 'winston';
import { listenHttp, respond, type HttpListener } from './http-listener.js';

/** One externalTrafficPolicy=Local LoadBalancer service, keyed by its healthCheckNodePort. */
export interface ServiceHealthInfo {
  readonly namespace: string;
  readonly name: string;
  /** Ready endpoints of the service on this node. */
  readonly localEndpoints: number;
}

export interface ServiceHealthOptions {
  readonly logger: winston.Logger;
  /** Node IPs to listen on (nodePortAddresses resolved to this node's IPs); empty = every address. */
  readonly addresses?: readonly string[];
  /** kube-proxy's own health, ignoring node eligibility; default always healthy. */
  readonly proxyHealthy?: () => boolean;
}

interface PortEntry {
  info: ServiceHealthInfo;
  readonly listeners: Map<string, HttpListener>;
}

const ANY = '';

/**
 * The health-check node ports: `sync` makes exactly the wanted ports listen. A port that cannot
 * be bound is logged and tried again on the next `sync`.
 */
export class ServiceHealthServers {
  private readonly ports = new Map<number, PortEntry>();
  private queue: Promise<void> = Promise.resolve();
  private started = false;
  private stopped = false;

  constructor(private readonly options: ServiceHealthOptions) {}

  /** Enables `sync`; aborting `signal` closes every port. */
  start(signal: AbortSignal): void {
    this.started = true;
    if (signal.aborted) this.stopped = true;
    else signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** Opens and closes listeners so that exactly `services`' ports listen; updates the counts. */
  sync(services: ReadonlyMap<number, ServiceHealthInfo>): Promise<void> {
    if (!this.started) return Promise.reject(new Error('ServiceHealthServers.sync before start'));
    const wanted = new Map(services);
    this.queue = this.queue.then(() => (this.stopped ? undefined : this.apply(wanted)));
    return this.queue;
  }

  /**
   * Fire-and-forget `sync` from a list (the shape of src/sync/observer.ts `ServiceHealthSink`);
   * errors are logged. Two services claiming one port: the first in the list wins.
   */
  update(services: readonly (ServiceHealthInfo & { readonly healthCheckNodePort: number })[]): void {
    const wanted = new Map<number, ServiceHealthInfo>();
    for (const { healthCheckNodePort, namespace, name, localEndpoints } of services) {
      if (!wanted.has(healthCheckNodePort))
        wanted.set(healthCheckNodePort, { namespace, name, localEndpoints });
    }
    this.sync(wanted).catch((err: unknown) =>
      this.options.logger.error('health check port sync failed', { error: String(err) }),
    );
  }

  /** Ports with at least one listener, ascending. */
  listeningPorts(): number[] {
    return [...this.ports]
      .filter(([, e]) => e.listeners.size > 0)
      .map(([port]) => port)
      .sort((a, b) => a - b);
  }

  /** Closes every port; later syncs do nothing. */
  stop(): Promise<void> {
    this.stopped = true;
    this.queue = this.queue.then(() => this.apply(new Map()));
    return this.queue;
  }

  private async apply(wanted: ReadonlyMap<number, ServiceHealthInfo>): Promise<void> {
    const closing = [...this.ports].filter(([port]) => !wanted.has(port));
    for (const [port, entry] of closing) {
      this.ports.delete(port);
      this.options.logger.verbose('closing health check port', { port, ...serviceOf(entry.info) });
    }
    await Promise.all(closing.flatMap(([, entry]) => [...entry.listeners.values()].map((l) => l.close())));
    const opening = [...wanted].sort(([a], [b]) => a - b);
    await Promise.all(opening.map(([port, info]) => this.ensurePort(port, info)));
  }

  private async ensurePort(port: number, info: ServiceHealthInfo): Promise<void> {
    let entry = this.ports.get(port);
    if (entry === undefined) {
      entry = { info, listeners: new Map() };
      this.ports.set(port, entry);
    }
    entry.info = info;
    const addresses = this.options.addresses?.length ? this.options.addresses : [ANY];
    const listeners = entry.listeners;
    await Promise.all(
      addresses
        .filter((address) => !listeners.has(address))
        .map(async (address) => {
          try {
            const handler = (_req: http.IncomingMessage, res: http.ServerResponse): void =>
              this.answer(port, res);
            listeners.set(
              address,
              await listenHttp(handler, { host: address === ANY ? undefined : address, port }),
            );
            this.options.logger.verbose('opened health check port', { port, address, ...serviceOf(info) });
          } catch (err) {
            this.options.logger.error('failed to open health check port', {
              port,
              address,
              ...serviceOf(info),
              error: err instanceof Error ? err.message : String(err),
            });
          }
        }),
    );
  }

  private answer(port: number, res: http.ServerResponse): void {
    const info = this.ports.get(port)?.info;
    if (info === undefined) return respond(res, 503, '');
    const proxyHealthy = this.options.proxyHealthy?.() ?? true;
    const ok = info.localEndpoints > 0 && proxyHealthy;
    respond(res, ok ? 200 : 503, serviceHealthBody(info, proxyHealthy), 'application/json');
  }
}

function serviceOf(info: ServiceHealthInfo): { service: string } {
  return { service: `${info.namespace}/${info.name}` };
}

/** kube-proxy's body, byte for byte (tab-indented JSON). */
export function serviceHealthBody(info: ServiceHealthInfo, proxyHealthy: boolean): string {
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(info.namespace)},`,
    `\t\t"name": ${JSON.stringify(info.name)}`,
    '\t},',
    `\t"localEndpoints": ${info.localEndpoints},`,
    `\t"serviceProxyHealthy": ${String(proxyHealthy)}`,
    '}',
  ].join('\n');
}
