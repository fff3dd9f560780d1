import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where to listen. `host` undefined means every address (dual-stack where the kernel allows). */
export interface BindAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * Parses "IP:port", "[IPv6]:port" or ":port". The unspecified addresses (0.0.0.0, ::) mean every
 * address of both families, as they do for Go's listener in kube-proxy.
 */
export function parseBindAddress(value: string): BindAddress {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(value);
  if (match === null) throw new Error(`invalid bind address ${JSON.stringify(value)}: expected IP:port`);
  const host = match[1] ?? match[2] ?? '';
  const port = Number.parseInt(match[3] ?? '', 10);
  if (port > 65535) throw new Error(`invalid bind address ${JSON.stringify(value)}: port out of range`);
  const any = host === '' || host === '0.0.0.0' || host === '::';
  return { host: any ? undefined : host, port };
}

/** A listening HTTP server. `close` stops accepting and drops every open connection. */
export interface HttpListener {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server; resolves once it listens, rejects when binding fails. */
export function listenHttp(handler: http.RequestListener, bind: BindAddress): Promise<HttpListener> {
  const server = http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: bind.host, port: bind.port }, () => {
      server.off('error', reject);
      resolve({ port: (server.address() as AddressInfo).port, close: () => closeServer(server) });
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Writes a complete response. */
export function respond(
  res: http.ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'Content-Type': contentType, 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

/** The request path without its query string. */
export function requestPath(req: http.IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * One HTTP server's lifecycle: `start(signal)` listens (and stops on abort), `stop()` closes every
 * socket. Nothing listens until start is called.
 */
export class ManagedListener {
  private listener: HttpListener | undefined;

  constructor(
    private readonly name: string,
    private readonly handler: http.RequestListener,
    private readonly bindAddress: string,
  ) {}

  /** Listens; resolves with the bound port. */
  async start(signal: AbortSignal): Promise<number> {
    if (this.listener !== undefined) throw new Error(`${this.name} already started`);
    const listener = await listenHttp(this.handler, parseBindAddress(this.bindAddress));
    this.listener = listener;
    if (signal.aborted) await this.stop();
    else signal.addEventListener('abort', () => void this.stop(), { once: true });
    return listener.port;
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }
}
