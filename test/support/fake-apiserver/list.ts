import { objectKey, type KubeObject } from './objects.js';
import type { ResourceInfo } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { StatusError } from './status.js';
import type { ObjectStore } from './store.js';

export interface ListBody {
  readonly kind: string;
  readonly apiVersion: string;
  readonly metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  readonly items: readonly KubeObject[];
}

interface ContinueToken {
  readonly v: 'meta.k8s.io/v1';
  readonly rv: number;
  /** The first key of the next page. */
  readonly start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      typeof value === 'object' &&
      value !== null &&
      'rv' in value &&
      'start' in value &&
      typeof value.rv === 'number' &&
      typeof value.start === 'string'
    ) {
      return { v: 'meta.k8s.io/v1', rv: value.rv, start: value.start };
    }
  } catch {
    // fall through to the error below
  }
  throw new StatusError(400, 'continue key is not valid: incorrect encoded start resourceVersion');
}

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new ' +
  'list without the continue parameter, or use the continue token in this response to retrieve the ' +
  'remainder of the results. Continuing with the provided token results in an inconsistent list - objects ' +
  'that were created, modified, or deleted between the time the first chunk was returned and now may ' +
  'show up in the list.';

function parseLimit(text: string | null): number {
  if (text === null || text === '') return 0;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0) throw new StatusError(400, `invalid limit: ${text}`);
  return limit;
}

/**
 * A list as the real server answers it: a consistent snapshot, sorted by key, paged with `limit` and
 * opaque `continue` tokens that pin the snapshot's resourceVersion; 410 Expired once it is compacted.
 * Items carry no kind/apiVersion, as in real typed lists.
 */
export function listObjects(
  store: ObjectStore,
  info: ResourceInfo,
  namespace: string | undefined,
  query: URLSearchParams,
): ListBody {
  const limit = parseLimit(query.get('limit'));
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'));
  const continueText = query.get('continue');
  const token = continueText ? decodeContinue(continueText) : undefined;
  const rv = token?.rv ?? store.resourceVersion;
  const snapshot = token ? store.snapshotAt(info.name, token.rv) : store.list(info.name);
  if (snapshot === undefined) throw new StatusError(410, EXPIRED_MESSAGE, 'Expired');
  const keyOf = (obj: KubeObject): string => objectKey(obj.metadata.namespace, obj.metadata.name ?? '');
  const matching = snapshot.filter(
    (obj) =>
      (namespace === undefined || obj.metadata.namespace === namespace) &&
      (token === undefined || keyOf(obj) >= token.start) &&
      labels(obj) &&
      fields(obj),
  );
  const page = limit > 0 ? matching.slice(0, limit) : matching;
  const rest = matching.slice(page.length);
  const metadata: ListBody['metadata'] = { resourceVersion: String(rv) };
  const last = page[page.length - 1];
  if (rest.length > 0 && last !== undefined) {
    metadata.continue = encodeContinue({ v: 'meta.k8s.io/v1', rv, start: keyOf(last) + '\u0000' });
    if (!query.get('labelSelector') && !query.get('fieldSelector')) metadata.remainingItemCount = rest.length;
  }
  const items = page.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => item as KubeObject);
  return { kind: info.listKind, apiVersion: info.apiVersion, metadata, items };
}
