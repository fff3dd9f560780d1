import type { ServerResponse } from 'node:http';
import { clone, type KubeObject } from './objects.js';
import type { ResourceInfo } from './resources.js';
import type { Selector } from './selectors.js';
import type { StatusBody } from './status.js';
import type { StoreEvent } from './store.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject | StatusBody;
}

/**
 * One open watch: a chunked NDJSON response. While stalled, events queue up unsent (and bookmarks
 * are skipped) so the connection stays open but silent; un-stalling flushes the queue in order.
 */
export class WatchConnection {
  private readonly queue: string[] = [];
  private closedFlag = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ServerResponse,
    readonly info: ResourceInfo,
    private readonly matches: Selector,
    private readonly bookmarks: boolean,
    private stalled: boolean,
  ) {
    res.on('close', () => {
      this.closedFlag = true;
      clearTimeout(this.timer);
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  onClose(callback: () => void): void {
    this.res.on('close', callback);
  }

  /** Ends the stream gracefully after `seconds`, as the server does for `timeoutSeconds`. */
  endAfter(seconds: number): void {
    this.timer = setTimeout(() => this.end(), seconds * 1000);
  }

  sendAdded(obj: KubeObject): void {
    if (this.matches(obj)) this.send({ type: 'ADDED', object: obj });
  }

  /** Sends a store change as this watcher sees it: moving into or out of the selector is ADDED/DELETED. */
  sendChange(event: StoreEvent): void {
    if (event.resource !== this.info.name) return;
    const now = event.type !== 'DELETED' && this.matches(event.object);
    const before = event.previous !== undefined && this.matches(event.previous);
    if (event.type === 'DELETED') {
      if (before) this.send({ type: 'DELETED', object: event.object });
    } else if (now) {
      this.send({ type: before ? 'MODIFIED' : 'ADDED', object: event.object });
    } else if (before && event.previous !== undefined) {
      const gone = clone(event.previous);
      gone.metadata.resourceVersion = event.object.metadata.resourceVersion;
      this.send({ type: 'DELETED', object: gone });
    }
  }

  bookmark(rv: number): void {
    if (!this.bookmarks || this.stalled) return;
    const { kind, apiVersion } = this.info;
    this.send({ type: 'BOOKMARK', object: { kind, apiVersion, metadata: { resourceVersion: String(rv) } } });
  }

  sendError(status: StatusBody): void {
    this.send({ type: 'ERROR', object: status });
  }

  setStalled(stalled: boolean): void {
    this.stalled = stalled;
    if (stalled) return;
    for (const line of this.queue.splice(0)) this.write(line);
  }

  /** Ends the response cleanly (the terminating chunk is sent). */
  end(): void {
    if (!this.closedFlag && !this.stalled) this.res.end();
    else if (!this.closedFlag) this.destroy();
  }

  /** Drops the connection without a terminating chunk, as a dying server or load balancer would. */
  destroy(): void {
    this.res.socket?.destroy();
    this.res.destroy();
  }

  private send(event: WatchEvent): void {
    const line = JSON.stringify(event) + '\n';
    if (this.stalled) this.queue.push(line);
    else this.write(line);
  }

  private write(line: string): void {
    if (!this.closedFlag) this.res.write(line);
  }
}
