import type { KubeConfig } from '@kubernetes/client-node';
import { childAbort } from './informer-abort.js';
import type { Clock } from './informer-clock.js';
import { WatchError } from './informer-error.js';
import { getJson } from './informer-http.js';

export interface ListRequest {
  readonly kubeConfig: KubeConfig;
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Items per page (`limit`); the rest follow with `continue` tokens. */
  readonly pageSize: number;
  /** Per page. */
  readonly timeoutMs: number;
  readonly clock: Clock;
}

export interface ListResult {
  /** Items listed, over all pages. */
  readonly items: number;
  readonly resourceVersion: string;
  readonly pages: number;
}

interface ListPage {
  readonly items: unknown[];
  readonly resourceVersion: string;
  readonly continueToken: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function readPage(path: string, body: unknown): ListPage {
  const metadata = isRecord(body) ? body.metadata : undefined;
  const items = isRecord(body) ? body.items : undefined;
  if (!isRecord(metadata) || typeof metadata.resourceVersion !== 'string') {
    throw new WatchError('the list has no metadata.resourceVersion', path);
  }
  if (items !== undefined && items !== null && !Array.isArray(items)) {
    throw new WatchError('the list items are not an array', path);
  }
  const continueToken = typeof metadata.continue === 'string' ? metadata.continue : '';
  return { items: items ?? [], resourceVersion: metadata.resourceVersion, continueToken };
}

/**
 * A complete list, page by page: each page's items go to `onPage` as it arrives, so a big list is
 * never held whole (at 10k EndpointSlices that is a hundred MB of objects). All pages come from one
 * snapshot (the server pins it in the continue token); an expired token is a 410 WatchError and the
 * caller starts over. If `onPage` throws, the list fails with that error.
 */
export async function listAll(
  request: ListRequest,
  signal: AbortSignal,
  onPage: (items: readonly unknown[]) => void,
): Promise<ListResult> {
  const { kubeConfig, path, labelSelector, fieldSelector, pageSize } = request;
  let items = 0;
  let pages = 0;
  let continueToken = '';
  for (;;) {
    const pageAbort = childAbort(signal, request.clock, request.timeoutMs);
    const query = {
      limit: String(pageSize),
      continue: continueToken || undefined,
      labelSelector,
      fieldSelector,
    };
    const body = await getJson(kubeConfig, path, query, pageAbort.signal).finally(() => pageAbort.dispose());
    const page = readPage(path, body);
    pages++;
    items += page.items.length;
    onPage(page.items);
    if (page.continueToken === '') return { items, resourceVersion: page.resourceVersion, pages };
    continueToken = page.continueToken;
  }
}
