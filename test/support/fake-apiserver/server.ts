import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { fakeKubeConfig, fakeKubeconfigYaml } from './kubeconfig.js';
import { listObjects } from './list.js';
import type { KubeObject } from './objects.js';
import { matchesRequest, readJsonBody, verbOf, type RequestMatch, type RequestRecord } from './requests.js';
import { parseRoute, RESOURCES, type ResourceName, type Route } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { StatusError, statusBody } from './status.js';
import { ObjectStore } from './store.js';
import { WatchConnection } from './watch.js';

export interface FakeApiServerOptions {
  /** Changes kept for watches and paged lists; older resourceVersions get 410. Default 10,000. */
  readonly historyLimit?: number;
  /** How often watches that asked for bookmarks get one; 0 turns periodic bookmarks off. Default 1000. */
  readonly bookmarkIntervalMs?: number;
}

interface PendingFailure {
  remaining: number;
  readonly code: number;
  readonly match: RequestMatch | undefined;
}

/**
 * A Kubernetes API server for tests, on 127.0.0.1 and an ephemeral port, that speaks the real
 * list/watch protocol for services, endpoints, nodes and endpointslices. Objects change through HTTP
 * or the direct methods below; test controls drop, stall and expire watches and inject failures.
 */
export class FakeApiServer {
  private readonly store: ObjectStore;
  private readonly watches = new Set<WatchConnection>();
  private readonly sockets = new Set<Socket>();
  private readonly failures: PendingFailure[] = [];
  private readonly requestLog: RequestRecord[] = [];
  private stalled = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private bookmarkTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: FakeApiServerOptions,
  ) {
    this.store = new ObjectStore(options.historyLimit ?? 10_000);
    this.store.onChange((event) => {
      for (const watch of this.watches) watch.sendChange(event);
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    });
    const interval = options.bookmarkIntervalMs ?? 1000;
    if (interval > 0) this.bookmarkTimer = setInterval(() => this.sendBookmarks(), interval);
  }

  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new FakeApiServer(server, `http://127.0.0.1:${port}`, options);
  }

  /** Closes every watch and socket and the listener. */
  async stop(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    clearTimeout(this.stallTimer);
    for (const watch of this.watches) watch.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  kubeConfig(): KubeConfig {
    return fakeKubeConfig(this.url);
  }

  kubeconfigYaml(): string {
    return fakeKubeconfigYaml(this.url);
  }

  // --- objects -------------------------------------------------------------------------------

  get resourceVersion(): string {
    return String(this.store.resourceVersion);
  }

  create(resource: ResourceName, obj: object): KubeObject {
    return this.store.create(resource, obj);
  }

  update(resource: ResourceName, obj: object): KubeObject {
    return this.store.update(resource, obj);
  }

  /** `namespace` defaults to `default` for namespaced resources and is ignored for nodes. */
  delete(resource: ResourceName, name: string, namespace?: string): KubeObject {
    return this.store.delete(resource, namespace, name);
  }

  get(resource: ResourceName, name: string, namespace?: string): KubeObject | undefined {
    return this.store.get(resource, namespace, name);
  }

  /** Current objects of a resource, sorted by namespace/name. */
  list(resource: ResourceName): KubeObject[] {
    return this.store.list(resource);
  }

  // --- test controls -------------------------------------------------------------------------

  get openWatches(): number {
    return this.watches.size;
  }

  get requests(): readonly RequestRecord[] {
    return this.requestLog;
  }

  requestCount(match?: RequestMatch): number {
    return this.requestLog.filter((r) => matchesRequest(r, match)).length;
  }

  /** Ends every open watch: `destroy` drops the socket, `end` closes the stream cleanly. */
  dropWatches(how: 'destroy' | 'end' = 'destroy'): number {
    const count = this.watches.size;
    for (const watch of this.watches) {
      if (how === 'destroy') watch.destroy();
      else watch.end();
    }
    this.watches.clear();
    return count;
  }

  /** Watches (open and new) stay connected but send nothing; `ms` un-stalls after that long. */
  stallWatches(stall: boolean | number): void {
    clearTimeout(this.stallTimer);
    this.stalled = stall !== false;
    for (const watch of this.watches) watch.setStalled(this.stalled);
    if (typeof stall === 'number') this.stallTimer = setTimeout(() => this.stallWatches(false), stall);
  }

  /** Expires all history: watches and continue tokens from before now get 410. */
  compact(): void {
    this.store.compact();
  }

  /** The next `count` requests (matching `match`, if given) get `code` with a Status body. */
  failNext(count: number, code = 500, match?: RequestMatch): void {
    this.failures.push({ remaining: count, code, match });
  }

  sendBookmarks(): void {
    for (const watch of this.watches) watch.bookmark(this.store.resourceVersion);
  }

  // --- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = parseRoute(url.pathname);
    const method = req.method ?? 'GET';
    const record: RequestRecord = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      verb: verbOf(method, route, url.searchParams),
      resource: route?.resource.name,
    };
    this.requestLog.push(record);
    const failure = this.failures.find((f) => f.remaining > 0 && matchesRequest(record, f.match));
    if (failure) {
      failure.remaining--;
      throw new StatusError(failure.code, `injected failure (${failure.code})`);
    }
    if (route === undefined) throw new StatusError(404, `the server could not find ${url.pathname}`);
    const { resource, namespace, name } = route;
    switch (record.verb) {
      case 'list':
        return this.json(res, 200, listObjects(this.store, resource, namespace, url.searchParams));
      case 'watch':
        return this.watch(res, route, url.searchParams);
      case 'get': {
        const found = this.store.get(resource.name, namespace, name!);
        if (!found) throw new StatusError(404, `${resource.name} "${name}" not found`);
        return this.json(res, 200, found);
      }
      case 'create':
        return this.json(res, 201, this.store.create(resource.name, await readBody(req), namespace));
      case 'update':
        return this.json(res, 200, this.store.update(resource.name, await readBody(req), namespace, name));
      case 'delete':
        return this.json(res, 200, this.store.delete(resource.name, namespace, name!));
      case 'unsupported':
        throw new StatusError(405, `${method} is not supported on ${url.pathname}`);
    }
  }

  private watch(res: ServerResponse, route: Route, query: URLSearchParams): void {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'));
    const fromRv = parseWatchRv(query.get('resourceVersion'));
    const { namespace, resource } = route;
    const matches = (obj: KubeObject): boolean =>
      (namespace === undefined || obj.metadata.namespace === namespace) && labels(obj) && fields(obj);
    const bookmarks = query.get('allowWatchBookmarks') === 'true';
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const watch = new WatchConnection(res, RESOURCES[resource.name], matches, bookmarks, this.stalled);
    if (fromRv === undefined) {
      for (const obj of this.store.list(resource.name)) watch.sendAdded(obj);
    } else {
      const events = this.store.eventsSince(fromRv);
      if (events === undefined) {
        const message = `too old resource version: ${fromRv} (${this.store.compactedRv})`;
        watch.sendError(statusBody(410, message, 'Expired'));
        watch.end();
        return;
      }
      for (const event of events) watch.sendChange(event);
    }
    this.watches.add(watch);
    watch.onClose(() => this.watches.delete(watch));
    const timeout = Number(query.get('timeoutSeconds') ?? '0');
    if (timeout > 0) watch.endAfter(timeout);
  }

  private json(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(res: ServerResponse, err: unknown): void {
    const error = err instanceof StatusError ? err : new StatusError(500, String(err));
    if (res.headersSent) res.destroy();
    else this.json(res, error.code, error.body);
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  try {
    return await readJsonBody(req);
  } catch (err) {
    throw new StatusError(400, `invalid JSON body: ${String(err)}`);
  }
}

/** Undefined for unset or "0" (start with the current state as ADDED events). */
function parseWatchRv(text: string | null): number | undefined {
  if (text === null || text === '' || text === '0') return undefined;
  const rv = Number(text);
  if (!Number.isSafeInteger(rv) || rv < 0) throw new StatusError(400, `invalid resource version: ${text}`);
  return rv;
}
