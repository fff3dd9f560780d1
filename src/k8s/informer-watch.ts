import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { readStatus, statusError, WatchError } from './informer-error.js';
import { openGet, parseJson, readText } from './informer-http.js';

export interface WatchRequest {
  readonly kubeConfig: KubeConfig;
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly resourceVersion: string;
  /** Asks the server to end the stream cleanly after this long. */
  readonly timeoutSeconds: number;
}

export type ObjectEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface RawWatchEvent {
  readonly type: ObjectEventType;
  readonly object: unknown;
}

/** `closed`: the server ended the stream cleanly. `gone`: the resourceVersion expired (410). */
export type WatchOutcome = { readonly kind: 'closed' } | { readonly kind: 'gone'; readonly message: string };

const OBJECT_EVENTS: ReadonlySet<string> = new Set<ObjectEventType>([
  'ADDED',
  'MODIFIED',
  'DELETED',
  'BOOKMARK',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Parses one NDJSON line; an ERROR event becomes an outcome (410) or a thrown WatchError. */
function readLine(path: string, line: string): RawWatchEvent | WatchOutcome {
  const event = parseJson(line);
  if (!isRecord(event) || typeof event.type !== 'string') {
    throw new WatchError(`bad watch event: ${line.slice(0, 200)}`, path);
  }
  if (event.type === 'ERROR') {
    const status = readStatus(event.object);
    if (status.code === 410) return { kind: 'gone', message: status.message ?? 'Gone' };
    throw statusError(path, event.object);
  }
  if (!OBJECT_EVENTS.has(event.type)) throw new WatchError(`unknown watch event type ${event.type}`, path);
  return { type: event.type as ObjectEventType, object: event.object };
}

async function* lines(res: IncomingMessage): AsyncGenerator<string> {
  res.setEncoding('utf8');
  let buffered = '';
  for await (const chunk of res) {
    buffered += String(chunk);
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  }
  yield buffered;
}

/**
 * One watch connection, `?watch=true&allowWatchBookmarks=true` from `resourceVersion`, read as
 * chunked NDJSON until the server closes it. Resolves `closed` or `gone`; rejects with a WatchError
 * on an HTTP error, an ERROR event, bad JSON or a broken connection, and with the abort reason when
 * `signal` aborts.
 */
export async function watchOnce(
  request: WatchRequest,
  signal: AbortSignal,
  onEvent: (event: RawWatchEvent) => void,
): Promise<WatchOutcome> {
  const { kubeConfig, path } = request;
  const res = await openGet(
    kubeConfig,
    path,
    {
      watch: 'true',
      resourceVersion: request.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(request.timeoutSeconds),
      labelSelector: request.labelSelector,
      fieldSelector: request.fieldSelector,
    },
    signal,
  );
  if (res.statusCode !== 200) {
    const error = statusError(path, parseJson(await readText(res)), res.statusCode);
    if (error.isGone) return { kind: 'gone', message: error.message };
    throw error;
  }
  try {
    for await (const line of lines(res)) {
      if (line.trim() === '') continue;
      const read = readLine(path, line);
      if ('kind' in read) return read;
      onEvent(read);
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (err instanceof WatchError) throw err;
    throw new WatchError(`watch stream failed: ${String(err)}`, path, undefined, undefined, { cause: err });
  } finally {
    res.destroy();
  }
  return { kind: 'closed' };
}
